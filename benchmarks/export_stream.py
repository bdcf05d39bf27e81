"""Export at scale: `alignbot export` of a big, old workspace, and whether its memory stays flat.

    python benchmarks/export_stream.py [--db sqlite postgresql] [--members 500 --weeks 52 13]

Fills a scratch database with digest_scale.py's generator (50 teams, 30 objectives, every
member answering every week), once per history length in --weeks. Then, in a fresh
process, runs `alignbot export` (CSV, then JSON Lines) into /dev/null and reports rows,
time, rows per second, the Python heap peak (tracemalloc) and the process's maximum
resident set. Streaming means the heap peak does not grow with the number of weeks.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, scratch_database, table  # noqa: E402
from digest_scale import TEAM_ID, generate  # noqa: E402


def measure(database_url: str, fmt: str) -> dict:
    """Export in this (fresh) process to /dev/null; return rows, time and memory."""
    import tracemalloc

    os.environ["DATABASE_URL"] = database_url
    os.environ["LOG_LEVEL"] = "WARNING"
    from bot.cli import main
    from bot.services.export import Export

    tracemalloc.start()
    started = time.perf_counter()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        status = main(["export", "--team-id", TEAM_ID, "--format", fmt])
    seconds = time.perf_counter() - started
    heap = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    from bot.app import create_runtime
    from bot.settings import Settings

    runtime = create_runtime(Settings(_env_file=None, DATABASE_URL=database_url), upgrade_db=False)
    rows = sum(1 for _ in Export(runtime.services.sessions).rows(TEAM_ID))
    return {
        "status": status,
        "rows": rows,
        "seconds": seconds,
        "heap": heap,
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--weeks", type=int, nargs="+", default=[13, 52], help="weeks of history before this one")
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    rows = []
    mb = 1024 * 1024
    for kind in args.db:
        for weeks in args.weeks:
            with scratch_database(kind, args.postgres) as url:
                generate(url, 50, 30, args.members, weeks)
                for fmt in ("csv", "jsonl"):
                    child = subprocess.run(
                        [sys.executable, __file__, "--measure", url, fmt],
                        cwd=ROOT,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    m = json.loads(child.stdout.strip().splitlines()[-1])
                    rows.append(
                        [
                            kind,
                            weeks + 1,
                            fmt,
                            m["rows"],
                            f"{m['seconds']:.2f}",
                            f"{m['rows'] / m['seconds']:.0f}",
                            f"{m['heap'] / mb:.1f}",
                            f"{m['maxrss'] / mb:.0f}",
                            "ok" if m["status"] == 0 else f"exit {m['status']}",
                        ]
                    )
    print(f"Export at scale ({machine()}): 50 teams, 30 objectives, {args.members} members\n")
    print(
        table(["database", "weeks", "format", "rows", "seconds", "rows/s", "heap peak MB", "max RSS MB", "exit"], rows)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
