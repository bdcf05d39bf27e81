"""Run every benchmark one after the other and print their tables (about 15 minutes on 2 cores).

    python benchmarks/run_all.py [--quick]

--quick runs smaller sizes to check the scripts work; its figures are not those of docs/benchmarks.md.
Benchmarks run one at a time: they measure speed, so they must not share the CPU.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FULL = [
    ["tagger_throughput.py"],
    ["learning_curve.py"],
    ["tag_eval.py"],
    ["handoff_eval.py"],
    ["ack_latency.py"],
    ["digest_scale.py"],
    ["prompt_fanout.py"],
    ["objective_preview.py", "--db", "sqlite", "postgresql"],
    ["analysis_scale.py"],
    ["tag_scale.py"],
    ["checkin_statements.py"],
    ["slack_calls.py"],
    ["digest_scale.py", "--teams", "200", "--members", "2000"],
    ["workspace_fanout.py", "--db", "sqlite", "postgresql"],
    ["workspace_fanout.py", "--workspaces", "1000", "--channels", "20", "--rate", "0.05"],
    ["model_ops.py", "--db", "sqlite", "postgresql"],
]
QUICK = [
    ["tagger_throughput.py", "--seconds", "1"],
    ["ack_latency.py", "--db", "sqlite", "--requests", "50", "200", "400"],
    ["digest_scale.py", "--db", "sqlite", "--weeks", "8", "--repeats", "1"],
    ["prompt_fanout.py", "--db", "sqlite", "--teams", "20"],
    ["objective_preview.py", "--repeats", "2"],
    ["analysis_scale.py", "--teams", "10", "40", "--repeats", "1"],
    ["tag_scale.py", "--sizes", "200", "800"],
    ["checkin_statements.py", "--db", "sqlite", "--history", "200", "--answers", "3"],
    ["slack_calls.py", "--fast"],
    ["workspace_fanout.py", "--workspaces", "3", "--channels", "10"],
    ["model_ops.py", "--db", "sqlite", "--answers", "5", "--versions", "3", "--per-version", "200"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the scripts work")
    args = parser.parse_args()
    failed = 0
    for script, *options in QUICK if args.quick else FULL:
        print(f"\n## {script} {' '.join(options)}\n", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / script), *options], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
