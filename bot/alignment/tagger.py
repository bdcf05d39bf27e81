"""The default objective tagger: which objectives a text serves, how strongly, and why.

Pure Python and stdlib only. A text and every objective are read the same way:
lightly stemmed words are matched against the business knowledge in `knowledge.py`
(concepts and segments, longest phrase first), and whatever the knowledge does not
know stays as plain content words. An objective then collects evidence from the text:

- a concept both mention (strong), or a concept that serves the same business theme
  (weaker): "booked 6 discovery calls" -> pipeline -> new business;
- a word, word pair or keyword of the objective itself, weighted by how distinctive
  it is in the workspace's objectives and texts; the objective's own name or code
  ("CM2", "RevPAR", "Marshall") counts fully;
- the segment the objective names (an industry, company size or region);
- labelled examples (people's tags, corrections, the org file's examples), for what
  the tagger got wrong on them: similar texts, and the words and concepts of the texts
  it missed an objective on;
- the workspace's texts the tagger is sure of, as weak examples for the others: teams
  name the same customers and sites week after week.

Evidence combines as a noisy-or, so several weak hints add up while no single
one is certain. A text serves no objective when nothing reaches the threshold;
a second objective needs evidence the first did not already use.
A verdict is unsure when a score sits within a margin of its cut-off.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.alignment import knowledge as kb
from bot.alignment.model import Example, Match, Objective, Verdict

# Evidence strengths, calibrated together: a shared concept alone is enough,
# a shared theme alone is not, a segment-led objective fires on its segment.
DIRECT = 0.72
THEME = 0.45
THEME_MIN = 0.6
WORD_TITLE = 0.5
WORD_DESCRIPTION = 0.5  # a description word counts about as much as a title word: it names the work too
KEYWORD = 0.75
SEGMENT_LED = 0.7
SEGMENT_PART = 0.4
UNSEGMENTED = 0.5  # evidence kept when an objective names a segment the text does not
DESCRIPTION_WEIGHT = 0.55  # what the description adds, relative to the title
THRESHOLD = 0.4
RELATIVE = 0.7  # a second objective must score at least this share of the best
ADMIN_DAMP = 0.5  # share of every score plain internal admin ("staff mtg", "calendar") explains away

# Learned examples: how similar a past text must be to count, and how much it counts.
NN_K = 5
SCAN_MAX = 64  # examples a search reads per feature, the latest saying it: not a common word's thousands
NN_MIN_SIM = 0.25
NN_FULL_SIM = 0.75
NN_MAX = 0.9
NN_NEG_START = 0.3
CONCEPT_FEATURE = 0.3  # weight of a shared concept or segment against a shared word

WEAK = 0.5
# Literal evidence: how distinctive a word is in the workspace's own texts scales it.
IN_PHRASE = 0.5  # an objective word the knowledge read inside a phrase
DISTINCT_FLOOR = 0.1  # share of a word's weight kept when every text says it
COMMON_SHARE = 0.1  # with fewer than 1/COMMON_SHARE texts, even a word only one says is not fully distinctive
JARGON = 0.75  # an objective's own jargon ("CM2", "RevPAR") seen in a text
PAIR = 0.7  # two adjacent words of an objective, in the same order: right 9 times in 10 on the dev sets
TAUGHT = 0.6  # a word of every labelled text saying it the tagger missed an objective on
TAUGHT_PRIOR = 2.0  # pseudo-count of labelled texts saying a word that taught nothing: one text is not the last word
TAUGHT_CONCEPT = 0.6  # distinctiveness of a concept people's tags tie to an objective
MISSED_WIDTH = 0.2  # how far above its cut-off a score must be for the tag to count as not missed at all
REPEAT = 0.4  # share of a concept's evidence each further mention of it adds
MAX_WHY = 4
# Confidence: a verdict is sure when no objective's score is within this margin of its
# cut-off (tagged above it, untagged below it). Between the two, Alignbot asks. Given the
# workspace's texts, the margin is set so that about ASK_SHARE of them are unsure, the
# ones closest to flipping: narrower where many sit near a cut-off, wider (up to SURE_MAX)
# where few do.
SURE_MARGIN = 0.08
SURE_MAX = 0.15
ASK_SHARE = 0.25  # the bound: a quarter of updates; a cut-off ranked among all of them keeps to it
ECHO_SHARE = 0.22  # the share of the week's texts too near a cut-off to teach as the tagger's own examples
ECHO_PRIOR = 4.0  # pseudo-count of sure texts at an even share: a word two texts say is not yet settled
ECHO_DAMP_MIN = 2  # sure texts saying an objective's word before they weigh it
ECHO_DAMP_FLOOR = 0.2  # share of its weight an objective's word keeps, however the sure texts tie it elsewhere
CALIBRATE_MAX = 200  # texts read again to set the margin once the echo is in
CALIBRATE_MIN = 20  # fewer texts than this say too little about where the cut-offs lie
SEVERAL_DOUBT = 0.6  # several tags are more often wrong than one: their margin counts less
# When asking, far less: on the five development companies 19 of 32 verdicts with several
# tags were wrong, against 34 of 179 with one, yet their scores looked as sure.
SEVERAL_ASK = 0.15
# An untagged text that says much is more often a missed tag than an aside: on the five
# development companies, 24 of 26 untagged updates of 16 words or more were misses, 4 of
# 43 of 12 words or fewer. Past UNPLACED_WORDS words its margin shrinks steeply.
UNPLACED_WORDS = 9
UNPLACED_POWER = 6
CANDIDATE_MIN = 0.1  # a near miss worth offering in the question
CANDIDATES = 3
CODE_SHARE = 0.5  # a chained code ("MSP-MKE") is usually a place every update names: says where, not what
ECHO = 0.5  # what a sure text of the workspace counts as an example, against a person's tag

_TOKEN = re.compile(r"\d+\([a-z]\)|[^\W_]+(?:[.,]\d+)*")
# Amounts, counts, percentages and durations ("6", "2,000", "$80k", "9h"), not "3pl" or "k12".
_NUMBER = re.compile(r"\d[\d.,]*(?:k|m|bn|b|h|hrs|x|st|nd|rd|th|s)?")
_STEM_EXCEPTIONS = {"marketing": "marketing", "news": "news", "sales": "sale", "sale": "sale", "bookings": "bookings",
                    # "care" is not "car": care plans and health care are not auto loans
                    "care": "care", "cares": "care", "cared": "care", "caring": "care"}


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


@lru_cache(maxsize=200_000)  # bounded: texts bring endless names and typos
def stem(word: str) -> str:
    """Return a light stem of a lower-case word; any number becomes '#'."""
    if word[0].isdigit() and _NUMBER.fullmatch(word):
        result = "#"
    elif word in _STEM_EXCEPTIONS:
        result = _STEM_EXCEPTIONS[word]
    elif len(word) <= 3:
        result = word
    else:
        w = word
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("sses"):
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        if w.endswith("ing") and len(w) > 5:
            w = _undouble(w[:-3])
        elif w.endswith("ied") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("ed") and len(w) > 4:
            w = _undouble(w[:-2])
        if w.endswith("e") and len(w) > 3:
            w = w[:-1]
        result = w
    return result


def tokenize(text: str) -> list[str]:
    """Split text into lower-case word and number tokens."""
    return _TOKEN.findall(text.casefold().replace("’", "'").replace("'s ", " "))


def _split_triggers(spec: str) -> Iterable[tuple[tuple[str, ...], float, str]]:
    for raw in spec.split(","):
        phrase = " ".join(raw.split())
        if not phrase:
            continue
        strength = WEAK if phrase.endswith("~") else 1.0
        phrase = phrase.rstrip("~").strip()
        stems = tuple("#" if t == "#" else stem(t) for t in tokenize(phrase.replace("#", " 0 ")))
        if stems:
            yield stems, strength, phrase


@dataclass(frozen=True)
class _Entry:
    kind: str  # "concept" or "segment"
    id: str
    strength: float


class _Lexicon:
    """Phrase lookup over stem sequences: longest match first, each token used once."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, ...], list[_Entry]] = defaultdict(list)
        self.lengths: dict[str, tuple[int, ...]] = {}

    def add(self, stems: tuple[str, ...], entry: _Entry) -> None:
        bucket = self.entries[stems]
        if all(e.id != entry.id for e in bucket):
            bucket.append(entry)

    def freeze(self) -> None:
        lengths: dict[str, set[int]] = defaultdict(set)
        for stems in self.entries:
            lengths[stems[0]].add(len(stems))
        self.lengths = {first: tuple(sorted(ls, reverse=True)) for first, ls in lengths.items()}
        self.entries = dict(self.entries)

    def scan(self, stems: Sequence[str]) -> list[tuple[int, int, list[_Entry]]]:
        """Return (start, end, entries) for each match, longest first, non-overlapping."""
        found = []
        i, n = 0, len(stems)
        entries, lengths = self.entries, self.lengths
        while i < n:
            step = 1
            for length in lengths.get(stems[i], ()):
                if i + length <= n:
                    hit = entries.get(tuple(stems[i : i + length])) if length > 1 else entries.get((stems[i],))
                    if hit:
                        found.append((i, i + length, hit))
                        step = length
                        break
            i += step
        return found


