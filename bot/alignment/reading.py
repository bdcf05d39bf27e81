"""How the default tagger reads a text: stems, the business knowledge it names, jargon and codes."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.alignment import knowledge as kb
from bot.alignment.weights import WEAK

_TOKEN = re.compile(r"\d+\([a-z]\)|[^\W_]+(?:[.,]\d+)*")
# Amounts, counts, percentages and durations ("6", "2,000", "$80k", "9h"), not "3pl" or "k12".
_NUMBER = re.compile(r"\d[\d.,]*(?:k|m|bn|b|h|hrs|x|st|nd|rd|th|s)?")
_STEM_EXCEPTIONS = {
    "marketing": "marketing",
    "news": "news",
    "sales": "sale",
    "sale": "sale",
    "bookings": "bookings",
    # "care" is not "car": care plans and health care are not auto loans
    "care": "care",
    "cares": "care",
    "cared": "care",
    "caring": "care",
}


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


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
            return " ".join(tokens[i - 1 : i + 1])
        # A range: "aged 18 to 29", "18-34 year olds".
        j = i + 2 if after == "to" else i + 1
        if j < len(stems) and stems[j] == "#" and (before in _AGE or j + 1 < len(stems) and stems[j + 1] in _AGE):
            return " ".join(tokens[i : j + 1])
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


# A Tagger is rebuilt from the same objectives, examples and recent texts: reading each once per
# process makes the rebuild after a correction 1.5x faster and `alignbot tag` 1.1-1.2x.
_cached_analyse = lru_cache(maxsize=8192)(_analyse)


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
        if (
            (has_digit and any(c.isalpha() for c in raw))
            or (upper >= 2 and len(raw) <= 12)
            or (names and n and upper == 1 and raw[0].isupper() and len(raw) > 2)
        ):
            found.add(stem(raw.casefold()))
    return found


def _pairs(reading: _Reading, into: dict[tuple[str, str], str]) -> None:
    """Collect adjacent content stems ("room nights", "debit card"): a phrase is stronger than its words."""
    stems = reading.stems
    for a, b in zip(stems, stems[1:]):
        if a in _STOP or b in _STOP or len(a) < 2 or len(b) < 2 or a in _GENERIC and b in _GENERIC:
            continue
        into.setdefault((a, b), f"{a} {b}")
