"""Many workspaces at once: a clock tick prompts W workspaces x C channels, each workspace rate-limited on its own.

    python benchmarks/workspace_fanout.py [--db sqlite postgresql] [--workspaces 10] [--channels 20] [--rate 2]
                                          [--planners 8] [--senders 32]
    python benchmarks/workspace_fanout.py --workspaces 1000 --channels 20 --rate 0.05   # the target's size

Multi-workspace (OAuth) mode: every workspace is installed with its own bot token, and
has C teams, each with a channel and no members (channel prompts only). The Slack fake
limits chat.postMessage per conversation (1 a second) and per workspace (`--rate` a
second, bursts of max(1, rate)), answering 429 with a whole-second Retry-After above
either. The bot paces itself at the same rate (ALIGNBOT_POST_RATE). `Checkins.tick`
runs as the clock runs it, round after round, until every prompt is delivered: it plans
`--planners` workspaces at once and sends through one pool of `--senders` threads
shared by every workspace. The fake runs in a process of its own, as Slack runs on
machines of its own: its work does not take the app's share of the 2 cores' GIL.

Each workspace's own bound is (C - burst) / rate seconds; workspaces are independent, so
the bound for all of them is the same figure. Target (issue 17): every prompt exactly
once, within 1.2x that bound, with the threads bounded whatever W is.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RemoteFake, Sampler, machine, scratch_database, table  # noqa: E402


def run(
    kind: str, workspaces: int, channels: int, rate: float, planners: int, senders: int, postgres_url: str
) -> list[object]:
    from slack_sdk.oauth.installation_store import Installation
    from sqlalchemy import insert

    from bot.app import _installation_store
    from bot.schedule import week_of
    from bot.services.deliveries import Deliveries
    from bot.services.prompts import Prompts
    from bot.settings import Settings
    from bot.slack import SlackClients
    from storage import migrate
    from storage.db import make_engine, make_sessionmaker
    from storage.models import Team, Workspace, utcnow

    ids = [f"W{w:05d}" for w in range(workspaces)]
    channel_ids = [f"{slack_team}C{c:03d}" for slack_team in ids for c in range(channels)]
    with RemoteFake() as fake, scratch_database(kind, postgres_url) as url:
        app_id, bot_id, bot_user_id, tokens = fake.run(_set_up, ids, channels, rate)
        settings = Settings(
            _env_file=None,
            SLACK_CLIENT_ID="111.222",
            SLACK_CLIENT_SECRET="secret",
            SLACK_SIGNING_SECRET="bench",
            SLACK_API_URL=fake.base_url,
            DATABASE_URL=url,
            ALIGNBOT_POST_RATE=rate,
        )
        # A connection for every thread that may want one, so none queues for it (PostgreSQL).
        engine = make_engine(url, **({"pool_size": planners + senders} if kind == "postgresql" else {}))
        migrate.upgrade(engine)
        store = _installation_store(settings, engine)
        now = utcnow()
        monday = now - timedelta(days=now.weekday(), hours=now.hour, minutes=now.minute) + timedelta(minutes=30)
        team_rows, n = [], 0
        for w, slack_team in enumerate(ids):
            store.save(
                Installation(
                    app_id=app_id,
                    team_id=slack_team,
                    user_id="U0ADMIN1",
                    bot_id=bot_id,
                    bot_user_id=bot_user_id,
                    bot_token=tokens[slack_team],
                    bot_scopes="chat:write",
                )
            )
            for c in range(channels):
                channel = f"{slack_team}C{c:03d}"
                n += 1
                team_rows.append(
                    {
                        "id": n,
                        "workspace_id": w + 1,
                        "name": f"team {c:03d}",
                        "aliases": [],
                        "channel_id": channel,
                        "prompt_weekday": 0,
                        "prompt_time": "00:00",
                        "timezone": "UTC",
                        "deadline_hours": 24,
                        "reminder_hours": 4,
                        "prompt_mode": "channel",
                        "created_at": now,
                    }
                )
        with engine.begin() as connection:
            connection.execute(
                insert(Workspace),
                [{"id": w + 1, "slack_team_id": s, "name": s, "created_at": now} for w, s in enumerate(ids)],
            )
            connection.execute(insert(Team), team_rows)
            if engine.dialect.name == "postgresql":
                for name in ("workspaces", "teams"):
                    connection.exec_driver_sql(f"SELECT setval('{name}_id_seq', (SELECT max(id) FROM {name}))")
        sessions = make_sessionmaker(engine)
        prompts = Prompts(
            settings,
            sessions,
            SlackClients(settings, store),
            Deliveries(sessions),
            send_threads=senders,
            workspace_threads=planners,
        )
        due = workspaces * channels
        rounds = delivered = 0
        fake.run(_reset_calls)
        with Sampler() as sampler:
            wall_start = time.time()
            started = time.perf_counter()
            while delivered < due and rounds < 20:
                report = prompts.tick(now=monday)
                rounds += 1
                delivered = report.sent + report.already
            elapsed = time.perf_counter() - started
        engine.dispose()
        counts, posts, rejected = fake.run(_summary, channel_ids)
        week = week_of(monday, "UTC")
    burst = max(1.0, rate)
    bound = max(0.0, (channels - burst) / rate)
    once, twice = counts[1], sum(v for k, v in counts.items() if k > 1)
    ok = once == due and twice == 0 and elapsed <= 1.2 * bound
    return [
        kind,
        f"{planners}/{senders}",
        workspaces,
        channels,
        f"{rate:g}/s",
        week,
        due,
        f"{bound:.1f}",
        f"{elapsed:.1f}",
        f"{elapsed / bound:.2f}" if bound else "-",
        rounds,
        rejected,
        f"{once}/{due}",
        twice,
        interleaved(posts),
        spread(posts, wall_start),
        sampler.threads,
        f"{sampler.rss_mib:.0f}",
        "met" if ok else "MISSED",
    ]


def first_and_last(posts: list[tuple[str, float]]) -> tuple[dict[str, float], dict[str, float]]:
    """Return when each workspace posted its first prompt, and its last."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for team, at in posts:
        first.setdefault(team, at)
        last[team] = at
    return first, last