def _build_knowledge() -> tuple[_Lexicon, _Lexicon, _Lexicon]:
    lexicon = _Lexicon()
    for cid, (_label, _themes, spec) in kb.CONCEPTS.items():
        for stems, strength, _ in _split_triggers(spec):
            lexicon.add(stems, _Entry("concept", cid, strength))
    for sid, (_label, spec) in kb.SEGMENTS.items():
        for stems, strength, _ in _split_triggers(spec):
            lexicon.add(stems, _Entry("segment", sid, strength))
    cuts, spends = _Lexicon(), _Lexicon()
    for target, spec in ((cuts, kb.CUT_ACTIONS), (spends, kb.SPEND_OBJECTS)):
        for stems, strength, _ in _split_triggers(spec):
            target.add(stems, _Entry("marker", "", strength))
    for lex in (lexicon, cuts, spends):
        lex.freeze()
    return lexicon, cuts, spends


_LEXICON, _CUTS, _SPENDS = _build_knowledge()
_CONCEPT_LABELS = {cid: label for cid, (label, _, _) in kb.CONCEPTS.items()}
_CONCEPT_THEMES = {cid: themes for cid, (_, themes, _) in kb.CONCEPTS.items()}
_COST_CUT_ID, _COST_CUT_LABEL, _COST_CUT_THEMES = kb.COST_CUT
_CONCEPT_LABELS[_COST_CUT_ID] = _COST_CUT_LABEL
_CONCEPT_THEMES[_COST_CUT_ID] = _COST_CUT_THEMES
_SEGMENT_LABELS = {sid: label for sid, (label, _) in kb.SEGMENTS.items()}
_STOP = frozenset(stem(w) for w in kb.STOPWORDS) | {"#"}
_GENERIC = frozenset(stem(w) for w in kb.GENERIC_OBJECTIVE_WORDS)
_ROUTINE = frozenset(stem(w) for w in kb.ROUTINE_WORDS) | _GENERIC
_COMMON = frozenset(stem(w) for w in kb.COMMON_BUSINESS_WORDS)
_HEADCOUNT = frozenset(stem(w) for w in kb.HEADCOUNT_WORDS)
_AGE_PEOPLE = frozenset(stem(w) for w in kb.AGE_PEOPLE_WORDS)
_AGE = frozenset(stem(w) for w in kb.AGE_WORDS)


def _number(token: str) -> float | None:
    raw = token.replace(",", "")
    scale = 1.0
    if raw.endswith("k"):
        raw, scale = raw[:-1], 1000.0
    try:
        return float(raw) * scale
    except ValueError:
        return None


def _young_age(tokens: Sequence[str], stems: Sequence[str]) -> str | None:
    """Return the surface of an age bound that names younger customers ("members under 35"), if any."""
    for i, s in enumerate(stems):
        if s != "#" or not 13 <= (_number(tokens[i]) or 0) <= kb.YOUNG_AGE_MAX:
            continue
        before = stems[i - 1] if i else ""
        after = stems[i + 1] if i + 1 < len(stems) else ""
        if before in ("under", "below") and (i >= 2 and stems[i - 2] in _AGE_PEOPLE or after in _AGE):
            return " ".join(tokens[i - 1:i + 1])
        # A range: "aged 18 to 29", "18-34 year olds".
        j = i + 2 if after == "to" else i + 1
        if j < len(stems) and stems[j] == "#" and (before in _AGE or j + 1 < len(stems) and stems[j + 1] in _AGE):
            return " ".join(tokens[i:j + 1])
    return None


def _headcount_segment(tokens: Sequence[str], stems: Sequence[str], at: int) -> str | None:
    """Return the size segment of 'N employees' ending at index `at`, if any."""
    j = at - 1
    if j < 0 or stems[j] != "#":
        return None
    value = _number(tokens[j])
    # A range ("100 to 1,000 employees", "200-500 staff") is judged by its low end.
    k = j - 1
    if k >= 0 and tokens[k] == "to":
        k -= 1
    if k >= 0 and stems[k] == "#":
        low = _number(tokens[k])
        if low is not None:
            value = low
    if value is None:
        return None
    return next((seg for minimum, seg in kb.SIZE_BANDS if value >= minimum), None)


