"""The model in operation: what a dead endpoint costs the answers, and how big the kept answers grow.

    python benchmarks/model_ops.py [--db sqlite postgresql] [--answers 20] [--timeout 0.5]
        [--versions 10] [--per-version 2000]

Dead endpoint: `--answers` check-in answers, one after another, go through ModelService.answers with
bot.fakellm on loopback hanging past `--timeout`; the time each answer waits, with the pause after
a fault (as shipped) and without it (every answer tries the endpoint, as before issue 27's pause).

Kept answers: a workspace whose objectives change `--versions` times, with `--per-version` answers
kept for each version; the rows (and, on SQLite, the file's size) kept without a prune and after
it, and how long the prune takes (the first ask of a new version, and the daily job).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from benchmarks.common import machine, scratch_database, table  # noqa: E402
from bot.alignment.model import Objective, Verdict  # noqa: E402
from bot.fakellm import FakeLLM  # noqa: E402
from bot.llm import Ask, objectives_version, system_message  # noqa: E402
from bot.services import model as model_service  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import migrate, repositories  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import ModelAnswer, utcnow  # noqa: E402

OBJECTIVES = [Objective("margins", "Increase margins"), Objective("new-revenue", "Grow new revenue")]
UNSURE = Verdict((), False, (), 0.0)


def dead_endpoint(url: str, answers: int, timeout: float, paused: bool) -> tuple[list[float], int]:
    """Return each answer's wait (seconds) and the requests sent, with the endpoint hanging."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        repositories.ensure_workspace(session, "T0BENCH")
    waits: list[float] = []
    first = model_service.PAUSE_FIRST
    with FakeLLM() as fake:
        fake.slow(timeout * 4)
        settings = Settings(
            _env_file=None, ALIGNBOT_LLM_URL=fake.url, ALIGNBOT_LLM_MODE="all", ALIGNBOT_LLM_TIMEOUT=str(timeout)
        )
        service = model_service.ModelService(settings, sessions, None, None)  # type: ignore[arg-type]
        if not paused:
            model_service.PAUSE_FIRST = timedelta(0)  # every answer finds the pause over and tries again
        try:
            for n in range(answers):
                started = time.perf_counter()
                service.answers("T0BENCH", [(Ask("ops", f"Answer number {n}"), UNSURE)], OBJECTIVES)
                waits.append(time.perf_counter() - started)
        finally:
            model_service.PAUSE_FIRST = first
        sent = len(fake.requests)
    engine.dispose()
    return waits, sent


def kept_answers(url: str, versions: int, per_version: int) -> dict[str, object]:
    """Fill a workspace's kept answers over `versions` objectives' versions; prune; return the figures."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        workspace_id = repositories.ensure_workspace(session, "T0BENCH").id
    now = utcnow()
    names = []
    for v in range(versions):
        objectives = [*OBJECTIVES, Objective(f"goal-{v}", f"Goal number {v}")]
        version = objectives_version(system_message(objectives), "m")
        names.append(version)
        rows = [
            {
                "workspace_id": workspace_id,
                "key": f"{version}{n:048d}",
                "objectives": ["margins"],
                "version": version,
                "created_at": now - timedelta(days=versions - v, seconds=n),
            }
            for n in range(per_version)
        ]
        with sessions.begin() as session:
            session.execute(insert(ModelAnswer), rows)
    figures: dict[str, object] = {"rows before": count(sessions), "size before": size(engine)}
    started = time.perf_counter()
    with sessions.begin() as session:
        repositories.forget_model_answers(session, workspace_id, names[-1])
    figures["version prune"] = time.perf_counter() - started
    figures["rows after"] = count(sessions)
    started = time.perf_counter()
    with sessions.begin() as session:
        repositories.prune_model_answers(
            session, workspace_id, now - model_service.ANSWER_RETENTION, model_service.ANSWERS_KEPT
        )
    figures["daily prune"] = time.perf_counter() - started
    figures["size after"] = size(engine)
    started = time.perf_counter()
    with sessions() as session:
        for n in range(0, per_version, max(per_version // 200, 1)):
            repositories.model_answer(session, workspace_id, f"{names[-1]}{n:048d}")
    figures["lookup"] = (time.perf_counter() - started) / len(range(0, per_version, max(per_version // 200, 1)))
    engine.dispose()
    return figures


def count(sessions: sessionmaker) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ModelAnswer)) or 0)


def size(engine) -> str:
    if engine.dialect.name != "sqlite":
        with engine.connect() as connection:
            found = connection.execute(text("SELECT pg_total_relation_size('model_answers')")).scalar_one()
        return f"{found / 1024 / 1024:.1f} MiB (table)"
    with engine.connect() as connection:
        pages = [connection.execute(text(f"PRAGMA {name}")).scalar_one() for name in ("page_count", "freelist_count")]
        page_size = connection.execute(text("PRAGMA page_size")).scalar_one()
    # Pages in use: freed pages are reused by the next rows (a VACUUM would give them back to the disk).
    return f"{(pages[0] - pages[1]) * page_size / 1024 / 1024:.1f} MiB (pages in use)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=0.5)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--per-version", type=int, default=2000)
    args = parser.parse_args()
    logging.getLogger("bot.services.model").setLevel(logging.ERROR)  # the fault's warning, once a run
    print(machine())
    rows = []
    for kind in args.db:
        for paused in (False, True):
            with scratch_database(kind) as url:
                waits, sent = dead_endpoint(url, args.answers, args.timeout, paused)
            rows.append(
                [
                    kind,
                    "pause (shipped)" if paused else "no pause",
                    args.answers,
                    f"{sum(waits):.2f} s",
                    f"{statistics.median(waits) * 1000:.0f} ms",
                    f"{max(waits) * 1000:.0f} ms",
                    sent,
                ]
            )
    print(f"\nDead endpoint (hangs; ALIGNBOT_LLM_TIMEOUT={args.timeout:g} s), answers one after another:\n")
    print(table(["db", "run", "answers", "total wait", "median", "max", "requests"], rows))
    rows = []
    for kind in args.db:
        with scratch_database(kind) as url:
            f = kept_answers(url, args.versions, args.per_version)
        rows.append(
            [
                kind,
                f"{f['rows before']:,} / {f['size before']}",
                f"{f['rows after']:,} / {f['size after']}",
                f"{float(f['version prune']) * 1000:.0f} ms",  # type: ignore[arg-type]
                f"{float(f['daily prune']) * 1000:.0f} ms",  # type: ignore[arg-type]
                f"{float(f['lookup']) * 1000:.2f} ms",  # type: ignore[arg-type]
            ]
        )
    print(f"\nKept answers: {args.versions} objectives' versions x {args.per_version:,} answers, one workspace:\n")
    print(table(["db", "kept before", "kept after", "version prune", "daily prune", "lookup"], rows))


if __name__ == "__main__":
    main()
