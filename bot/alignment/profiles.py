"""Objectives as evidence weights, and how evidence of a text adds up for the default tagger."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.alignment import knowledge as kb
from bot.alignment.model import Objective
from bot.alignment.reading import (
    _COMMON,
    _CONCEPT_LABELS,
    _CONCEPT_THEMES,
    _GENERIC,
    _SEGMENT_LABELS,
    _STOP,
    _jargon,
    _pairs,
    _read,
    stem,
    tokenize,
)
from bot.alignment.weights import (
    COMMON_SHARE,
    DESCRIPTION_WEIGHT,
    DIRECT,
    IN_PHRASE,
    MAX_WHY,
    THEME,
    THEME_MIN,
    WORD_DESCRIPTION,
    WORD_TITLE,
)


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
    return _Profile(
        objective.key,
        concepts,
        themes,
        segments,
        segment_led,
        words,
        keywords,
        pairs,
        jargon & words.keys(),
        names & words.keys(),
    )


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
        elif kind == "goal":
            reason = f"goal '{surface}'"
        else:
            reason = f"word '{surface}'"
        if reason not in reasons:
            reasons.append(reason)
        if len(reasons) == MAX_WHY:
            break
    return tuple(reasons)


def _surface_stems(surface: str) -> frozenset[str]:
    return frozenset(stem(t) for t in tokenize(surface)) - _STOP


def _independent(
    rows: list[tuple[str, float, list[_Evidence], float]],
) -> list[tuple[str, float, list[_Evidence], float]]:
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
                if kind in ("example", "goal"):
                    continue
                taken = max((used.get(s, 0.0) for s in (ref, *_surface_stems(surface)) if s), default=0.0)
                if taken >= value:
                    kept *= 1.0 - min(value, 0.99)
            score = max(0.0, 1.0 - (1.0 - score) / kept)
        if score >= cut:
            for value, kind, surface, ref in evidence:
                if kind not in ("example", "goal") and value >= 0.1:
                    for s in (ref, *_surface_stems(surface)):
                        if s and used.get(s, 0.0) < value:
                            used[s] = value
        out.append((key, score, evidence, cut))
    out.sort(key=lambda row: (-row[1], row[0]))
    return out


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