@dataclass
class _Reading:
    """What the knowledge recognises in one text."""

    stems: list[str]
    concepts: dict[str, tuple[float, str]] = field(default_factory=dict)
    segments: dict[str, tuple[float, str]] = field(default_factory=dict)
    # content stem -> surface, or "" when the knowledge already read it in a phrase
    words: dict[str, str] = field(default_factory=dict)
    content: set[str] = field(default_factory=set)  # every content stem
    repeats: dict[str, int] = field(default_factory=dict)  # further mentions of a concept


def _keep(found: dict[str, tuple[float, str]], key: str, strength: float, surface: str) -> None:
    if key not in found or found[key][0] < strength:
        found[key] = (strength, surface)


def _read(text: str, generic_single: bool = False) -> _Reading:
    """Read `text` (see `_analyse`), from the cache when it is short enough to keep."""
    if len(text) > 2000:
        return _analyse(text, generic_single)
    return _cached_analyse(text, generic_single)


def _analyse(text: str, generic_single: bool = False) -> _Reading:
    """Read `text` into concepts, segments and leftover content words.

    With `generic_single`, single outcome verbs ("win", "grow") do not trigger a
    concept: in an objective's title they carry no meaning of their own.
    Callers must not modify the result: it may be shared through the cache.
    """
    tokens = tokenize(text)
    stems = [stem(t) for t in tokens]
    reading = _Reading(stems)
    used = [False] * len(stems)
    for start, end, entries in _LEXICON.scan(stems):
        if generic_single and end - start == 1 and stems[start] in _GENERIC:
            continue
        surface = " ".join(tokens[start:end])
        for entry in entries:
            target = reading.concepts if entry.kind == "concept" else reading.segments
            if entry.kind == "concept" and entry.id in target:
                reading.repeats[entry.id] = reading.repeats.get(entry.id, 0) + 1
            _keep(target, entry.id, entry.strength, surface)
        for i in range(start, end):
            used[i] = True
    for i, s in enumerate(stems):
        if s in _HEADCOUNT:
            segment = _headcount_segment(tokens, stems, i)
            if segment:
                _keep(reading.segments, segment, 1.0, " ".join(tokens[max(0, i - 1) : i + 1]))
    if "#" in stems and (age := _young_age(tokens, stems)):
        _keep(reading.segments, "young", 1.0, age)
    if _CUTS.scan(stems) and (spent := _SPENDS.scan(stems)):
        start, end, _ = spent[0]
        _keep(reading.concepts, _COST_CUT_ID, 1.0, " ".join(tokens[start:end]))
    for i, s in enumerate(stems):
        if s in _STOP or len(s) < 2:
            continue
        reading.content.add(s)
        if not reading.words.get(s):
            reading.words[s] = "" if used[i] else tokens[i]
    return reading


# A Tagger is built per request from the same objectives and examples: reading
# them once per process keeps construction to a few milliseconds.
_cached_analyse = lru_cache(maxsize=8192)(_analyse)


@dataclass
class _Profile:
    """An objective as evidence weights."""

    key: str
    concepts: dict[str, float]
    themes: dict[str, float]
    segments: dict[str, float]
    segment_led: bool
    words: dict[str, float]  # content stem -> weight before distinctiveness
    keywords: list[tuple[tuple[str, ...], str]]
    pairs: dict[tuple[str, str], str] = field(default_factory=dict)  # adjacent content stems -> surface
    jargon: set[str] = field(default_factory=set)  # stems written like jargon: "CM2", "RevPAR", "OTD"
    names: set[str] = field(default_factory=set)  # jargon of the title or keywords: the objective's own name
    concept_values: dict[str, float] = field(default_factory=dict)

    def settle(self) -> None:
        """Precompute what each known concept is worth to this objective."""
        mine = self.themes
        for cid, themes in _CONCEPT_THEMES.items():
            overlap = 0.0
            for theme, tw in themes.items():
                # Only a theme the objective is about carries: a side theme of one of its
                # concepts would let unrelated vocabulary in.
                if mine.get(theme, 0.0) >= THEME_MIN and tw * mine[theme] > overlap:
                    overlap = tw * mine[theme]
            value = max(DIRECT * self.concepts.get(cid, 0.0), THEME * overlap)
            if value > 0 and cid != "housekeeping":  # admin words serve no objective
                self.concept_values[cid] = value


_RAW_WORD = re.compile(r"\d+\([A-Za-z]\)|[^\W_]+")
# Codes chained with hyphens ("MSP-MKE-CHI", "A-B"): places, lanes or SKUs, never a business concept.
_CODE_CHAIN = re.compile(r"\b[A-Z][A-Z0-9]{1,5}(?:-[A-Z][A-Z0-9]{1,5})+\b")


def _codes(text: str) -> set[str]:
    """Return the stems of upper-case codes chained with hyphens in `text`."""
    return {stem(part.casefold()) for chain in _CODE_CHAIN.findall(text) for part in chain.split("-")}


def _jargon(text: str, names: bool = False) -> set[str]:
    """Return the stems of words written like in-house jargon: acronyms, codes, mixed case.

    With `names`, a capitalised word inside the text counts too ("Make Marshall pay its way").
    """
    found = set()
    for n, raw in enumerate(_RAW_WORD.findall(text)):
        has_digit = any(c.isdigit() for c in raw)
        upper = sum(c.isupper() for c in raw)
        if ((has_digit and any(c.isalpha() for c in raw)) or (upper >= 2 and len(raw) <= 12)
                or (names and n and upper == 1 and raw[0].isupper() and len(raw) > 2)):
            found.add(stem(raw.casefold()))
    return found


def _pairs(reading: _Reading, into: dict[tuple[str, str], str]) -> None:
    """Collect adjacent content stems ("room nights", "debit card"): a phrase is stronger than its words."""
    stems = reading.stems
    for a, b in zip(stems, stems[1:]):
        if a in _STOP or b in _STOP or len(a) < 2 or len(b) < 2 or a in _GENERIC and b in _GENERIC:
            continue
        into.setdefault((a, b), f"{a} {b}")


