"""Score the default tagger directly on an org file and labelled updates (dev-time tool).

    python benchmarks/tag_eval.py [--org ORG.yaml] [--updates UPDATES.jsonl] [-v]
    python benchmarks/tag_eval.py --heldout        # the made-up companies in the tests
    python benchmarks/tag_eval.py --companies [DIR] [--reveal 20]
        # every dev*_org.yaml in DIR (default ../shared/eval) through `alignbot tag`'s own
        # code: cold micro-F1, unaligned caught, the share it would ask about and the
        # micro-F1 once those are answered, and with --reveal K the first K labels taught
    python benchmarks/tag_eval.py --companies --reveal 20 --changes
        # the updates after the first 20 that learning from those 20 fixes, breaks or changes
    python benchmarks/tag_eval.py --companies --ask-ceiling
        # the assisted micro-F1 against asking the same number of updates perfectly
    python benchmarks/tag_eval.py --companies --curve
        # the learning curve on fixed updates: micro-F1 on each company's updates after
        # the first 40, with 0, 10, 20 and 40 of those first labels taught

Prints precision, recall, micro-F1, unaligned updates caught and every miss with the
tagger's explanation, so the tagger can be tuned without the CLI.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.alignment.model import Objective  # noqa: E402
from bot.alignment.tagger import Tagger  # noqa: E402


def load_objectives(path: str | Path) -> list[Objective]:
    """Read the objectives of an org YAML file (benchmarks only; the app has its own reader)."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [
        Objective(
            key=str(o["key"]),
            title=str(o.get("title", o["key"])),
            description=str(o.get("description") or ""),
            keywords=tuple(str(k) for k in o.get("keywords") or ()),
        )
        for o in data.get("objectives") or ()
    ]


