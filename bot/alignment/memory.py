"""The default tagger's labelled past texts, found again by what they mention."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.alignment.reading import _ROUTINE, _Reading
from bot.alignment.weights import CONCEPT_FEATURE, NN_K, NN_MIN_SIM, SCAN_MAX


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

    def add(self, text: str, labels: Iterable[str], reading: _Reading, misses: dict[int, float] | None = None) -> None:
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
                w2 *= CONCEPT_FEATURE**2
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
        # (feature, weight, the examples it offers, all saying it if it offers not all)
        offered: list[tuple[str, float, Sequence[int], Sequence[int] | None]] = []
        compared: set[int] = set()
        for f, w2 in weights.items():
            postings: Sequence[int] = self.index.get(f, ())
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


def _taught_features(reading: _Reading) -> dict[str, str]:
    """Return what a labelled text teaches: its content words and its concepts, with their surface."""
    features = {s: surface for s, surface in reading.words.items() if not _ROUTINE.issuperset(s.split())}
    for cid, (_, surface) in reading.concepts.items():
        features["c:" + cid] = surface
    return features