def _profile(objective: Objective) -> _Profile:
    concepts: dict[str, float] = {}
    segments: dict[str, float] = {}
    words: dict[str, float] = {}
    keywords: list[tuple[tuple[str, ...], str]] = []
    pairs: dict[tuple[str, str], str] = {}
    title_concepts: set[str] = set()
    parts = [(objective.title, 1.0, True)]
    parts += [(kw, 1.0, False) for kw in objective.keywords]
    parts.append((objective.description, DESCRIPTION_WEIGHT, False))
    jargon: set[str] = set()
    names: set[str] = set()
    for text, weight, is_title in parts:
        if not text or not text.strip():
            continue
        found = _jargon(text, names=is_title)
        jargon |= found
        if weight == 1.0:  # the title and keywords name what the objective is about
            names |= found
        reading = _read(text, generic_single=True)
        _pairs(reading, pairs)
        for cid, (strength, _) in reading.concepts.items():
            concepts[cid] = max(concepts.get(cid, 0.0), weight * strength)
            if is_title:
                title_concepts.add(cid)
        for sid, (strength, _) in reading.segments.items():
            # An audience is who the objective is for, wherever its text names it.
            full = 1.0 if sid in kb.AUDIENCES else weight
            segments[sid] = max(segments.get(sid, 0.0), full * strength)
        base = WORD_TITLE if weight == 1.0 else WORD_DESCRIPTION
        for s, surface in reading.words.items():
            if s in _GENERIC:
                continue
            w = base * (0.4 if s in _COMMON else 1.0)
            if not surface:  # read inside a knowledge phrase: the concept carries most of it
                w *= IN_PHRASE
            words[s] = max(words.get(s, 0.0), w)
    for kw in objective.keywords:
        stems = tuple(stem(t) for t in tokenize(kw))
        if stems:
            keywords.append((stems, kw.strip()))
    themes = _themes(concepts)
    # Named after a segment with no work concept of its own ("Win in healthcare"):
    # any work for that segment serves it.
    # A segment said only in passing in the description ("trucks in the field") leads nothing;
    # an audience counts in full wherever it is named ("Bring the next generation in ...
    # members under 35"), so it leads: it says who the work is for, never what the company does.
    segment_led = any(w >= 0.9 for w in segments.values()) and not (title_concepts - {"housekeeping"})
    return _Profile(objective.key, concepts, themes, segments, segment_led, words, keywords, pairs,
                    jargon & words.keys(), names & words.keys())


def _forget_codes(profile: _Profile, objective: Objective, codes: frozenset[str]) -> None:
    """Drop the concepts an objective's text reads only from the workspace's codes."""
    said = set()
    for text in (objective.title, *objective.keywords, objective.description):
        for cid, (_, surface) in _read(text, generic_single=True).concepts.items():
            if not _surface_stems(surface) <= codes:
                said.add(cid)
    if profile.concepts.keys() <= said:
        return
    profile.concepts = {cid: w for cid, w in profile.concepts.items() if cid in said}
    profile.themes = _themes(profile.concepts)


def _themes(concepts: dict[str, float]) -> dict[str, float]:
    """Return how much an objective with these concepts is about each business theme."""
    themes: dict[str, float] = {}
    for cid, w in concepts.items():
        for theme, tw in _CONCEPT_THEMES[cid].items():
            themes[theme] = max(themes.get(theme, 0.0), w * tw)
    return themes


def _explain_away(profiles: Sequence[_Profile]) -> None:
    """Halve what an objective only mentions in passing when another is about it.

    "Stop programs that do not create pipeline" in a spend objective should not make
    every pipeline update serve it, when another objective is titled "Build pipeline".
    """
    for attr in ("concepts", "themes"):
        best: dict[str, float] = defaultdict(float)
        for p in profiles:
            for k, w in getattr(p, attr).items():
                best[k] = max(best[k], w)
        for p in profiles:
            weights = getattr(p, attr)
            for k, w in weights.items():
                if w < best[k] and best[k] >= 1.0:
                    weights[k] = w * 0.5


def _drop_shared_segments(profiles: Sequence[_Profile]) -> None:
    """Forget a segment most objectives name: it is the company's market, not a target.

    A payments company says "merchants" in half its objectives; that must not make
    every update about merchants serve all of them.
    """
    if len(profiles) < 3:
        return
    spread: dict[str, int] = defaultdict(int)
    for p in profiles:
        for sid in p.segments:
            spread[sid] += 1
    shared = {sid for sid, n in spread.items() if n * 2 >= len(profiles)}
    for p in profiles:
        if shared & p.segments.keys():
            p.segments = {sid: w for sid, w in p.segments.items() if sid not in shared}
            p.segment_led = p.segment_led and bool(p.segments)


# (value, kind, surface text, concept or segment id)
_Evidence = tuple[float, str, str, str]


def _explain(evidence: list[_Evidence]) -> tuple[str, ...]:
    """Name the strongest evidence, most telling first."""
    reasons: list[str] = []
    for value, kind, surface, ref in sorted(evidence, key=lambda e: -e[0]):
        if value < 0.1:
            continue
        if kind == "concept":
            reason = f"'{surface}' → {_CONCEPT_LABELS[ref]}"
        elif kind == "segment":
            reason = f"'{surface}' → {_SEGMENT_LABELS[ref]}"
        elif kind == "keyword":
            reason = f"keyword '{surface}'"
        elif kind == "example":
            reason = f"like: '{surface}'"
        elif kind == "taught":
            reason = f"word '{surface}' (from tags)"
        else:
            reason = f"word '{surface}'"
        if reason not in reasons:
            reasons.append(reason)
        if len(reasons) == MAX_WHY:
            break
    return tuple(reasons)


@lru_cache(maxsize=8192)
def _surface_stems(surface: str) -> frozenset[str]:
    return frozenset(stem(t) for t in tokenize(surface)) - _STOP


def _independent(rows: list[tuple[str, float, list[_Evidence], float]]) -> list[tuple[str, float, list[_Evidence], float]]:
    """Score each objective after the first on the evidence the better ones did not already use.

    One phrase is one piece of evidence: "cost per direct booking" serving direct bookings
    does not also make the same update serve the cost objective. A phrase stays with the
    objective it is strongest evidence for, and a person's own tags of a similar text
    (kind "example") are always the objective's own.
    """
    used: dict[str, float] = {}  # stem or concept -> the strongest value a tagged objective took from it
    out = []
    for key, score, evidence, cut in rows:
        if used and score >= cut:
            kept = 1.0
            for value, kind, surface, ref in evidence:
                if kind == "example":
                    continue
                taken = max((used.get(s, 0.0) for s in (ref, *_surface_stems(surface)) if s), default=0.0)
                if taken >= value:
                    kept *= 1.0 - min(value, 0.99)
            score = max(0.0, 1.0 - (1.0 - score) / kept)
        if score >= cut:
            for value, kind, surface, ref in evidence:
                if kind != "example" and value >= 0.1:
                    for s in (ref, *_surface_stems(surface)):
                        if s and used.get(s, 0.0) < value:
                            used[s] = value
        out.append((key, score, evidence, cut))
    out.sort(key=lambda row: (-row[1], row[0]))
    return out


