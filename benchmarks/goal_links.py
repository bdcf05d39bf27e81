"""How well `alignbot goals` suggests the objectives a team goal serves.

    python benchmarks/goal_links.py [--eval DIR] [--cmd "alignbot"] [-v]

For each development company (DIR/dev*_org.yaml with its dev*_goals.yaml), the
goals go into a copy of the org file with every `serves` stripped, `alignbot
goals` suggests the links, and the suggestions are compared with the stripped
values: micro-F1 over (goal, objective) pairs, a goal that serves nothing counting
every suggestion as wrong. The last line is the figure over all companies.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

# The development companies sit beside the checkout, in shared/eval.
DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def stripped_org(org_path: Path, goals_path: Path, out: Path) -> dict[tuple[str, str], set[str]]:
    """Write the org file with the goals, `serves` left out, to `out`; return each goal's stated links."""
    org = yaml.safe_load(org_path.read_text())
    goals = yaml.safe_load(goals_path.read_text())
    teams = [t if isinstance(t, dict) else {"name": t} for t in org.get("teams") or []]
    want: dict[tuple[str, str], set[str]] = {}
    for entry in goals.get("teams", []):
        team = next((t for t in teams if t["name"] == entry["name"]), None)
        if team is None:
            team = {"name": entry["name"]}
            teams.append(team)
        team["goals"] = [{"title": g["title"]} for g in entry.get("goals", [])]
        for g in entry.get("goals", []):
            want[(entry["name"], g["title"])] = set(g.get("serves") or [])
    org["teams"] = teams
    out.write_text(yaml.safe_dump(org, sort_keys=False, allow_unicode=True))
    return want


def score(cmd: str, eval_dir: Path, verbose: bool) -> tuple[int, int, int]:
    """Return (true, false, missed) links over every company; print each company's figure."""
    totals = [0, 0, 0]
    for org_path in sorted(eval_dir.glob("dev*_org.yaml")):
        goals_path = org_path.with_name(org_path.name.replace("_org.yaml", "_goals.yaml"))
        if not goals_path.exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "org.yaml"
            want = stripped_org(org_path, goals_path, path)
            run = subprocess.run([*shlex.split(cmd), "goals", "--org", str(path)], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"alignbot goals failed on {org_path.name}: {run.stderr.strip()}")
        counts = [0, 0, 0]
        for line in run.stdout.splitlines():
            got = json.loads(line)
            gold = want[(got["team"], got["title"])]
            pred = set(got["serves"])
            counts[0] += len(pred & gold)
            counts[1] += len(pred - gold)
            counts[2] += len(gold - pred)
            if verbose and pred != gold:
                print(f"  {got['team']}: {got['title'][:60]!r} want {sorted(gold)} got {sorted(pred)}")
        print(f"{org_path.name.replace('_org.yaml', '')}: goals={len(want)} micro-F1 {f1(*counts):.3f}")
        totals = [a + b for a, b in zip(totals, counts)]
    return totals[0], totals[1], totals[2]


def f1(tp: int, fp: int, fn: int) -> float:
    """Return the F1 of these counts (0 when nothing was right)."""
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="folder with dev*_org.yaml and dev*_goals.yaml")
    parser.add_argument("--cmd", default=f"{sys.executable} -m bot", help="the alignbot command (default: this Python)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the goals whose suggestion is wrong")
    args = parser.parse_args()
    tp, fp, fn = score(args.cmd, args.eval, args.verbose)
    print(f"links={tp + fn} suggested right={tp} wrong={fp} missed={fn}")
    print(f"suggested links micro-F1 {f1(tp, fp, fn):.3f}")


if __name__ == "__main__":
    main()
