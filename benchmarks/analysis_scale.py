"""How `alignbot analyze` grows with the week: time, memory and findings.

    python benchmarks/analysis_scale.py [--teams 50 200] [--per-team 10] [--repeats 3]

Writes made-up weeks (teams x updates per team, texts from the tagger benchmark's
templates, 15% naming another team, 8 objectives) to a temp folder and runs
`alignbot analyze --format json` on each in a fresh process, as a user would.
Reports the median wall time, the child's peak resident set (ru_maxrss), the number
of findings (and parallel_work findings) and the time ratio of the biggest week to the
smallest one.

Targets (issue 17): 4x the updates costs at most 5x the time; 2,000 updates in under
2 s and under 300 MB; never more findings than updates.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, table  # noqa: E402
from tagger_throughput import OBJECTIVES, synthetic_updates  # noqa: E402


def write_week(folder: Path, teams: int, per_team: int, seed: int = 17) -> tuple[Path, Path, int]:
    """Write an org file and a week of updates; return their paths and the update count."""
    rnd = random.Random(seed)
    names = [f"team{i:03d}" for i in range(teams)]
    org = {
        "teams": names,
        "objectives": [
            {"key": o.key, "title": o.title, "description": o.description, "keywords": list(o.keywords)}
            for o in OBJECTIVES
        ],
    }
    org_path = folder / f"org-{teams}.json"
    org_path.write_text(json.dumps(org))  # JSON is YAML
    texts = synthetic_updates(teams * per_team, seed)
    lines = []
    for n, text in enumerate(texts):
        team = names[n % teams]
        if rnd.random() < 0.15:
            text += f" with {names[rnd.randrange(teams)]}"
        lines.append(json.dumps({"id": f"u{n}", "team": team, "text": text}))
    updates_path = folder / f"updates-{teams}.jsonl"
    updates_path.write_text("\n".join(lines) + "\n")
    return org_path, updates_path, len(lines)


def run_once(org: Path, updates: Path) -> tuple[float, int, dict]:
    """Run `alignbot analyze` in a child; return wall seconds, its max RSS in bytes and its report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bot", "analyze", "--org", str(org), "--format", "json", str(updates)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    # RUSAGE_CHILDREN's maxrss is the largest child so far: runs go smallest first, so it is this one's.
    rss = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024
    return seconds, rss, json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--per-team", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    mb = 1024 * 1024
    rows, times = [], {}
    with tempfile.TemporaryDirectory(prefix="alignbot-analyze-") as tmp:
        for teams in sorted(args.teams):
            org, updates, count = write_week(Path(tmp), teams, args.per_team)
            runs = [run_once(org, updates) for _ in range(args.repeats)]
            seconds = statistics.median(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            findings = runs[0][2]["findings"]
            parallel = sum(f["kind"] == "parallel_work" for f in findings)
            times[count] = seconds
            ok = len(findings) <= count and (count < 2000 or (seconds < 2 and rss < 300 * mb))
            rows.append(
                [
                    teams,
                    count,
                    f"{seconds * 1000:.0f}",
                    f"{rss / mb:.0f}",
                    len(findings),
                    parallel,
                    "met" if ok else "MISSED",
                ]
            )
    print(
        f"alignbot analyze on made-up weeks ({machine()}), {args.per_team} updates per team, "
        f"median of {args.repeats} runs (process start included)\n"
    )
    print(
        table(
            [
                "teams",
                "updates",
                "wall ms",
                "max RSS MB",
                "findings",
                "parallel_work",
                "target (2,000 updates: <2 s, <300 MB; findings <= updates)",
            ],
            rows,
        )
    )
    sizes = sorted(times)
    for small, big in zip(sizes, sizes[1:]):
        ratio, limit = times[big] / times[small], 1.25 * big / small
        print(
            f"\n{big / small:.0f}x the updates ({small} -> {big}) cost {ratio:.1f}x the time "
            f"(target at most {limit:.0f}x): {'met' if ratio <= limit else 'MISSED'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