def _short(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Memory:
    """Labelled past texts, found again by weighted overlap of what they mention."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.at: dict[str, list[int]] = defaultdict(list)  # text -> its indices
        self.labels: list[frozenset[str]] = []
        # objective index -> how far the tagger fell short (> 0) or overshot (< 0) on the text
        self.misses: list[dict[int, float]] = []
        self.features: list[frozenset[str]] = []
        self.index: dict[str, list[int]] = defaultdict(list)
        self.df: dict[str, int] = defaultdict(int)
        self._norms: list[float] = []  # vector lengths of the texts compared (0: not yet), valid until the next add
        self._w2: dict[str, float] = {}  # squared feature weights, valid until the next add

    @staticmethod
    def features_of(reading: _Reading) -> frozenset[str]:
        feats = {"c:" + c for c in reading.concepts} | {"s:" + s for s in reading.segments}
        return frozenset(feats | reading.content)

    def add(self, text: str, labels: Iterable[str], reading: _Reading,
            misses: dict[int, float] | None = None) -> None:
        feats = self.features_of(reading)
        if not feats:
            return
        idx = len(self.texts)
        self.at[text].append(idx)
        self.texts.append(text)
        self.labels.append(frozenset(labels))
        self.misses.append(misses or {})
        self.features.append(feats)
        for f in feats:
            self.index[f].append(idx)
            self.df[f] += 1
        self._norms = [0.0] * len(self.texts)
        self._w2 = {}

    def weight2(self, feature: str) -> float:
        """Return the squared weight of `feature` in the likeness of two texts."""
        w2 = self._w2.get(feature)
        if w2 is None:
            df = self.df.get(feature, 0)
            # A word no example has says nothing about labels: plain weight, not the rarest.
            w2 = (1.0 + math.log((len(self.texts) + 1) / (df + 1))) ** 2 if df else 1.0
            if feature[1] == ":":
                # Concepts and segments already drive the knowledge score; here the
                # example's own words should decide what "similar" means.
                w2 *= CONCEPT_FEATURE ** 2
            self._w2[feature] = w2
        return w2

    def relabel(self, text: str, labels: Iterable[str]) -> None:
        """Give the copies of `text` these labels."""
        for idx in self.at.get(text, ()):
            self.labels[idx] = frozenset(labels)

    def neighbours(self, reading: _Reading) -> list[tuple[float, int]]:
        """Return (similarity, example index) of the closest examples, best first.

        The examples compared are those saying a feature of the text, at most the SCAN_MAX
        latest per feature.
        """
        if not self.texts:
            return []
        query = self.features_of(reading)
        weights = {f: self.weight2(f) for f in query}
        offered = []  # (feature, weight, the examples it offers, all saying it if it offers not all)
        compared: set[int] = set()
        for f, w2 in weights.items():
            postings = self.index.get(f, ())
            if len(postings) > SCAN_MAX:
                # However many examples share a common word, a search reads a bounded number.
                offered.append((f, w2, postings[-SCAN_MAX:], postings))
                compared.update(postings[-SCAN_MAX:])
            else:
                offered.append((f, w2, postings, None))
                compared.update(postings)
        # Found through some of a common word's examples, an example is still scored on every feature it
        # shares (those older than the ones a capped feature offered are checked for it), in the query's order.
        features = self.features
        overlap: dict[int, float] = defaultdict(float)
        for f, w2, postings, every in offered:
            for idx in postings:
                overlap[idx] += w2
            if every is not None:
                older = len(every) - SCAN_MAX
                if older <= len(compared):  # the shorter way to the same sums
                    for at in range(older):
                        if every[at] in compared:
                            overlap[every[at]] += w2
                else:
                    first = postings[0]
                    for idx in compared:
                        if idx < first and f in features[idx]:
                            overlap[idx] += w2
        qnorm = math.sqrt(sum(weights.values()))
        if not overlap or qnorm == 0:
            return []
        norms = self._norms
        sims = [(dot / (qnorm * (norms[idx] or self._norm(idx))), idx) for idx, dot in overlap.items()]
        sims = [s for s in sims if s[0] >= NN_MIN_SIM]
        sims.sort(reverse=True)
        return sims[:NN_K]

    def _norm(self, idx: int) -> float:
        norm = self._norms[idx] = math.sqrt(sum(map(self.weight2, self.features[idx])))
        return norm


class Tagger:
    """Tag texts with the objectives they serve, from knowledge plus learned examples.

    `corpus`: texts of the workspace (the updates to tag, say); with the objectives
    they tell which words are distinctive here and which every text says, and they
    set how sure to be. Without `calibrate`, the caller sets where to ask over all
    its verdicts (`alignbot tag`): the tagger reads no sample of the corpus for it,
    neither once built nor again after each correction.
    """

    def __init__(self, objectives: Sequence[Objective], examples: Sequence[Example] = (),
                 corpus: Iterable[str] = (), calibrate: bool = True) -> None:
        self._profiles = [_profile(o) for o in objectives]
        # A code the objectives chain with others ("MSP-MKE") is this workspace's own: the
        # knowledge's reading of the same letters ("MSP" the channel partner) does not apply.
        self._codes = frozenset().union(*(_codes(f"{o.title} {o.description}") for o in objectives))
        if self._codes:
            for p, o in zip(self._profiles, objectives):
                _forget_codes(p, o, self._codes)
        _explain_away(self._profiles)
        _drop_shared_segments(self._profiles)
        for p in self._profiles:
            p.settle()
        self._keys = {p.key for p in self._profiles}
        taught = [*examples, *(Example(text, (o.key,)) for o in objectives for text in o.examples)]
        corpus = [text for text in corpus if text and text.strip()]
        self._distinct = _distinctiveness(self._profiles, [*corpus, *(e.text for e in taught)])
        self._index_profiles()
        self._sure = SURE_MARGIN
        self._memory = _Memory()
        self._echo = _Memory()  # the workspace's own texts the tagger is sure of
        self._index_of = {p.key: i for i, p in enumerate(self._profiles)}
        # Features of labelled texts: stem -> {objective index: how far the tagger fell short
        # of that objective on the texts saying it, less how far it overshot}, and those texts.
        self._taught: dict[str, dict[int, float]] = {}
        self._taught_total: dict[str, float] = {}
        self._corpus = corpus if len(corpus) >= CALIBRATE_MIN else []
        if self._corpus:
            # The echo is the knowledge's own reading of the week; people's tags then
            # correct it as they correct any guess, wherever they were given.
            self._echo_sure(corpus)
            self._damp_by_echo()
        for example in taught:
            self.learn(example)
        if not calibrate:
            self._corpus = []
        if self._corpus:
            self._calibrate(corpus)  # with the echo (and any tags) the verdicts moved: where to ask did too
        # Set when a later correction moves the verdicts (a tagger taught as it goes); the app
        # builds a new tagger instead, so a shared tagger is never recalibrated under a reader.
        self._recalibrate = False

    def _index_profiles(self) -> None:
        """Invert the profiles: each text feature finds the few objectives it is evidence for."""
        concepts: dict[str, list[tuple[int, float]]] = defaultdict(list)
        words: dict[str, list[tuple[int, float, bool]]] = defaultdict(list)
        pairs: dict[tuple[str, str], list[tuple[int, float, str]]] = defaultdict(list)
        keywords: dict[str, list[tuple[int, tuple[str, ...], str]]] = defaultdict(list)
        distinct = self._distinct
        owners: dict[str, int] = defaultdict(int)
        for p in self._profiles:
            for s in p.words:
                owners[s] += 1
        for i, p in enumerate(self._profiles):
            for cid, value in p.concept_values.items():
                concepts[cid].append((i, value))
            for s, w in p.words.items():
                own = s in p.names and owners[s] == 1
                # An objective's own name or code ("Marshall", "CM2") is said often precisely
                # because the work is about it: frequent, yet no less telling. Codes in a
                # description ("MSP-MKE lanes") are often places every update names.
                d = 1.0 if own else distinct.get(s, 1.0)
                if s in p.jargon:
                    w = max(w, JARGON)
                if s in self._codes:
                    w *= CODE_SHARE
                words[s].append((i, w * (DISTINCT_FLOOR + (1.0 - DISTINCT_FLOOR) * d), own))
            for pair, surface in p.pairs.items():
                d = min(distinct.get(pair[0], 1.0), distinct.get(pair[1], 1.0))
                pairs[pair].append((i, PAIR * (DISTINCT_FLOOR + (1.0 - DISTINCT_FLOOR) * d) ** 0.5, surface))
            for stems, original in p.keywords:
                keywords[stems[0]].append((i, stems, original))
        self._concept_index = dict(concepts)
        self._word_index = dict(words)
        self._pair_index = dict(pairs)
        self._keyword_index = dict(keywords)
        self._segmented = [i for i, p in enumerate(self._profiles) if p.segments]
        # Named in the title ("Win healthcare"), a segment is a condition; named in passing
        # in a description ("Store #6 keeps losing ..."), it is only a hint.
        self._segment_bound = {i for i in self._segmented if max(self._profiles[i].segments.values()) >= 0.9}

    def learn(self, example: Example) -> None:
        """Remember a person's tags for a text; () means it serves no objective."""
        if not example.text or not example.text.strip():
            return
        labels = [k for k in example.objectives if k in self._keys]
        if len(labels) != len(example.objectives) and not labels:
            return  # tags for objectives this workspace no longer has teach nothing
        reading = _read(example.text)
        # What a tag teaches is what the tagger got wrong: a tag it would have given anyway
        # says nothing new, and letting it count again makes its words weigh twice.
        wanted = {self._index_of[k] for k in labels}
        guessed = self._guess(reading, example.text)
        misses = {}
        for i in wanted | guessed.keys():
            sure, reach = guessed.get(i, (0.0, 0.0))
            # A tag people gave falls short by what the tagger lacked to be sure of it; one
            # they did not give, by how near the tagger came to giving it: evidence people
            # rejected is wrong, whether or not it was enough for a tag.
            miss = 1.0 - sure if i in wanted else -reach
            if miss:
                misses[i] = miss
        self._memory.add(example.text, labels, reading, misses)
        self._echo.relabel(example.text, labels)  # a person's word replaces the tagger's guess
        self._teach(reading, misses, wanted)
        self._recalibrate = bool(self._corpus)

    def _guess(self, reading: _Reading, text: str) -> dict[int, tuple[float, float]]:
        """Return {objective index: (sure, reach)} for `text` from the knowledge and the echo alone.

        `sure` (0 to 1) is how surely the tagger tags it: half at the cut-off, whole
        MISSED_WIDTH above it. `reach` (0 to 1) is how near its score comes to the cut-off.
        """
        rows = self._rows(reading, text, learned=False)
        return {self._index_of[key]: (max(0.0, min(1.0, 0.5 + (score - cut) / (2 * MISSED_WIDTH))),
                                      min(1.0, score / cut))
                for key, score, _, cut in rows if score > 0}

    def _teach(self, reading: _Reading, misses: dict[int, float], wanted: set[int]) -> None:
        """Tie the features of a labelled text to what the tagger missed on it.

        A word the knowledge and the objectives do not know ("Spark", a customer's name)
        counted for nothing in the tagger's guess, so it cannot count twice: it is tied
        to every objective people gave.
        """
        for s in _taught_features(reading):
            self._taught_total[s] = self._taught_total.get(s, 0.0) + 1.0
            own = misses
            if wanted and reading.words.get(s) and s not in self._word_index:
                own = {**misses, **dict.fromkeys(wanted, 1.0)}
            if own:
                counts = self._taught.setdefault(s, {})
                for i, miss in own.items():
                    counts[i] = counts.get(i, 0.0) + miss

    def tag(self, text: str) -> list[Match]:
        """Return the objectives `text` serves, best first; [] when it serves none."""
        return list(self.judge(text).matches)

    def judge(self, text: str) -> Verdict:
        """Return the tags of `text`, whether the tagger is sure of them, and the objectives worth asking about."""
        if self._recalibrate:
            # Learning moved the verdicts: set again where to ask, before the next verdict
            # rather than after every tag, so a run of corrections pays for it once.
            self._recalibrate = False
            self._calibrate(self._corpus)
        matches, candidates, margin = self._weigh(text)
        return Verdict(matches, margin >= self._sure, candidates, margin)

    def _weigh(self, text: str, asking: bool = True) -> tuple[tuple[Match, ...], tuple[Match, ...], float]:
        """Return the tags of `text`, the objectives worth asking about, and how far the tags are from flipping.

        With `asking`, the margin also counts what makes a verdict worth a question
        beyond its scores: a long text left untagged, several tags.
        """
        if not text or not text.strip() or not self._profiles:
            return (), (), 1.0
        reading = _read(text)
        rows = self._rows(reading, text)
        matches = [Match(key, round(min(1.0, score), 2), _explain(evidence))
                   for key, score, evidence, cut in rows if score >= cut]
        tagged = {m.key for m in matches}
        # The margin: how much the score closest to its cut-off would have to move to flip a tag.
        margin = min((abs(score - cut) for _, score, _, cut in rows), default=1.0)
        if len(matches) > 1:
            margin *= SEVERAL_ASK if asking else SEVERAL_DOUBT
        elif asking and not matches and len(reading.stems) > UNPLACED_WORDS:
            margin *= (UNPLACED_WORDS / len(reading.stems)) ** UNPLACED_POWER
        misses = [Match(key, round(min(1.0, score), 2), _explain(evidence))
                  for key, score, evidence, _ in rows[:len(matches) + CANDIDATES]
                  if key not in tagged and score >= CANDIDATE_MIN]
        candidates = [*matches, *misses][:max(CANDIDATES, len(matches))]
        return tuple(matches), tuple(candidates), margin

    def _rows(self, reading: _Reading, text: str,
              learned: bool = True) -> list[tuple[str, float, list[_Evidence], float]]:
        """Return (objective key, score, evidence, cut-off) for the objectives with evidence, best first.

        Without `learned`, from the knowledge and the echo alone: what the tagger made
        of a text before people tagged any.
        """
        scored = self._score(reading, taught=learned)
        admin = reading.concepts.get("housekeeping")
        if admin and admin[0] >= 1.0:
            # Plain internal admin explains a text away: "updated the compliance calendar"
            # is paperwork, not the compliance objective's work.
            for row in scored.values():
                row[0] *= 1.0 - ADMIN_DAMP
        if learned:
            self._correct(reading, scored)
        if self._echo.texts:
            self._recall_echo(reading, scored, text)
        # Who the work is for and what it does are separate questions: a segment
        # objective competes only with other segment objectives for the text.
        top = {False: 0.0, True: 0.0}
        profiles = self._profiles
        for i, (score, _) in scored.items():
            led = profiles[i].segment_led
            top[led] = max(top[led], score)
        rows = sorted(((profiles[i].key, score, evidence, max(THRESHOLD, RELATIVE * top[profiles[i].segment_led]))
                       for i, (score, evidence) in scored.items()), key=lambda row: (-row[1], row[0]))
        return _independent(rows)

    def _echo_sure(self, texts: Sequence[str]) -> None:
        """Remember the workspace's texts the tagger is sure of, as its own weak examples.

        Teams name the same customers, sites and products week after week: an update
        about "Prairie Cement" the knowledge cannot place is likely about what the
        sure updates naming it serve: they become weak examples for the others.
        """
        verdicts = [(text, self._weigh(text, asking=False)) for text in dict.fromkeys(texts)]  # all before any is added
        sure = sure_margin(sorted(margin for _, (_, _, margin) in verdicts), ECHO_SHARE)
        for text, (matches, _, margin) in verdicts:
            if matches and margin >= sure:
                self._echo.add(text, [m.key for m in matches], _read(text))

    def _damp_by_echo(self) -> None:
        """Let an objective's word count less where the week's sure texts saying it serve other objectives.

        "Linehaul" in the descriptions of two objectives, or "parts" in a service objective
        and an uptime one, is evidence for whichever the teams' sure updates tie it to. An
        objective's own name or code keeps its weight.
        """
        echo = self._echo
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        totals: dict[str, int] = defaultdict(int)
        for feats, labels in zip(echo.features, echo.labels):
            for f in feats:
                if f in self._word_index:
                    totals[f] += 1
                    for key in labels:
                        counts[f][key] = counts[f].get(key, 0) + 1
        even = ECHO_PRIOR / len(self._profiles)
        for f, n in totals.items():
            if n < ECHO_DAMP_MIN:
                continue
            postings = []
            for i, w, own in self._word_index[f]:
                if not own:
                    share = (counts[f].get(self._profiles[i].key, 0) + even) / (n + ECHO_PRIOR)
                    # Full weight where at least half the sure texts saying it serve the objective.
                    w *= max(ECHO_DAMP_FLOOR, min(1.0, 2 * share))
                postings.append((i, w, own))
            self._word_index[f] = postings

    def _calibrate(self, texts: Sequence[str]) -> None:
        """Be unsure of about a fixed share of the workspace's texts: the ones closest to flipping.

        Texts people tagged are left out: nobody is asked about them again, and the
        tagger, having learned them, is sure of them, which would push the share up.
        """
        texts = [text for text in texts if text not in self._memory.at]
        if len(texts) < CALIBRATE_MIN:
            return  # a handful of texts would set the margin by one of them: keep the default
        # A sample of a few hundred places the cut-off well enough, give or take a few percent.
        step = -(-len(texts) // CALIBRATE_MAX)
        self._sure = sure_margin(sorted(self._weigh(text)[2] for text in texts[::step]))

    def _score(self, reading: _Reading, taught: bool = True) -> dict[int, list]:
        """Return {objective index: [score, evidence]} for the objectives with any evidence.

        With `taught` False, the words of labelled texts add nothing.
        """
        # Explanations stay unformatted here: most objectives do not match most texts.
        miss: dict[int, float] = defaultdict(lambda: 1.0)
        evidence: dict[int, list[_Evidence]] = defaultdict(list)
        for cid, (strength, surface) in reading.concepts.items():
            postings = self._concept_index.get(cid)
            if not postings or self._codes and _surface_stems(surface) <= self._codes:
                continue
            # Saying it again in other words ("QBR", "usage", "health review") adds a little.
            repeats = min(reading.repeats.get(cid, 0), 2)
            for i, value in postings:
                value *= strength
                miss[i] *= (1.0 - value) * (1.0 - value * REPEAT) ** repeats
                evidence[i].append((value, "concept", surface, cid))
        stems = reading.stems
        kw_stems: dict[int, set[str]] = defaultdict(set)
        seen_kw: set[tuple[int, str]] = set()
        for at, s in enumerate(stems):
            for i, kw, original in self._keyword_index.get(s, ()):
                if (i, original) not in seen_kw and tuple(stems[at:at + len(kw)]) == kw:
                    seen_kw.add((i, original))
                    miss[i] *= 1.0 - KEYWORD
                    evidence[i].append((KEYWORD, "keyword", original, ""))
                    kw_stems[i].update(kw)
        for s, surface in reading.words.items():
            for i, w, own in self._word_index.get(s, ()):
                if s in kw_stems.get(i, ()):
                    continue
                # Half weight for words already read as part of a concept phrase.
                w = w if surface or own else w * 0.5
                miss[i] *= 1.0 - w
                evidence[i].append((w, "word", surface or s, ""))
        if taught and self._taught:
            distinct = self._distinct
            for s, surface in _taught_features(reading).items():
                counts = self._taught.get(s)
                if not counts:
                    continue
                total = self._taught_total[s]
                # A word no text of the workspace said before (taught after the tagger was built)
                # is as rare as can be.
                d = TAUGHT_CONCEPT if s.startswith("c:") else distinct.get(s, 1.0)
                for i, missed in counts.items():
                    # How far the tagger fell short of this objective on the texts saying it.
                    # Only a shortfall teaches: a false tag's words are as often right the
                    # next time, so damping them cost as many tags as it saved on the dev sets.
                    if missed <= 0:
                        continue
                    w = TAUGHT * missed / (total + TAUGHT_PRIOR) * (DISTINCT_FLOOR + (1.0 - DISTINCT_FLOOR) * d)
                    if w > 0.05:
                        miss[i] *= 1.0 - w
                        evidence[i].append((w, "taught", surface or s, ""))
        if self._pair_index:
            seen_pairs: set[tuple[str, str]] = set()
            for pair in zip(stems, stems[1:]):
                if pair in seen_pairs:
                    continue
                seen_pairs.add(pair)
                for i, w, surface in self._pair_index.get(pair, ()):
                    miss[i] *= 1.0 - w
                    evidence[i].append((w, "word", surface, ""))
        scored = {i: [1.0 - m, evidence[i]] for i, m in miss.items()}
        for i in self._segmented:
            profile = self._profiles[i]
            best, hit = 0.0, ("", "")
            for sid, (strength, surface) in reading.segments.items():
                for target in (sid, *kb.SEGMENT_PARENTS.get(sid, ())):
                    weight = profile.segments.get(target, 0.0)
                    # Only the segment an objective is named after leads; one its description
                    # says in passing (a credit union's own "credit union") stays a hint.
                    led = profile.segment_led and weight >= 0.9
                    w = (SEGMENT_LED if led else SEGMENT_PART) * weight * strength
                    if w > best:
                        best, hit = w, (surface, target)
            row = scored.get(i)
            if best > 0:
                value = best
                if row is None:
                    row = scored[i] = [0.0, []]
                row[1].append((value, "segment", *hit))
                row[0] = 1.0 - (1.0 - row[0]) * (1.0 - value)
            elif row is not None and i in self._segment_bound:
                row[0] *= UNSEGMENTED
        return scored

    def _recall_echo(self, reading: _Reading, scored: dict[int, list], text: str) -> None:
        """Let the week's similar sure texts raise their objectives and lower the rest.

        Each counts ECHO of a person's tag; the echo of `text` itself is no evidence for it.
        """
        memory = self._echo
        near = [(sim, idx) for sim, idx in memory.neighbours(reading) if memory.texts[idx] != text]
        if not near:
            return
        labels = memory.labels
        index = {p.key: i for i, p in enumerate(self._profiles)}
        wanted = set(scored)
        for _, idx in near:
            wanted.update(index[k] for k in labels[idx] if k in index)
        for i in wanted:
            key = self._profiles[i].key
            row = scored.get(i) or [0.0, []]
            pos = neg = 0.0
            pos_idx = -1
            for sim, idx in near:  # best first, so the first hit is the closest
                if key in labels[idx]:
                    if sim > pos:
                        pos, pos_idx = sim, idx
                elif sim > neg:
                    neg = sim
            if pos >= neg and pos > 0:
                lift = ECHO * NN_MAX * min(1.0, (pos - NN_MIN_SIM) / (NN_FULL_SIM - NN_MIN_SIM))
                if lift > 0:
                    row[0] = 1.0 - (1.0 - row[0]) * (1.0 - lift)
                    row[1].append((lift, "example", _short(memory.texts[pos_idx]), ""))
            elif neg > NN_NEG_START:
                drop = ECHO * NN_MAX * min(1.0, (neg - NN_NEG_START) / (NN_FULL_SIM - NN_NEG_START))
                row[0] *= 1.0 - drop
            if row[0] > 0:
                scored[i] = row

    def _correct(self, reading: _Reading, scored: dict[int, list]) -> None:
        """Correct a text as people corrected the tagger on similar labelled texts.

        Where the tagger fell short of an objective on a similar text, raise it; where it
        came near one people did not give, lower it. Where it was right, the example says
        nothing more, unless the likeness lies in words the tagger cannot read. A similar
        text tagged with another objective does not weaken this one's evidence for the first.
        """
        memory = self._memory
        near = memory.neighbours(reading)
        if not near:
            return
        raise_by: dict[int, tuple[float, int]] = {}
        lower_by: dict[int, float] = {}
        query = memory.features_of(reading)
        for sim, idx in near:
            up = NN_MAX * min(1.0, (sim - NN_MIN_SIM) / (NN_FULL_SIM - NN_MIN_SIM))
            down = NN_MAX * min(1.0, max(0.0, (sim - NN_NEG_START) / (NN_FULL_SIM - NN_NEG_START)))
            misses = memory.misses[idx]
            # What the two texts share in words the tagger cannot read ("Spark sessions") it could not
            # have got right from the knowledge: that much of the likeness carries people's tags as given.
            shared = query & memory.features[idx]
            in_house = sum(memory.weight2(f) for f in shared if reading.words.get(f) and f not in self._word_index)
            if in_house:
                share = in_house / sum(memory.weight2(f) for f in shared)
                misses = {**misses, **{i: max(misses.get(i, 0.0), share) for i in
                                       (self._index_of[k] for k in memory.labels[idx])}}
            for i, miss in misses.items():
                if miss > 0 and up * miss > raise_by.get(i, (0.0, -1))[0]:
                    raise_by[i] = (up * miss, idx)
                elif miss < 0 and down > 0:
                    lower_by[i] = max(lower_by.get(i, 0.0), -down * miss)
        for i, (lift, idx) in raise_by.items():
            row = scored.get(i) or [0.0, []]
            row[0] = 1.0 - (1.0 - row[0]) * (1.0 - lift)
            row[1].append((lift + 1.0, "example", _short(memory.texts[idx]), ""))  # a person's call ranks first
            scored[i] = row
        for i, drop in lower_by.items():
            if i in scored:
                scored[i][0] *= 1.0 - drop


def sure_margin(margins: Sequence[float], share: float = ASK_SHARE) -> float:
    """Return the margin under which no more than `share` of these sorted margins fall: below it, ask."""
    return min(SURE_MAX, margins[int(len(margins) * share)])


def _taught_features(reading: _Reading) -> dict[str, str]:
    """Return what a labelled text teaches: its content words and its concepts, with their surface."""
    features = {s: surface for s, surface in reading.words.items() if not _ROUTINE.issuperset(s.split())}
    for cid, (_, surface) in reading.concepts.items():
        features["c:" + cid] = surface
    return features


def _distinctiveness(profiles: Sequence[_Profile], texts: Iterable[str]) -> dict[str, float]:
    """Return how distinctive each objective word is, 0 (every text says it) to 1 (one text does).

    An inverse document frequency over the objectives and the workspace's texts:
    "CM2" counts fully where one objective names it, "cost" little where every update says it.
    """
    df: dict[str, int] = defaultdict(int)
    n = 0
    for p in profiles:
        n += 1
        for s in p.words:
            df[s] += 1
    for text in texts:
        if not text:
            continue
        n += 1
        for s in _read(text).content:
            df[s] += 1
    if n < 2:
        return {}
    # A word only one text says is fully distinctive, however few texts there are.
    top = -math.log(min(COMMON_SHARE, 1 / n))
    return {s: max(0.0, min(1.0, -math.log(d / n) / top)) for s, d in df.items()}
