"""How long the objective form's Preview takes: re-tag the last week's updates with a new wording.

    python benchmarks/objective_preview.py [--db sqlite postgresql] [--objectives 30] [--updates 300] [--examples 500]

Fills a scratch database with one workspace of 30 objectives (each with 3 example
updates), 500 hand-tagged updates from earlier weeks (the learned examples) and 300
automatically tagged updates from the last 7 days (the most the preview reads), then
times `ObjectivesService.preview` for an edit of one objective: read, build a tagger
with the draft wording, tag every recent update. The person waits for this after
pressing Preview (the click itself is acknowledged at once).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, scratch_database, table  # noqa: E402

TEAM_ID = "T0000001"
ADMIN = "U0ADMIN1"


def generate(database_url: str, objectives: int, updates: int, examples: int) -> None:
    """Fill the database with one workspace."""
    from sqlalchemy import insert
    from tagger_throughput import OBJECTIVES, synthetic_updates

    from storage import migrate
    from storage.db import make_engine
    from storage.models import CheckinCycle, Objective, Team, Update, UpdateTag, Workspace, utcnow

    engine = make_engine(database_url)
    migrate.upgrade(engine)
    now = utcnow()
    texts = synthetic_updates(updates + examples, seed=12)
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": 1, "slack_team_id": TEAM_ID, "created_at": now}])
        connection.execute(
            insert(Team),
            [
                {
                    "id": 1,
                    "workspace_id": 1,
                    "name": "marketing",
                    "aliases": [],
                    "prompt_weekday": 0,
                    "prompt_time": "10:00",
                    "deadline_hours": 24,
                    "reminder_hours": 4,
                    "prompt_mode": "both",
                    "created_at": now,
                }
            ],
        )
        rows = []
        for o in range(objectives):
            base = OBJECTIVES[o % len(OBJECTIVES)]
            rows.append(
                {
                    "id": o + 1,
                    "workspace_id": 1,
                    "key": f"{base.key}-{o}",
                    "title": f"{base.title} {o}",
                    "description": base.description,
                    "keywords": list(base.keywords),
                    "examples": texts[o * 3 : o * 3 + 3],
                    "created_at": now,
                }
            )
        connection.execute(insert(Objective), rows)
        connection.execute(
            insert(CheckinCycle),
            [
                {
                    "id": c + 1,
                    "workspace_id": 1,
                    "team_id": 1,
                    "week": f"2026-W{c + 1:02d}",
                    "skipped": False,
                    "created_at": now,
                }
                for c in range(52)
            ],
        )
        update_rows, tag_rows = [], []
        for n, text in enumerate(texts):
            recent = n < updates
            update_rows.append(
                {
                    "id": n + 1,
                    "workspace_id": 1,
                    "cycle_id": 52 if recent else n % 51 + 1,
                    "team_id": 1,
                    "author_user_id": f"U{n:08d}",
                    "text": text,
                    "source": "command",
                    "tags_by_hand": not recent,
                    "tags_confident": True,
                    "created_at": now - timedelta(days=1 if recent else 30),
                    "updated_at": now - timedelta(days=1 if recent else 30),
                }
            )
            tag_rows.append(
                {
                    "update_id": n + 1,
                    "objective_id": n % objectives + 1,
                    "score": 0.8,
                    "source": "auto" if recent else "manual",
                }
            )
        connection.execute(insert(Update), update_rows)
        connection.execute(insert(UpdateTag), tag_rows)
    engine.dispose()


def measure(database_url: str, repeats: int) -> list[float]:
    """Return the seconds each preview took."""
    from bot.parsing import ObjectiveDraft
    from bot.services.objectives import ObjectivesService
    from bot.services.permissions import Permissions
    from bot.settings import Settings
    from bot.slack import SlackClients
    from storage.db import make_engine, make_sessionmaker

    settings = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-bench", DATABASE_URL=database_url, ALIGNBOT_ADMINS=ADMIN)
    engine = make_engine(database_url)
    service = ObjectivesService(make_sessionmaker(engine), Permissions(settings, SlackClients(settings)))
    draft = ObjectiveDraft(
        "Grow new-logo revenue 0",
        "Build qualified pipeline and close new customers.",
        ("pipeline", "ARR", "discovery"),
        ("Booked 6 discovery calls with IT directors",),
    )
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        preview = service.preview(TEAM_ID, ADMIN, "new-revenue-0", draft)
        times.append(time.perf_counter() - started)
    assert preview.read > 0
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite"], choices=("sqlite", "postgresql"))
    parser.add_argument("--objectives", type=int, default=30)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    rows = []
    for kind in args.db:
        with scratch_database(kind) as url:
            generate(url, args.objectives, args.updates, args.examples)
            times = measure(url, args.repeats)
        rows.append(
            (
                kind,
                args.objectives,
                args.updates,
                args.examples,
                f"{statistics.median(times) * 1000:.0f} ms",
                f"{max(times) * 1000:.0f} ms",
            )
        )
    print(machine())
    print(table(("database", "objectives", "recent updates", "learned examples", "median", "worst"), rows))


if __name__ == "__main__":
    main()
