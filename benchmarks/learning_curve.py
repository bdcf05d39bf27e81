"""Does the tagger learn from people's tags? A tag-then-reveal run over labelled updates.

    python benchmarks/learning_curve.py [--org ORG.yaml] [--updates UPDATES.jsonl]

Tags each update in order, then reveals its true label (Tagger.learn), as a workspace
where people fix tags would. Prints micro-F1 over the first and second half, beside a
cold-start tagger that never learns, on the same halves. Paths default to the shared
development set, relative to the repository root.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tag_eval import load_objectives, load_updates, micro_f1  # noqa: E402

from bot.alignment.model import Example, Objective  # noqa: E402
from bot.alignment.tagger import Tagger  # noqa: E402

# A made-up company whose teams use in-house names no built-in knowledge can know
# ("Spark session" is their demo, a "Lighthouse visit" a customer-success visit):
# only learning from people's tags can get these right.
JARGON_OBJECTIVES = [
    Objective("pipeline", "Build pipeline"),
    Objective("keep", "Keep our customers"),
    Objective("spend", "Spend less"),
]
JARGON_UPDATES = [
    ("Ran 4 Spark sessions with prospects from the trade show.", ["pipeline"]),
    ("Lighthouse visit at Norrland Foods.", ["keep"]),
    ("Put two vendors on the sunset list.", ["spend"]),
    ("GTM huddle notes posted in the wiki.", []),
    ("Spark session with Vireo Labs; they asked for a quote.", ["pipeline"]),
    ("Lighthouse visits at Ostara and Kelso.", ["keep"]),
    ("Moved the Figma seats to the sunset list.", ["spend"]),
    ("Weekly GTM huddle moved to Thursdays.", []),
    ("Three Spark sessions on the calendar for next week.", ["pipeline"]),
    ("Lighthouse visit with the Dunmore team went well.", ["keep"]),
    ("Sunset list review: the print shop and the survey tool go.", ["spend"]),
    ("Prepared the GTM huddle agenda.", []),
    ("Two Spark sessions with logistics firms.", ["pipeline"]),
    ("Lighthouse visit at Kelso, round two.", ["keep"]),
    ("Added the old webinar tool to the sunset list.", ["spend"]),
    ("GTM huddle skipped for the holiday.", []),
]


def run(objectives: Sequence[Objective], updates: Sequence[dict]) -> dict[str, float]:
    """Return cold and learning micro-F1 over the first and second half."""
    cold, learning = Tagger(objectives), Tagger(objectives)
    cold_pairs, learn_pairs = [], []
    for u in updates:
        gold = set(u["labels"])
        cold_pairs.append((gold, {m.key for m in cold.tag(u["text"])}))
        learn_pairs.append((gold, {m.key for m in learning.tag(u["text"])}))
        learning.learn(Example(u["text"], tuple(u["labels"])))
    half = len(updates) // 2
    return {
        "cold first": micro_f1(cold_pairs[:half]),
        "cold second": micro_f1(cold_pairs[half:]),
        "learning first": micro_f1(learn_pairs[:half]),
        "learning second": micro_f1(learn_pairs[half:]),
        "cold all": micro_f1(cold_pairs),
        "learning all": micro_f1(learn_pairs),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--org", default=str(ROOT.parent / "shared" / "eval" / "dev_org.yaml"))
    ap.add_argument("--updates", default=str(ROOT.parent / "shared" / "eval" / "dev_updates.jsonl"))
    opts = ap.parse_args(argv)
    report(f"{Path(opts.updates).name}", run(load_objectives(opts.org), load_updates(opts.updates)))
    jargon = [{"text": t, "labels": labels} for t, labels in JARGON_UPDATES]
    report("in-house jargon (built in)", run(JARGON_OBJECTIVES, jargon))
    return 0


def report(title: str, r: dict[str, float]) -> None:
    """Print one run as a small table."""
    print(f"== {title}")
    print(f"{'micro-F1':<22} {'1st half':>9} {'2nd half':>9} {'all':>7}")
    print(f"{'cold start (no learn)':<22} {r['cold first']:>9.3f} {r['cold second']:>9.3f} {r['cold all']:>7.3f}")
    print(f"{'tag, then learn':<22} {r['learning first']:>9.3f} {r['learning second']:>9.3f} {r['learning all']:>7.3f}")
    verdict = "ok" if r["learning second"] >= r["learning first"] else "second half below first"
    print(f"second half >= first half: {verdict}")


if __name__ == "__main__":
    sys.exit(main())
