"""How `alignbot tag` grows with the number of lines: time against size, worst case and realistic.

    python benchmarks/tag_scale.py [--sizes 2000 8000 32000] [--cases small realistic learn]

Writes made-up update files (8 objectives) and runs `alignbot tag` on each in a fresh
process, as a user would. The cases:

- small: lines of 4 to 12 words drawn from a vocabulary of 34 work words, so every
  word is in a fifth of the lines: the worst case for the search of similar texts;
- realistic: the tagger benchmark's work-language templates, names and numbers
  (as `analysis_scale.py` writes them, 10 lines per team);
- learn: the realistic lines with every 10th tagged by hand, run with `--learn`.

Reports the wall time and the child's CPU time (user + system, the steadier figure on
a shared machine), process start included, and the ratio between sizes 4x apart.
Target (issue 24): 4x the lines costs at most 5x the time.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analysis_scale import write_week  # noqa: E402
from common import ROOT, machine, table  # noqa: E402
from tagger_throughput import OBJECTIVES  # noqa: E402

SMALL_VOCABULARY = [
    "pipeline",
    "deal",
    "renewal",
    "customers",
    "churn",
    "onboarding",
    "pricing",
    "discount",
    "bank",
    "leads",
    "calls",
    "meeting",
    "demo",
    "report",
    "cost",
    "margin",
    "team",
    "sales",
    "website",
    "campaign",
    "launch",
    "account",
    "review",
    "signed",
    "closed",
    "booked",
    "shipped",
    "fixed",
    "support",
    "tickets",
    "upsell",
    "bundle",
    "credit",
    "union",
]


def write_case(folder: Path, case: str, count: int, seed: int = 23) -> tuple[Path, Path, list[str]]:
    """Write an org file and `count` update lines for `case`; return their paths and the extra flags."""
    org, updates, _ = write_week(folder, count // 10, 10, seed)
    if case == "small":
        rnd = random.Random(seed)
        lines = [
            json.dumps(
                {
                    "id": f"u{n}",
                    "team": f"team{n % (count // 10):03d}",
                    "text": " ".join(rnd.choice(SMALL_VOCABULARY) for _ in range(rnd.randint(4, 12))),
                }
            )
            for n in range(count)
        ]
        updates.write_text("\n".join(lines) + "\n")
    if case != "learn":
        return org, updates, []
    rnd = random.Random(seed)
    keys = [o.key for o in OBJECTIVES]
    rows = [json.loads(line) for line in updates.read_text().splitlines()]
    for row in rows[::10]:
        row["objectives"] = rnd.sample(keys, rnd.randint(0, 2))
    updates.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return org, updates, ["--learn"]


def run_once(org: Path, updates: Path, flags: list[str]) -> tuple[float, float, int]:
    """Run `alignbot tag` in a child; return its wall seconds, CPU seconds and output lines."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bot", "tag", "--org", str(org), *flags, str(updates)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, len(out.stdout.splitlines())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 8000, 32000])
    parser.add_argument(
        "--cases", nargs="+", choices=["small", "realistic", "learn"], default=["small", "realistic", "learn"]
    )
    args = parser.parse_args()
    rows, verdicts = [], []
    with tempfile.TemporaryDirectory(prefix="alignbot-tag-scale-") as tmp:
        for case in args.cases:
            cpu_of: dict[int, float] = {}
            for count in sorted(args.sizes):
                org, updates, flags = write_case(Path(tmp), case, count)
                wall, cpu, out = run_once(org, updates, flags)
                if out != count:
                    raise SystemExit(f"{case}, {count} lines: {out} lines out")
                cpu_of[count] = cpu
                rows.append([case, f"{count:,}", f"{wall:.1f}", f"{cpu:.1f}", f"{cpu * 1e6 / count:.0f}"])
            sizes = sorted(cpu_of)
            for small, big in zip(sizes, sizes[1:]):
                ratio, limit = cpu_of[big] / cpu_of[small], 1.25 * big / small
                verdicts.append(
                    f"{case}: {big / small:.0f}x the lines ({small:,} -> {big:,}) cost {ratio:.1f}x the "
                    f"CPU time (target at most {limit:.0f}x): {'met' if ratio <= limit else 'MISSED'}"
                )
    print(f"alignbot tag on made-up lines ({machine()}), one run each, process start included\n")
    print(table(["case", "lines", "wall s", "CPU s", "CPU us per line"], rows))
    print("\n" + "\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
