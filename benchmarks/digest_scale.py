"""Digest at scale: this week's leadership digest with its trend, from a big, old workspace.

    python benchmarks/digest_scale.py [--db sqlite postgresql] [--teams 50 --objectives 30 --members 500 --weeks 52]

Fills a scratch database (bulk inserts) with one workspace of 50 teams (3 goals each), 30 objectives
and 500 members, every member answering every week for 52 weeks plus this one
(about 26,500 updates with tags, some naming a partner team). Then, in a fresh
process so its memory is the digest's alone, times `Digests.build` for this week
with its trend (the 6 earlier weeks the digest shows; also all 52, as a stress
figure) and the Block Kit message built from it (wall time, and the process's CPU
time: steadier on a shared machine), and measures peak memory: the
process's maximum resident set (ru_maxrss, everything: interpreter, libraries,
data) and the Python heap the build allocates at its peak (tracemalloc).
The 52-week build runs last, so the process's RSS is given before and after it.

Target (issue 8): under 1 second and under 300 MB peak, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, scratch_database, table  # noqa: E402

TEAM_ID = "T0000001"


def generate(
    database_url: str, teams: int, objectives: int, members: int, weeks: int, goals: int = 3, seed: int = 8
) -> dict:
    """Fill the database; return what was made."""
    from sqlalchemy import insert
    from tagger_throughput import synthetic_updates

    from bot.schedule import shift_week, week_of
    from storage import migrate
    from storage.db import make_engine
    from storage.models import (
        CheckinCycle,
        Goal,
        GoalObjective,
        Objective,
        Team,
        TeamMember,
        Update,
        UpdatePartner,
        UpdateTag,
        Workspace,
        utcnow,
    )

    rnd = random.Random(seed)
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    now = utcnow()
    this_week = week_of(now, "UTC")
    texts = synthetic_updates(2000, seed)
    team_names = [f"team {i:02d}" for i in range(teams)]
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            insert(Workspace),
            [
                {
                    "id": 1,
                    "slack_team_id": TEAM_ID,
                    "name": "Scale Co",
                    "leadership_channel_id": "C0LEAD01",
                    "created_at": now,
                }
            ],
        )
        connection.execute(
            insert(Team),
            [
                {
                    "id": t + 1,
                    "workspace_id": 1,
                    "name": name,
                    "aliases": [f"t{t:02d}"],
                    "channel_id": f"C0T{t:05d}",
                    "prompt_weekday": 0,
                    "prompt_time": "10:00",
                    "deadline_hours": 24,
                    "reminder_hours": 4,
                    "prompt_mode": "both",
                    "created_at": now,
                }
                for t, name in enumerate(team_names)
            ],
        )
        connection.execute(
            insert(Objective),
            [
                {
                    "id": o + 1,
                    "workspace_id": 1,
                    "key": f"objective-{o:02d}",
                    "title": f"Objective {o}: grow segment {o}",
                    "description": f"Win more customers in segment {o} with pipeline and renewals.",
                    "keywords": [f"segment{o}"],
                    "created_at": now,
                }
                for o in range(objectives)
            ],
        )
        # Each team's goals, in an update's words; one in ten serves no objective.
        goal_rows = [
            {"id": t * goals + g + 1, "workspace_id": 1, "team_id": t + 1, "title": texts[(t * goals + g) % len(texts)]}
            for t in range(teams)
            for g in range(goals)
        ]
        if goal_rows:
            connection.execute(insert(Goal), [{**row, "created_at": now - timedelta(weeks=weeks)} for row in goal_rows])
            connection.execute(
                insert(GoalObjective),
                [
                    {"goal_id": row["id"], "objective_id": rnd.randrange(objectives) + 1, "position": 0}
                    for row in goal_rows
                    if rnd.random() >= 0.1
                ],
            )
        member_rows = [
            {"id": m + 1, "workspace_id": 1, "team_id": m % teams + 1, "user_id": f"U{m:08d}"} for m in range(members)
        ]
        connection.execute(insert(TeamMember), member_rows)
        cycle_id = update_id = 0
        for back in range(weeks, -1, -1):
            week = shift_week(this_week, -back)
            cycles = {}
            for t in range(teams):
                cycle_id += 1
                cycles[t + 1] = cycle_id
            connection.execute(
                insert(CheckinCycle),
                [
                    {"id": cid, "workspace_id": 1, "team_id": team, "week": week, "skipped": False, "created_at": now}
                    for team, cid in cycles.items()
                ],
            )
            updates, tags, partners = [], [], []
            for member in member_rows:
                update_id += 1
                team = member["team_id"]
                text = texts[rnd.randrange(len(texts))]
                if rnd.random() < 0.15:  # some updates name another team in the text
                    text += f" with {team_names[rnd.randrange(teams)]}"
                updates.append(
                    {
                        "id": update_id,
                        "workspace_id": 1,
                        "cycle_id": cycles[team],
                        "team_id": team,
                        "author_user_id": member["user_id"],
                        "text": text,
                        "source": "command",
                        "tags_by_hand": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                if rnd.random() < 0.85:  # most updates serve one or two objectives
                    for key in rnd.sample(range(objectives), rnd.choice((1, 1, 2))):
                        tags.append(
                            {
                                "update_id": update_id,
                                "objective_id": key + 1,
                                "score": round(rnd.random(), 3),
                                "source": "auto",
                            }
                        )
                if rnd.random() < 0.2:
                    other = rnd.randrange(teams) + 1
                    if other != team:
                        partners.append({"update_id": update_id, "team_id": other})
            connection.execute(insert(Update), updates)
            if tags:
                connection.execute(insert(UpdateTag), tags)
            if partners:
                connection.execute(insert(UpdatePartner), partners)
        if engine.dialect.name == "postgresql":  # ids were given; keep the sequences ahead of them
            for name in ("workspaces", "teams", "objectives", "goals", "team_members", "checkin_cycles", "updates"):
                connection.exec_driver_sql(f"SELECT setval('{name}_id_seq', (SELECT max(id) FROM {name}))")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return {"week": this_week, "updates": update_id, "cycles": cycle_id, "seconds": time.perf_counter() - started}


def measure(database_url: str, week: str, repeats: int) -> dict:
    """Build the digest in this (fresh) process; return timings and memory."""
    import tracemalloc

    from bot.app import create_runtime
    from bot.blocks.digest import digest_message
    from bot.fakeslack.blockkit import validate_message
    from bot.settings import Settings

    runtime = create_runtime(Settings(_env_file=None, DATABASE_URL=database_url), upgrade_db=False)
    digests = runtime.services.digests
    out: dict = {}

    started = time.perf_counter()
    data = digests.build(TEAM_ID, week)
    out["cold"] = time.perf_counter() - started
    times, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        data = digests.build(TEAM_ID, week)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    out["warm"] = statistics.median(times)
    # This process's CPU time: steadier than the wall clock on a shared machine (SQLite's work included,
    # PostgreSQL's server not).
    out["warm_cpu"] = statistics.median(cpu)
    started = time.perf_counter()
    message = digest_message(data)
    out["message"] = time.perf_counter() - started
    out["valid"] = validate_message(message["text"], message["blocks"]) == []
    out["trend"] = len(data.trend)
    out["updates"] = len(data.report.updates)
    out["findings"] = len(data.report.findings)
    tracemalloc.start()
    digests.build(TEAM_ID, week)
    out["heap"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB

    started = time.perf_counter()
    long = digests.build(TEAM_ID, week, trend_weeks=52)
    out["warm52"] = time.perf_counter() - started
    out["trend52"] = len(long.trend)
    out["maxrss52"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    runtime.engine.dispose()
    return out


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--objectives", type=int, default=30)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=52, help="weeks of history before this one")
    parser.add_argument("--goals", type=int, default=3, help="goals per team (0: a workspace without goals)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    rows = []
    mb = 1024 * 1024
    for kind in args.db:
        with scratch_database(kind, args.postgres) as url:
            made = generate(url, args.teams, args.objectives, args.members, args.weeks, args.goals)
            print(
                f"  {kind}: {made['updates']} updates in {made['cycles']} cycles generated in {made['seconds']:.1f} s",
                file=sys.stderr,
            )
            child = subprocess.run(
                [sys.executable, __file__, "--measure", url, made["week"], str(args.repeats)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            m = json.loads(child.stdout.strip().splitlines()[-1])
            ok = m["warm"] < 1 and m["maxrss"] < 300 * mb
            rows.append(
                [
                    kind,
                    m["updates"],
                    m["trend"],
                    f"{m['cold'] * 1000:.0f}",
                    f"{m['warm'] * 1000:.0f}",
                    f"{m['warm_cpu'] * 1000:.0f}",
                    f"{m['message'] * 1000:.0f}",
                    f"{m['heap'] / mb:.1f}",
                    f"{m['maxrss'] / mb:.0f}",
                    f"{m['warm52'] * 1000:.0f}",
                    f"{m['maxrss52'] / mb:.0f}",
                    m["findings"],
                    "yes" if m["valid"] else "NO",
                    "met" if ok else "MISSED",
                ]
            )
    print(
        f"Digest at scale ({machine()}): {args.teams} teams ({args.goals} goals each), {args.objectives} objectives, "
        f"{args.members} members, "
        f"{args.weeks} weeks of history\n"
    )
    print(
        table(
            [
                "database",
                "updates this week",
                "trend weeks",
                "cold build ms",
                "build ms (median)",
                "build CPU ms (median)",
                "blocks ms",
                "build heap peak MB",
                "process max RSS MB",
                "52-week trend build ms",
                "52-week max RSS MB",
                "findings",
                "message valid",
                "target <1 s, <300 MB",
            ],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
