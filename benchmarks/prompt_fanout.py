"""Prompt fan-out: 200 team channels and 2,000 DMs through a rate-limited Slack fake, exactly once.

    python benchmarks/prompt_fanout.py [--db sqlite postgresql] [--teams 200 --members 10] [--workspace-rate 25]

The Slack fake enforces two limits on chat.postMessage and answers 429 with
Retry-After above either:
- per conversation, 1 message a second (burst 1): Slack's documented limit;
- per workspace, `--workspace-rate` messages a second (burst the same): Slack also
  caps an app's posting across a workspace ("several hundred messages per minute").
The bot paces itself at the same rates (ALIGNBOT_POST_RATE for the workspace).

With one message per channel and per DM the per-conversation limit alone sets no
bound (every conversation gets one message), so the bound is the workspace limit:
the first burst goes at once, then one message every 1/rate seconds, i.e.
(messages - burst) / rate seconds. The modelled rate (25/s = 1,500 a minute) is
higher than Slack's so the run stays short; the sender does not depend on it.

The fan-out is `Checkins.send_prompts` as the clock runs it: one call per round,
repeated (as the next clock tick would) until every prompt is delivered; a prompt
whose retries all met 429s is left for the next round. Then every channel and DM
is checked to hold exactly one prompt. Target (issue 8): total time within 1.2x
the bound.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, scratch_database, table  # noqa: E402

from bot.fakeslack import FakeSlack  # noqa: E402

TEAM_ID = "T0000001"


def seed(database_url: str, fake: FakeSlack, teams: int, members: int) -> int:
    """Create the teams (channel and DMs), their members in the fake and the database; return messages due."""
    from sqlalchemy import insert

    from storage import migrate
    from storage.db import make_engine
    from storage.models import Team, TeamMember, Workspace, utcnow

    engine = make_engine(database_url)
    migrate.upgrade(engine)
    now = utcnow()
    team_rows, member_rows = [], []
    for t in range(teams):
        users = [f"U{t:04d}{m:04d}" for m in range(members)]
        for user in users:
            fake.add_user(user, name=user.lower())
        fake.add_channel(f"C{t:08d}", f"team-{t:03d}", members=[*users, fake.bot_user_id])
        team_rows.append(
            {
                "id": t + 1,
                "workspace_id": 1,
                "name": f"team {t:03d}",
                "aliases": [],
                "channel_id": f"C{t:08d}",
                "prompt_weekday": 0,
                "prompt_time": "10:00",
                "deadline_hours": 24,
                "reminder_hours": 4,
                "prompt_mode": "both",
                "created_at": now,
            }
        )
        member_rows += [{"workspace_id": 1, "team_id": t + 1, "user_id": user} for user in users]
    with engine.begin() as connection:
        connection.execute(
            insert(Workspace), [{"id": 1, "slack_team_id": TEAM_ID, "name": "Fan-out Co", "created_at": now}]
        )
        connection.execute(insert(Team), team_rows)
        connection.execute(insert(TeamMember), member_rows)
        if engine.dialect.name == "postgresql":
            for name in ("workspaces", "teams", "team_members"):
                connection.exec_driver_sql(f"SELECT setval('{name}_id_seq', (SELECT max(id) FROM {name}))")
    engine.dispose()
    return teams * (1 + members)


def check(fake: FakeSlack, teams: int, members: int) -> tuple[int, int, int]:
    """Return (conversations with exactly one prompt, with none, with more than one)."""
    counts = Counter()
    for t in range(teams):
        counts[len(fake.messages(f"C{t:08d}"))] += 1
        for m in range(members):
            counts[len(fake.messages(f"U{t:04d}{m:04d}"))] += 1
    return counts[1], counts[0], sum(n for k, n in counts.items() if k > 1)


def run(kind: str, teams: int, members: int, rate: float, postgres_url: str) -> list[object]:
    from bot.services.deliveries import Deliveries
    from bot.services.prompts import SEND_THREADS, Prompts
    from bot.settings import Settings
    from bot.slack import SlackClients
    from storage.db import make_engine, make_sessionmaker

    with scratch_database(kind, postgres_url) as url, FakeSlack(team_id=TEAM_ID) as fake:
        fake.rate_limit(1.0)
        fake.workspace_rate_limit(rate)
        due = seed(url, fake, teams, members)
        settings = Settings(
            _env_file=None,
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_API_URL=fake.base_url,
            DATABASE_URL=url,
            ALIGNBOT_POST_RATE=rate,
        )
        # As many connections as senders, so no sender queues for one (PostgreSQL; SQLite ignores it).
        engine = make_engine(url, **({"pool_size": SEND_THREADS} if kind == "postgresql" else {}))
        sessions = make_sessionmaker(engine)
        prompts = Prompts(settings, sessions, SlackClients(settings), Deliveries(sessions))
        rounds, delivered = 0, 0
        started = time.perf_counter()
        while delivered < due and rounds < 10:
            report = prompts.send_prompts(TEAM_ID)
            rounds += 1
            delivered = report.sent + report.already
        elapsed = time.perf_counter() - started
        engine.dispose()
        once, none, twice = check(fake, teams, members)
        calls = fake.calls_to("chat.postMessage")
        posted = sum(1 for c in calls if c.status == 200 and c.response.get("ok"))
    bound = max(0.0, (due - rate) / rate)
    ok = once == due and none == 0 and twice == 0 and elapsed <= 1.2 * bound
    return [
        kind,
        due,
        f"{rate:g}/s",
        f"{bound:.1f}",
        f"{elapsed:.1f}",
        f"{elapsed / bound:.2f}",
        rounds,
        posted,
        fake.rejected,
        f"{once}/{due}",
        twice,
        "met" if ok else "MISSED",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--members", type=int, default=10, help="members per team (each gets a DM)")
    parser.add_argument("--workspace-rate", type=float, default=25.0, help="workspace-wide messages a second")
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # a 429 retried is expected here, not news
    from bot.services.prompts import SEND_THREADS

    rows = [run(kind, args.teams, args.members, args.workspace_rate, args.postgres) for kind in args.db]
    print(
        f"Prompt fan-out ({machine()}): {args.teams} channels + {args.teams * args.members} DMs, "
        f"1 msg/s per conversation, {args.workspace_rate:g} msg/s per workspace, {SEND_THREADS} senders\n"
    )
    print(
        table(
            [
                "database",
                "prompts",
                "workspace limit",
                "bound s",
                "took s",
                "x bound",
                "rounds",
                "posted",
                "429s",
                "exactly once",
                "duplicates",
                "target <=1.2x",
            ],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
