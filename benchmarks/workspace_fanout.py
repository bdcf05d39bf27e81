"""Many workspaces at once: a clock tick prompts W workspaces x C channels, each workspace rate-limited on its own.

    python benchmarks/workspace_fanout.py [--db sqlite] [--workspaces 40] [--channels 20] [--rate 5]
                                          [--threads 1 8 40]

Multi-workspace (OAuth) mode: every workspace is installed with its own bot token, and
has C teams, each with a channel and no members (channel prompts only). The Slack fake
limits chat.postMessage per conversation (1 a second) and per workspace (`--rate` a
second, burst the same), answering 429 with Retry-After above either. `Checkins.tick`
runs as the clock runs it, round after round, until every prompt is delivered, with
`--threads` workspaces served at once (1 is the old one-after-another tick).

Each workspace's own bound is (C - rate) / rate seconds; workspaces are independent, so
the bound for all of them is the same figure. Target (issue 17): every prompt exactly
once, within 1.2x that bound.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _scratch import TokenBuckets, machine, scratch_database, table  # noqa: E402

from bot.fakeslack import FakeSlack  # noqa: E402


class WorkspaceLimitedSlack(FakeSlack):
    """A Slack fake with a per-conversation limit and a limit per workspace (read from the channel id)."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = rate
        self._buckets = TokenBuckets()
        self._limit_lock = threading.Lock()
        self.rejected = 0

    def _rate_wait(self, method: str, args: dict) -> int | None:
        if method != "chat.postMessage":
            return None
        channel = str(args.get("channel", ""))
        with self._limit_lock:
            now = time.monotonic()
            wait = self._buckets.take("channel:" + channel, 1.0, 1, now)
            if wait is None:
                wait = self._buckets.take("workspace:" + channel[:6], self.rate, self.rate, now)
                if wait is not None:
                    self._buckets.give_back("channel:" + channel)  # refused: that token was not used
            if wait is None:
                return None
            self.rejected += 1
            return max(1, math.ceil(wait))


def run(kind: str, workspaces: int, channels: int, rate: float, threads: int, postgres_url: str) -> list[object]:
    from slack_sdk.oauth.installation_store import Installation
    from sqlalchemy import insert

    from bot.app import _installation_store
    from bot.schedule import week_of
    from bot.services.checkins import Checkins
    from bot.services.deliveries import Deliveries
    from bot.services.tagging import Tagging
    from bot.settings import Settings
    from bot.slack import SlackClients
    from storage import migrate
    from storage.db import make_engine, make_sessionmaker
    from storage.models import Team, Workspace, utcnow

    with scratch_database(kind, postgres_url) as url, WorkspaceLimitedSlack(rate) as fake:
        settings = Settings(_env_file=None, SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="secret",
                            SLACK_SIGNING_SECRET="bench", SLACK_API_URL=fake.base_url, DATABASE_URL=url)
        engine = make_engine(url, **({"pool_size": 40} if kind == "postgresql" else {}))
        migrate.upgrade(engine)
        store = _installation_store(settings, engine)
        now = utcnow()
        monday = now - timedelta(days=now.weekday(), hours=now.hour, minutes=now.minute) + timedelta(minutes=30)
        ids = [f"W{w:05d}" for w in range(workspaces)]
        team_rows, n = [], 0
        for w, slack_team in enumerate(ids):
            store.save(Installation(app_id=fake.app_id, team_id=slack_team, user_id="U0ADMIN1", bot_id=fake.bot_id,
                                    bot_user_id=fake.bot_user_id, bot_token=fake.workspace_token(slack_team),
                                    bot_scopes="chat:write"))
            for c in range(channels):
                channel = f"{slack_team}C{c:03d}"  # the first six characters name the workspace
                fake.add_channel(channel, f"w{w}-c{c}", members=[fake.bot_user_id])
                n += 1
                team_rows.append({"id": n, "workspace_id": w + 1, "name": f"team {c:03d}", "aliases": [],
                                  "channel_id": channel, "prompt_weekday": 0, "prompt_time": "00:00",
                                  "timezone": "UTC", "deadline_hours": 24, "reminder_hours": 4,
                                  "prompt_mode": "channel", "created_at": now})
        with engine.begin() as connection:
            connection.execute(insert(Workspace), [{"id": w + 1, "slack_team_id": s, "name": s, "created_at": now}
                                                   for w, s in enumerate(ids)])
            connection.execute(insert(Team), team_rows)
            if engine.dialect.name == "postgresql":
                for name in ("workspaces", "teams"):
                    connection.exec_driver_sql(f"SELECT setval('{name}_id_seq', (SELECT max(id) FROM {name}))")
        sessions = make_sessionmaker(engine)
        checkins = Checkins(settings, sessions, SlackClients(settings, store), Deliveries(sessions),
                            Tagging(sessions), workspace_threads=threads)
        due = workspaces * channels
        rounds = delivered = 0
        started = time.perf_counter()
        while delivered < due and rounds < 20:
            report = checkins.tick(now=monday)
            rounds += 1
            delivered = report.sent + report.already
        elapsed = time.perf_counter() - started
        engine.dispose()
        counts = Counter(len(fake.messages(row["channel_id"])) for row in team_rows)
        week = week_of(monday, "UTC")
    bound = max(0.0, (channels - rate) / rate)
    once, twice = counts[1], sum(v for k, v in counts.items() if k > 1)
    ok = once == due and twice == 0 and elapsed <= 1.2 * bound
    return [kind, threads, workspaces, channels, week, due, f"{bound:.1f}", f"{elapsed:.1f}",
            f"{elapsed / bound:.2f}" if bound else "-", rounds, fake.rejected, f"{once}/{due}", twice,
            "met" if ok else "MISSED"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    parser.add_argument("--workspaces", type=int, default=40)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0, help="messages a second per workspace")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 32], help="workspaces served at once")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # a 429 retried is expected here, not news
    rows = [run(kind, args.workspaces, args.channels, args.rate, threads, args.postgres)
            for kind in args.db for threads in args.threads]
    print(f"Workspace fan-out ({machine()}): {args.workspaces} workspaces x {args.channels} channels, "
          f"1 msg/s per conversation, {args.rate:g} msg/s per workspace\n")
    print(table(["database", "workspaces at once", "workspaces", "channels each", "week", "prompts", "bound s",
                 "took s", "x bound", "rounds", "429s", "exactly once", "duplicates", "target <=1.2x"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