def micro_f1(pairs: Sequence[tuple[set[str], set[str]]]) -> float:
    """Return micro-F1 of (gold, predicted) label sets."""
    tp = sum(len(g & p) for g, p in pairs)
    fp = sum(len(p - g) for g, p in pairs)
    fn = sum(len(g - p) for g, p in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp else (1.0 if not fp + fn else 0.0)


def load_updates(path: str | Path) -> list[dict]:
    """Read labelled update lines; the label field is `labels` or `objectives`."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            row["labels"] = list(row.get("labels", row.get("objectives")) or [])
            rows.append(row)
    return rows


def evaluate(objectives: Sequence[Objective], updates: Sequence[dict], verbose: bool = True, title: str = "") -> float:
    """Print the scores of a cold-start tagger on `updates`; return micro-F1."""
    tagger = Tagger(objectives)
    tp = fp = fn = un_ok = un_n = 0
    misses = []
    for u in updates:
        matches = tagger.tag(u["text"])
        gold, pred = set(u["labels"]), {m.key for m in matches}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        if not gold:
            un_n += 1
            un_ok += not pred
        if gold != pred:
            got = ", ".join(f"{m.key} {m.score:.2f} {list(m.why)}" for m in matches) or "none"
            misses.append(f"  {u.get('id', '?')}: want {sorted(gold)}  {u['text'][:80]}\n      got {got}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if title:
        print(f"== {title}")
    if verbose and misses:
        print("\n".join(misses))
    print(
        f"updates={len(updates)} precision={precision:.3f} recall={recall:.3f} "
        f"micro-F1={f1:.3f} unaligned caught {un_ok}/{un_n}"
    )
    return f1


def score_company(org_path: Path, updates_path: Path, reveal: int = 0) -> dict[str, float]:
    """Score `alignbot tag` (and `--learn` when `reveal`) on one labelled company, as score.py does."""
    from bot.offline import tag_updates
    from bot.orgfile import load_updates as read_lines
    from bot.orgfile import read_org

    rows = load_updates(updates_path)
    lines = [
        json.dumps(
            {
                "id": r["id"],
                "team": r.get("team", "-"),
                "text": r["text"],
                **({"objectives": r["labels"]} if i < reveal else {}),
            }
        )
        for i, r in enumerate(rows)
    ]
    out = tag_updates(read_org(org_path), list(read_lines(lines)), learn=bool(reveal))[reveal:]
    rows = rows[reveal:]
    tp = fp = fn = a_tp = a_fp = a_fn = asked = un_ok = un_n = 0
    for row, line in zip(rows, out):
        gold, pred = set(row["labels"]), {o["key"] for o in line["objectives"]}
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
        un_n += not gold
        un_ok += not gold and not pred
        if not line["confident"]:
            asked, pred = asked + 1, gold
        a_tp, a_fp, a_fn = a_tp + len(gold & pred), a_fp + len(pred - gold), a_fn + len(gold - pred)
    return {
        "f1": 2 * tp / (2 * tp + fp + fn),
        "assisted": 2 * a_tp / (2 * a_tp + a_fp + a_fn),
        "asked": asked / len(rows),
        "unaligned_caught": un_ok,
        "unaligned": un_n,
    }


def companies(folder: Path, reveal: int) -> None:
    """Print the scores of every development company in `folder`, and their mean."""
    results = []
    for org in sorted(folder.glob("dev*_org.yaml")):
        name = org.name.removesuffix("_org.yaml")
        if len(load_updates(folder / f"{name}_updates.jsonl")) <= reveal:
            print(f"{name:<6} skipped: no more than {reveal} updates")
            continue
        r = score_company(org, folder / f"{name}_updates.jsonl", reveal)
        results.append(r)
        print(
            f"{name:<6} micro-F1 {r['f1']:.3f}  unaligned caught {r['unaligned_caught']}/{r['unaligned']}  "
            f"asks {r['asked']:.0%}, then {r['assisted']:.3f}"
        )
    if results:
        mean = {k: sum(r[k] for r in results) / len(results) for k in ("f1", "assisted", "asked")}
        caught = sum(r["unaligned_caught"] for r in results) / max(1, sum(r["unaligned"] for r in results))
        print(
            f"mean   micro-F1 {mean['f1']:.3f}  worst {min(r['f1'] for r in results):.3f}  "
            f"unaligned caught {caught:.0%}  asks {mean['asked']:.0%}, then {mean['assisted']:.3f}"
            + (f"  (first {reveal} labels taught, not scored)" if reveal else "")
        )


def learning_curve(folder: Path, tail: int = 40, steps: Sequence[int] = (0, 10, 20, 40)) -> None:
    """Print micro-F1 on the same updates (each company's after the first `tail`) as more labels are taught.

    `--reveal K` scores different updates for each K; this holds the scored ones fixed, so
    the figures differ only by what was learned. Companies with no more than `tail` updates are left out.
    """
    from bot.alignment.model import Example
    from bot.orgfile import read_org

    sets = []
    for org in sorted(folder.glob("dev*_org.yaml")):
        rows = load_updates(folder / f"{org.name.removesuffix('_org.yaml')}_updates.jsonl")
        if len(rows) > tail:
            sets.append((org.name.removesuffix("_org.yaml"), read_org(org).objectives, rows))
    figures = []
    for k in steps:
        tp = fp = fn = 0
        for _, objectives, rows in sets:
            tagger = Tagger(objectives, corpus=[r["text"] for r in rows])
            for row in rows[:k]:
                tagger.learn(Example(row["text"], tuple(row["labels"])))
            for row in rows[tail:]:
                gold, pred = set(row["labels"]), {m.key for m in tagger.tag(row["text"])}
                tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
        figures.append(f"{k} taught: {2 * tp / (2 * tp + fp + fn):.3f}")
    print(
        f"micro-F1 on the updates after the first {tail} of {', '.join(name for name, _, _ in sets)}: "
        + ", ".join(figures)
    )


def learning_changes(folder: Path, reveal: int) -> None:
    """Print, per company, the updates after the first `reveal` whose tags change once those are taught.

    Each change is "fixed" (now right), "broke" (was right) or "changed" (wrong before and after):
    learning helps only as far as it fixes more than it breaks.
    """
    from bot.offline import tag_updates
    from bot.orgfile import load_updates as read_lines
    from bot.orgfile import read_org

    totals = {"fixed": 0, "broke": 0, "changed": 0}
    for org in sorted(folder.glob("dev*_org.yaml")):
        name = org.name.removesuffix("_org.yaml")
        rows = load_updates(folder / f"{name}_updates.jsonl")
        if len(rows) <= reveal:
            continue
        runs = []
        for k in (0, reveal):
            lines = [
                json.dumps(
                    {
                        "id": r["id"],
                        "team": r.get("team", "-"),
                        "text": r["text"],
                        **({"objectives": r["labels"]} if i < k else {}),
                    }
                )
                for i, r in enumerate(rows)
            ]
            runs.append(tag_updates(read_org(org), list(read_lines(lines)), learn=bool(k))[reveal:])
        counts = {"fixed": 0, "broke": 0, "changed": 0}
        for row, cold, taught in zip(rows[reveal:], *runs):
            gold = set(row["labels"])
            before = {o["key"] for o in cold["objectives"]}
            after = {o["key"] for o in taught["objectives"]}
            if before == after:
                continue
            kind = "fixed" if after == gold else "broke" if before == gold else "changed"
            counts[kind] += 1
            print(f"  {name} {kind:<7} want {sorted(gold)}: {sorted(before)} -> {sorted(after)}  {row['text'][:60]}")
        print(f"{name:<6} " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for k, v in counts.items():
            totals[k] += v
    print("all    " + ", ".join(f"{k} {v}" for k, v in totals.items()))


def ask_ceiling(folder: Path) -> None:
    """Print, per company, the assisted micro-F1 against the best the same number of questions could reach.

    The ceiling asks about the updates with the most wrong tags: the gap is what a better
    choice of questions could gain; the rest needs fewer errors to begin with.
    """
    from bot.offline import tag_updates
    from bot.orgfile import load_updates as read_lines
    from bot.orgfile import read_org

    for org in sorted(folder.glob("dev*_org.yaml")):
        name = org.name.removesuffix("_org.yaml")
        rows = load_updates(folder / f"{name}_updates.jsonl")
        lines = [json.dumps({"id": r["id"], "team": r.get("team", "-"), "text": r["text"]}) for r in rows]
        out = tag_updates(read_org(org), list(read_lines(lines)))
        verdicts = []  # (gold, tags, asked) per update
        for row, line in zip(rows, out):
            verdicts.append((set(row["labels"]), {o["key"] for o in line["objectives"]}, not line["confident"]))

        def f1(asked: set[int], verdicts: list[tuple[set, set, bool]] = verdicts) -> float:
            tp = fp = fn = 0
            for i, (gold, pred, _) in enumerate(verdicts):
                pred = gold if i in asked else pred
                tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
            return 2 * tp / (2 * tp + fp + fn)

        wrong = [len(gold ^ pred) for gold, pred, _ in verdicts]
        asked = {i for i, (_, _, a) in enumerate(verdicts) if a}
        best = set(sorted(range(len(verdicts)), key=lambda i: -wrong[i])[: len(asked)])
        print(
            f"{name:<6} asks {len(asked)}/{len(rows)} ({sum(1 for i in asked if wrong[i])} of them wrong, "
            f"of {sum(1 for w in wrong if w)} wrong in all): {f1(asked):.3f}; "
            f"asking the {len(asked)} most wrong instead: {f1(best):.3f}"
        )


def _heldout_sets() -> list[tuple[str, list[Objective], list[dict]]]:
    path = ROOT / "tests" / "bot" / "alignment" / "test_tagger.py"
    spec = importlib.util.spec_from_file_location("_tagger_tests", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return [
        (name, list(objectives), [{"id": f"h{i + 1}", "text": t, "labels": list(k)} for i, (t, k) in enumerate(rows)])
        for name, objectives, rows in module.HELDOUT_SETS
    ]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--org", default=str(ROOT.parent / "shared" / "eval" / "dev_org.yaml"))
    ap.add_argument("--updates", default=str(ROOT.parent / "shared" / "eval" / "dev_updates.jsonl"))
    ap.add_argument("--heldout", action="store_true", help="score the made-up companies in the unit tests")
    ap.add_argument("-q", "--quiet", action="store_true", help="scores only, no misses")
    ap.add_argument(
        "--companies",
        nargs="?",
        const=str(ROOT.parent / "shared" / "eval"),
        metavar="DIR",
        help="score every development company (dev*_org.yaml) in DIR",
    )
    ap.add_argument("--reveal", type=int, default=0, metavar="K", help="with --companies: teach the first K labels")
    ap.add_argument(
        "--curve",
        action="store_true",
        help="with --companies: micro-F1 on the same updates after teaching 0, 10, 20 and 40 labels",
    )
    ap.add_argument(
        "--changes",
        action="store_true",
        help="with --companies --reveal K: the updates learning fixes, breaks or changes",
    )
    ap.add_argument(
        "--ask-ceiling",
        action="store_true",
        help="with --companies: the assisted figure against asking the same number perfectly",
    )
    opts = ap.parse_args(argv)
    if opts.companies and opts.changes:
        learning_changes(Path(opts.companies), opts.reveal or 20)
        return 0
    if opts.companies and opts.ask_ceiling:
        ask_ceiling(Path(opts.companies))
        return 0
    if opts.companies and opts.curve:
        learning_curve(Path(opts.companies))
        return 0
    if opts.companies:
        companies(Path(opts.companies), opts.reveal)
        return 0
    if opts.heldout:
        for name, objectives, updates in _heldout_sets():
            evaluate(objectives, updates, verbose=not opts.quiet, title=name)
        return 0
    evaluate(load_objectives(opts.org), load_updates(opts.updates), verbose=not opts.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