def spread(posts: list[tuple[str, float]], start: float) -> str:
    """Return when the last workspace to start posted its first prompt, and the longest any took from there."""
    first, last = first_and_last(posts)
    if not first:
        return "-"
    return f"{max(first.values()) - start:.1f} / {max(last[t] - first[t] for t in first):.1f}"


def _set_up(fake: object, ids: list[str], channels: int, rate: float) -> tuple[str, str, str, dict[str, str]]:
    """In the fake's process: set the limits, a token and C channels per workspace; return the app's ids."""
    fake.rate_limit(1.0)
    fake.workspace_rate_limit(rate)
    tokens = {}
    for w, slack_team in enumerate(ids):
        tokens[slack_team] = fake.workspace_token(slack_team)
        for c in range(channels):
            fake.add_channel(f"{slack_team}C{c:03d}", f"w{w}-c{c}", members=[fake.bot_user_id])
    return fake.app_id, fake.bot_id, fake.bot_user_id, tokens


def _reset_calls(fake: object) -> None:
    fake.reset_calls()


def _summary(fake: object, channel_ids: list[str]) -> tuple[Counter, list[tuple[str, float]], int]:
    """In the fake's process: (how many channels hold 0, 1, 2... messages, (workspace, time) of each post, 429s)."""
    counts = Counter(len(fake.messages(channel)) for channel in channel_ids)
    posts = [(call.team, call.at) for call in fake.calls_to("chat.postMessage") if call.status == 200]
    return counts, posts, fake.rejected


def interleaved(posts: list[tuple[str, float]]) -> str:
    """Return how many workspaces had posted before the first workspace to finish posted its last."""
    first, last = first_and_last(posts)
    if not last:
        return "-"
    earliest_done = min(last.values())
    return f"{sum(1 for at in first.values() if at <= earliest_done)}/{len(first)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    parser.add_argument("--workspaces", type=int, default=10)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--rate", type=float, default=2.0, help="messages a second per workspace")
    parser.add_argument("--planners", type=int, default=8, help="workspaces planned at once")
    parser.add_argument("--senders", type=int, default=32, help="threads posting, shared by every workspace")
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # a 429 retried is expected here, not news
    rows = [
        run(kind, args.workspaces, args.channels, args.rate, args.planners, args.senders, args.postgres)
        for kind in args.db
    ]
    print(
        f"Workspace fan-out ({machine()}): {args.workspaces} workspaces x {args.channels} channels, "
        f"1 msg/s per conversation, {args.rate:g} msg/s per workspace (burst {max(1.0, args.rate):g})\n"
    )
    print(
        table(
            [
                "database",
                "planners/senders",
                "workspaces",
                "channels each",
                "workspace limit",
                "week",
                "prompts",
                "bound s",
                "took s",
                "x bound",
                "rounds",
                "429s",
                "exactly once",
                "duplicates",
                "started before the first finished",
                "last start s / longest span s",
                "peak threads",
                "peak RSS MiB",
                "target <=1.2x",
            ],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
