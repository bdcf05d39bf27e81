"""What learning from K corrections adds, over many random choices of the K.

    python benchmarks/learning_draws.py [--draws 30] [--reveal 10 20 30 40] [DIR]

`score.py tag --reveal K` teaches each development company's first K labels and scores the
rest: one draw, whose figure moves with which updates happen to come first. This teaches K
labels drawn at random (`--draws` times per company, the same draws for every run) and
prints the mean micro-F1 on the rest, and what learning added over the same updates untaught,
per company and over the companies. A company with no more than K updates is left out.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tag_eval import load_updates, micro_f1  # noqa: E402

from bot.alignment.model import Example  # noqa: E402
from bot.alignment.tagger import Tagger  # noqa: E402
from bot.orgfile import read_org  # noqa: E402


def draws(folder: Path, reveal: int, count: int) -> None:
    """Print the mean micro-F1 after teaching `reveal` random labels, and the gain over cold."""
    gains, scores = [], []
    for org_path in sorted(folder.glob("dev*_org.yaml")):
        name = org_path.name.removesuffix("_org.yaml")
        rows = load_updates(folder / f"{name}_updates.jsonl")
        if len(rows) <= reveal:
            continue
        org = read_org(org_path)
        texts = [r["text"] for r in rows]
        cold_tagger = Tagger(org.objectives, corpus=texts)  # as `alignbot tag` builds it
        cold = [{m.key for m in cold_tagger.tag(text)} for text in texts]
        rnd = random.Random(f"{name}/{reveal}")
        company_gains, company_scores = [], []
        for _ in range(count):
            taught = set(rnd.sample(range(len(rows)), reveal))
            tagger = Tagger(org.objectives, corpus=texts)
            for i in sorted(taught):
                tagger.learn(Example(rows[i]["text"], tuple(rows[i]["labels"])))
            rest = [i for i in range(len(rows)) if i not in taught]
            learned = micro_f1([(set(rows[i]["labels"]), {m.key for m in tagger.tag(texts[i])}) for i in rest])
            company_scores.append(learned)
            company_gains.append(learned - micro_f1([(set(rows[i]["labels"]), cold[i]) for i in rest]))
        gains.append(sum(company_gains) / count)
        scores.append(sum(company_scores) / count)
        print(f"K={reveal:<3} {name:<6} micro-F1 {scores[-1]:.3f}  learning adds {gains[-1]:+.3f}")
    if gains:
        print(
            f"K={reveal:<3} mean   micro-F1 {sum(scores) / len(scores):.3f}  learning adds "
            f"{sum(gains) / len(gains):+.3f}  ({len(gains)} companies, {count} draws each)"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "eval"), metavar="DIR")
    ap.add_argument("--draws", type=int, default=30)
    ap.add_argument("--reveal", type=int, nargs="+", default=[10, 20, 30, 40], metavar="K")
    opts = ap.parse_args(argv)
    for k in opts.reveal:
        draws(Path(opts.folder), k, max(1, opts.draws))
    return 0


if __name__ == "__main__":
    sys.exit(main())
