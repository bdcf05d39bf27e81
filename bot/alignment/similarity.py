"""Whether updates of different teams describe the same piece of work.

`Similarity` scores pairs of texts on the words they share, weighted by how
rarely the week's updates use them; analysis.py turns similar pairs into its
parallel_work findings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.alignment.model import Org

# Function words and the verbs every update starts with ("built", "ran", "sent"): they
# say nothing about which piece of work an update is about.
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "around",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "last",
        "let",
        "lets",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "new",
        "next",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "onto",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "per",
        "plus",
        "same",
        "she",
        "should",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "vs",
        "was",
        "we",
        "week",
        "weeks",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "today",
        "yesterday",
        "tomorrow",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "build",
        "built",
        "building",
        "builds",
        "wrote",
        "write",
        "writing",
        "writes",
        "written",
        "ran",
        "run",
        "running",
        "runs",
        "hosted",
        "host",
        "hosting",
        "held",
        "hold",
        "holding",
        "launched",
        "launch",
        "launching",
        "sent",
        "send",
        "sending",
        "shipped",
        "ship",
        "shipping",
        "created",
        "create",
        "creating",
        "made",
        "make",
        "making",
        "makes",
        "started",
        "start",
        "starting",
        "finished",
        "finish",
        "finishing",
        "completed",
        "complete",
        "drafted",
        "draft",
        "drafting",
        "prepared",
        "prepare",
        "preparing",
        "published",
        "publish",
        "finalized",
        "finalize",
        "kicked",
        "kick",
        "set",
        "setting",
        "did",
        "working",
        "worked",
        "work",
        "works",
        "updated",
        "update",
        "updating",
        "reviewed",
        "review",
        "reviewing",
        "followed",
        "follow",
        "following",
        "passed",
        "pass",
        "handed",
        "hand",
        "shared",
        "share",
        "sharing",
        "asked",
        "ask",
        "asking",
        "planned",
        "plan",
        "planning",
        "delivered",
        "deliver",
        "put",
        "putting",
        "took",
        "take",
        "taking",
        "gave",
        "give",
        "giving",
        "added",
        "add",
        "adding",
        "got",
        "going",
        "went",
        "continued",
        "continue",
        "moved",
        "move",
        "using",
        "used",
        "use",
        "helped",
        "help",
        "need",
        "needed",
        "needs",
        "want",
        "wanted",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "first",
        "second",
        "another",
        "several",
        "many",
    ]
)

# Deliverables and events: sharing one is strong evidence of the same piece of work, and
# two updates about different ones are different pieces of work even on the same topic.
_ASSETS = frozenset(
    [
        "battlecard",
        "battlecards",
        "calculator",
        "calculators",
        "webinar",
        "webinars",
        "ebook",
        "ebooks",
        "whitepaper",
        "whitepapers",
        "guide",
        "guides",
        "playbook",
        "playbooks",
        "deck",
        "decks",
        "sheet",
        "sheets",
        "onepager",
        "datasheet",
        "datasheets",
        "pager",
        "pagers",
        "brochure",
        "brochures",
        "template",
        "templates",
        "checklist",
        "checklists",
        "study",
        "studies",
        "video",
        "videos",
        "podcast",
        "podcasts",
        "blog",
        "post",
        "posts",
        "newsletter",
        "newsletters",
        "survey",
        "surveys",
        "report",
        "reports",
        "dashboard",
        "dashboards",
        "demo",
        "demos",
        "workshop",
        "workshops",
        "roundtable",
        "roundtables",
        "dinner",
        "dinners",
        "breakfast",
        "lunch",
        "conference",
        "conferences",
        "summit",
        "booth",
        "tradeshow",
        "campaign",
        "campaigns",
        "sequence",
        "sequences",
        "cadence",
        "cadences",
        "landing",
        "page",
        "pages",
        "ad",
        "ads",
        "script",
        "scripts",
        "proposal",
        "proposals",
        "quote",
        "quotes",
        "contract",
        "contracts",
        "pilot",
        "pilots",
        "trial",
        "trials",
        "poc",
        "faq",
        "faqs",
        "infographic",
        "infographics",
        "course",
        "courses",
        "certification",
        "benchmark",
        "benchmarks",
        "comparison",
        "matrix",
        "toolkit",
    ]
)

# Business words nearly every sales or marketing update uses, and the roles work is aimed
# at ("compliance officers", "CISOs"): weak evidence on their own.
_COMMON = frozenset(
    [
        "officer",
        "officers",
        "ciso",
        "cisos",
        "cfo",
        "cfos",
        "cio",
        "cios",
        "cto",
        "ctos",
        "ceo",
        "ceos",
        "coo",
        "vp",
        "vps",
        "director",
        "directors",
        "manager",
        "managers",
        "head",
        "heads",
        "leader",
        "leaders",
        "admin",
        "admins",
        "administrator",
        "administrators",
        "executive",
        "executives",
        "exec",
        "execs",
        "buyer",
        "buyers",
        "champion",
        "champions",
        "stakeholder",
        "stakeholders",
        "user",
        "users",
        "analyst",
        "analysts",
        "rep",
        "reps",
        "team",
        "member",
        "members",
        "customer",
        "customers",
        "client",
        "clients",
        "account",
        "accounts",
        "deal",
        "deals",
        "lead",
        "leads",
        "prospect",
        "prospects",
        "meeting",
        "meetings",
        "call",
        "calls",
        "opportunity",
        "opportunities",
        "pipeline",
        "quarter",
        "month",
        "months",
        "year",
        "target",
        "targets",
        "goal",
        "goals",
        "team",
        "teams",
        "company",
        "companies",
        "contact",
        "contacts",
        "project",
        "projects",
        "result",
        "results",
        "number",
        "numbers",
        "data",
        "process",
        "program",
        "programs",
        "sale",
        "sales",
        "marketing",
        "revenue",
    ]
)

_MENTION_OR_URL = re.compile(r"<[^>]*>|https?://\S+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?")

# Thresholds, calibrated so that two updates sharing a deliverable and its subject (a
# battlecard against Acme, an ROI calculator for bank CISOs) match, while two updates
# that only share their topic (a bank signed, a webinar for banks) do not.
_MIN_SHARED = 2.0  # summed weight of the shared terms
_MIN_SHARED_ONE_ASSET = 2.5  # the same when only one of the two names a deliverable
_MIN_SHARE = 0.4  # shared weight over the smaller update's total weight
_WEIGHT_ASSET = 1.5
_WEIGHT_WEAK = 0.5
_MAX_BUCKET = 64  # updates sharing one term, beyond which the term only scores pairs found through others


def _stem(word: str) -> str:
    """Fold plurals, possessives and -ed/-ing so "banks", "bank's" and "banking" meet."""
    for apostrophe in ("'", "\u2019"):
        if apostrophe in word:
            word = word.split(apostrophe, 1)[0]
    if word.isdigit() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    suffix_gone = False
    if word.endswith("ing") and len(word) > 5:
        word, suffix_gone = word[:-3], True
    elif word.endswith("ed") and len(word) > 4:
        word, suffix_gone = word[:-2], True
    if suffix_gone and len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # shipped -> ship, running -> run
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]  # price, pricing and priced meet at "pric"
    return word


def _words(text: str) -> list[str]:
    text = _MENTION_OR_URL.sub(" ", text)
    text = _THOUSANDS.sub("", text).lower()
    return _WORD.findall(text)


def _vocabulary(words: Iterable[str]) -> set[str]:
    return {_stem(w) for w in words if w not in _STOPWORDS}


_ASSET_STEMS = _vocabulary(_ASSETS)
_STOP_STEMS = frozenset(_stem(w) for w in _STOPWORDS)  # "builds" stems to a stopword too
_COMMON_STEMS = _vocabulary(_COMMON)


class Similarity:
    """Find pairs of updates that describe the same piece of work.

    Each update becomes a set of content terms (stopwords, team names and work
    verbs removed, lightly stemmed). A shared term weighs 1.5 when it is a
    deliverable or event ("battlecard", "webinar", "pricing sheet"), 0.5 when it
    is weak evidence (a number, a word of the objectives' own wording, a word
    every business update uses), else 1. Terms that a large share of the week's
    updates use weigh nothing. Two updates match when their shared weight is at
    least 2 and at least 40% of the smaller one's, unless each names a
    deliverable and they share none (a webinar and a blog post on one topic are
    two pieces of work); when only one names a deliverable the bar is 2.5 (a
    CISO dinner in Chicago and a CISO met in Chicago are not the same work).
    Pairs are found through an inverted index, so the cost follows the pairs
    that share terms, not all pairs.
    """

    def __init__(self, org: Org, texts: Sequence[str], team_words: Iterable[str]) -> None:
        ignore = set()
        for phrase in team_words:
            ignore |= {_stem(w) for w in _words(phrase)}
        weak = set(_COMMON_STEMS)
        for objective in org.objectives:
            wording = " ".join((objective.title, objective.description, *objective.keywords))
            weak |= _vocabulary(_words(wording))
        weak -= _ASSET_STEMS
        self.terms: list[frozenset[str]] = []
        for text in texts:
            words = _words(text)
            found = {_stem(w) for w in words if w not in _STOPWORDS and (len(w) > 1 or w.isdigit())}
            self.terms.append(frozenset(found - ignore - _STOP_STEMS))
        frequency: dict[str, int] = defaultdict(int)
        for kept in self.terms:
            for term in kept:
                frequency[term] += 1
        # A term in an eighth of the week's updates (and in more than a dozen) is the week's
        # theme, not a piece of work; it also keeps the index buckets small.
        cap = max(12, len(texts) // 8)
        self.weight: dict[str, float] = {}
        for term, count in frequency.items():
            if count > cap:
                weight = 0.0
            elif term in _ASSET_STEMS:
                weight = _WEIGHT_ASSET
            elif term.isdigit() or term in weak:
                weight = _WEIGHT_WEAK
            else:
                weight = 1.0
            self.weight[term] = weight
        self.total = [sum(self.weight[t] for t in terms) for terms in self.terms]

    def pairs(self, groups: Sequence[str]) -> list[tuple[int, int, float, tuple[str, ...]]]:
        """Return (i, j, score, shared terms) for similar pairs with different `groups[i]`."""
        index: dict[str, list[int]] = defaultdict(list)
        for i, terms in enumerate(self.terms):
            for term in terms:
                if self.weight[term] > 0:
                    index[term].append(i)
        # Pairs are sought through terms in at most _MAX_BUCKET updates, so the work grows with the
        # week's size, not its square; a pair found is scored on every term it shares. Up to
        # 8 x _MAX_BUCKET updates every weighted term qualifies, so nothing is missed there.
        candidates: set[tuple[int, int]] = set()
        for members in index.values():
            if not 2 <= len(members) <= _MAX_BUCKET:
                continue
            for a in range(len(members)):
                i = members[a]
                for b in range(a + 1, len(members)):
                    j = members[b]
                    if groups[i] != groups[j]:
                        candidates.add((i, j))
        weight = self.weight
        shared = {(i, j): sum(weight[t] for t in self.terms[i] & self.terms[j]) for i, j in candidates}
        out = []
        for (i, j), score in shared.items():
            if score < _MIN_SHARED - 1e-9:
                continue
            smaller = min(self.total[i], self.total[j])
            if smaller <= 0 or score / smaller < _MIN_SHARE:
                continue
            assets_i = self.terms[i] & _ASSET_STEMS
            assets_j = self.terms[j] & _ASSET_STEMS
            if assets_i and assets_j and not assets_i & assets_j:
                continue
            if bool(assets_i) != bool(assets_j) and score < _MIN_SHARED_ONE_ASSET - 1e-9:
                continue
            common = tuple(sorted(t for t in self.terms[i] & self.terms[j] if self.weight[t] > 0))
            out.append((i, j, round(score / smaller, 2), common))
        out.sort()
        return out


def similar(org: Org, a: str, b: str) -> bool:
    """Return whether two texts describe the same piece of work, judged on their own."""
    words = [t.name for t in org.teams] + [alias for t in org.teams for alias in t.aliases]
    return bool(Similarity(org, [a, b], words).pairs(["a", "b"]))
