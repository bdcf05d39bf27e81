"""What one answer costs the database: `/checkin <text>` and a thread reply under the week's prompt.

    python benchmarks/checkin_statements.py [--db sqlite postgresql] [--history 2000 50000] [--answers 30]

For each database and history size: a scratch database, the real app served on loopback
against the Slack fake, a team mapped and eight objectives added through the real commands,
then `history` old updates (one in ten tagged by hand) bulk-inserted. Then, from different
people one after another (each person answers once):

- `answers` signed `/checkin <text>` before the week's prompt went out;
- the prompt is sent; `answers` replies in its thread, as signed `message` events (the event
  claim included: Slack's delivery is recorded as handled);
- `answers` `/checkin <text>` after the prompt: each answer is also shared in the prompt's thread;
- the same people again: each answer replaces theirs, and its shared copy is edited.

A SQLAlchemy `before_cursor_execute` / `begin` listener on the app's engine counts every SQL
statement the engine executes (SQLite's `BEGIN IMMEDIATE` included: it is a statement) and
every transaction begun, from the request until the answer reaches the person (response_url
or chat.postEphemeral), plus a short settle. The durable job queue's own statements (store the
work before the ack, take it, finish it, any look for a next job; each its own transaction, with
no BEGIN) are counted apart, and added to the answer's in a last column. Also times
`_examples_stamp` (the tagger cache's freshness check) in process, median of 200 calls; answers
read it with the workspace row.

Targets (issue 17): at most 5 statements and one transaction per answer; the stamp costs
the same whatever the history.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, scratch_database, table  # noqa: E402

SECRET = "bench-signing-secret"
TEXTS = [
    "Booked 6 discovery calls with regional banks",
    "Held the discount at 10% on the Acme renewal",
    "Ran onboarding sessions for 12 new customers",
    "Sponsored a conference for credit unions; 40 leads",
    "Refreshed the brand colours on the website",
]


def seed_history(engine, workspace_slack_id: str, count: int) -> None:
    """Bulk-insert `count` old updates of the mapped team, one in ten tagged by hand."""
    from sqlalchemy import insert, select

    from storage.models import CheckinCycle, Objective, Team, Update, UpdateTag, Workspace, utcnow

    now = utcnow()
    with engine.begin() as connection:
        workspace = connection.scalar(select(Workspace.id).where(Workspace.slack_team_id == workspace_slack_id))
        team = connection.scalar(select(Team.id).where(Team.workspace_id == workspace))
        objective = connection.scalar(select(Objective.id).where(Objective.workspace_id == workspace))
        weeks = max(1, count // 100)
        cycles = []
        for w in range(weeks):
            result = connection.execute(
                insert(CheckinCycle).values(
                    workspace_id=workspace,
                    team_id=team,
                    week=f"20{10 + w // 52:02d}-W{w % 52 + 1:02d}",
                    skipped=False,
                    created_at=now,
                )
            )
            cycles.append(result.inserted_primary_key[0])
        rows = [
            {
                "workspace_id": workspace,
                "cycle_id": cycles[n % weeks],
                "team_id": team,
                "author_user_id": f"UOLD{n:06d}",
                "text": TEXTS[n % len(TEXTS)] + f" ({n})",
                "source": "command",
                "tags_by_hand": n % 10 == 0,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        for start in range(0, count, 5000):
            connection.execute(insert(Update), rows[start : start + 5000])
        hand = (
            connection.execute(select(Update.id).where(Update.workspace_id == workspace, Update.tags_by_hand.is_(True)))
            .scalars()
            .all()
        )
        if hand:
            connection.execute(
                insert(UpdateTag),
                [{"update_id": u, "objective_id": objective, "score": 1.0, "source": "manual"} for u in hand],
            )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def measure(url: str, history: int, answers: int) -> dict:
    from sqlalchemy import select

    from bot.app import create_app, create_runtime
    from bot.fakeslack import FakeSlack, SlackSender
    from bot.server import create_wsgi_app, serve_in_thread
    from bot.services.tagging import _examples_stamp
    from bot.settings import Settings
    from storage.models import Workspace
    from storage.statements import StatementCounter

    with FakeSlack() as fake:
        fake.add_user("U0ADMIN1", name="ada", is_admin=True)
        groups = {
            kind: [f"U0{kind[0].upper()}{n:06d}" for n in range(answers)] for kind in ("before", "thread", "after")
        }
        people = [person for group in groups.values() for person in group]
        for person in people:
            fake.add_user(person, name=person.lower())
        fake.add_channel("C0MKTG01", "marketing", members=people)
        settings = Settings(
            _env_file=None,
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.base_url,
            DATABASE_URL=url,
        )
        runtime = create_runtime(settings, upgrade_db=True)
        base, stop = serve_in_thread(create_wsgi_app(runtime, create_app(runtime)))
        sender = SlackSender(f"{base}/slack/events", SECRET, team_id=fake.team_id, response_urls=fake.response_url)
        try:

            def ask(command: str, text: str, user: str) -> None:
                before = len(fake.responses())
                response = sender.command(command, text, user_id=user, channel_id="C0MKTG01")
                assert response.status == 200, response.body
                if not response.body:
                    fake.wait_for_responses(before + 1, timeout=10)

            def reply(text: str, user: str, thread_ts: str, n: int) -> None:
                before = len(fake.calls_to("chat.postEphemeral"))
                ts = fake.post_user_message("C0MKTG01", user, text, thread_ts=thread_ts)
                response = sender.event(
                    {
                        "type": "message",
                        "channel": "C0MKTG01",
                        "user": user,
                        "text": text,
                        "ts": ts,
                        "thread_ts": thread_ts,
                        "channel_type": "channel",
                    },
                    event_id=f"Ev0BENCH{n:06d}",
                )
                assert response.status == 200, response.body
                fake.wait_for("chat.postEphemeral", before + 1, timeout=10)

            ask("/alignment", "team marketing", "U0ADMIN1")
            for title in (
                "Grow new-logo revenue",
                "Win in financial services",
                "Reduce churn",
                "Increase margins",
                "Delight customers",
                "Grow EMEA",
                "Expand in the mid-market",
                "Increase deal size",
            ):
                ask("/objective", f"add {title}", "U0ADMIN1")
            seed_history(runtime.engine, fake.team_id, history)
            ask("/checkin", "Warm-up update about the Acme renewal", "U0ADMIN1")  # caches warm
            counter = StatementCounter(runtime.engine)
            results: dict[str, tuple[list[int], list[int], list[int]]] = {}

            def count(kind: str, answer) -> None:
                statements, transactions, queue = results.setdefault(kind, ([], [], []))
                for n, person in enumerate(groups[kind]):
                    time.sleep(0.05)  # let the previous answer's work settle
                    s0, t0, q0 = counter.read()
                    answer(TEXTS[n % len(TEXTS)] + f" #{n}", person, n)
                    time.sleep(0.05)
                    s1, t1, q1 = counter.read()
                    statements.append(s1 - s0)
                    transactions.append(t1 - t0)
                    queue.append(q1 - q0)

            count("before", lambda text, person, n: ask("/checkin", text, person))
            runtime.services.prompts.send_prompts(fake.team_id, "marketing")
            prompt_ts = fake.messages("C0MKTG01")[0]["ts"]
            count("thread", lambda text, person, n: reply(text, person, prompt_ts, n))
            count("after", lambda text, person, n: ask("/checkin", text, person))
            groups["again"] = groups["after"]
            count("again", lambda text, person, n: ask("/checkin", "Reworded: " + text, person))
            with runtime.services.sessions() as session:
                workspace = session.scalar(select(Workspace.id).where(Workspace.slack_team_id == fake.team_id))
                _examples_stamp(session, workspace)
                times = []
                for _ in range(200):
                    started = time.perf_counter()
                    _examples_stamp(session, workspace)
                    times.append(time.perf_counter() - started)
        finally:
            stop()
            runtime.close()
    return {"results": results, "stamp": statistics.median(times)}


ANSWERS = {
    "before": "/checkin <text>",
    "thread": "thread reply (event)",
    "after": "/checkin <text>, shared in the thread",
    "again": "/checkin <text> again (replaces it; shared copy edited)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--history", type=int, nargs="+", default=[2000, 50000])
    parser.add_argument("--answers", type=int, default=30)
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args()
    rows = []
    for kind in args.db:
        for history in args.history:
            with scratch_database(kind, args.postgres) as url:
                m = measure(url, history, args.answers)
            for answer, (s, t, q) in m["results"].items():
                ok = max(s) <= 5 and max(t) <= 1
                both = [a + b for a, b in zip(s, q)]
                rows.append(
                    [
                        kind,
                        history,
                        ANSWERS[answer],
                        f"{min(s)}-{max(s)}",
                        f"{statistics.mean(s):.1f}",
                        f"{min(t)}-{max(t)}",
                        f"{min(q)}-{max(q)}",
                        f"{statistics.mean(q):.1f}",
                        f"{min(both)}-{max(both)}",
                        f"{m['stamp'] * 1000:.2f}",
                        "met" if ok else "MISSED",
                    ]
                )
    print(f"One answer against the database ({machine()}), {args.answers} answers of each kind\n")
    print(
        table(
            [
                "database",
                "updates in history",
                "answer",
                "statements per answer",
                "mean",
                "transactions per answer",
                "queue statements per answer",
                "queue mean",
                "answer + queue",
                "stamp ms (median)",
                "target <=5 statements, 1 transaction (the answer's)",
            ],
            rows,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
