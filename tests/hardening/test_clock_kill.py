"""The clock killed with SIGKILL in the middle of a fan-out, then restarted, completes the week exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from storage import repositories
from storage.models import Team, TeamMember

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-23T08:00:00+00:00"  # Monday 09:00 in Berlin: every team's prompt is due
TEAMS, MEMBERS = 4, 5
# One clock round, as `alignbot clock` runs it, with a lease short enough for the restart to take over.
CLOCK = """
import sys
from datetime import datetime, timedelta
from bot.services.deliveries import Deliveries
from bot.services.prompts import Prompts
from bot.settings import Settings
from bot.slack import SlackClients
from storage.db import make_engine, make_sessionmaker

url, api, token, now, lease = sys.argv[1:6]
settings = Settings(_env_file=None, SLACK_BOT_TOKEN=token, SLACK_API_URL=api, DATABASE_URL=url)
sessions = make_sessionmaker(make_engine(url))
deliveries = Deliveries(sessions, lease=timedelta(seconds=float(lease)))
prompts = Prompts(settings, sessions, SlackClients(settings), deliveries, send_threads=4)
report = prompts.tick(now=datetime.fromisoformat(now))
print(report.sent, report.already, report.failed, report.pending, flush=True)
"""


def clock(database_url: str, fake_slack, lease: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CLOCK, database_url, fake_slack.base_url, fake_slack.bot_token, NOW, str(lease)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def targets() -> list[str]:
    channels = [f"C0TEAM{t:03d}" for t in range(TEAMS)]
    return channels + [f"U0T{t:02d}M{m:03d}" for t in range(TEAMS) for m in range(MEMBERS)]


def test_a_killed_clock_restarted_sends_every_prompt_exactly_once(runtime, fake_slack, database_url):
    with runtime.services.sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, fake_slack.team_id)
        for t in range(TEAMS):
            users = [f"U0T{t:02d}M{m:03d}" for m in range(MEMBERS)]
            for user in users:
                fake_slack.add_user(user, name=user.lower())
            fake_slack.add_channel(f"C0TEAM{t:03d}", f"team-{t}", members=users)
            team = Team(
                workspace_id=workspace.id,
                name=f"team {t}",
                channel_id=f"C0TEAM{t:03d}",
                prompt_weekday=0,
                prompt_time="09:00",
                timezone="Europe/Berlin",
            )
            session.add(team)
            session.flush()
            session.add_all(TeamMember(workspace_id=workspace.id, team_id=team.id, user_id=u) for u in users)
    expected = targets()

    # Slack answers slowly, so the kill lands with sends claimed, in flight and done.
    fake_slack.delay("chat.postMessage", 0.15, times=None)
    first = clock(database_url, fake_slack, lease=0.3)
    try:
        fake_slack.wait_for("chat.postMessage", 6, timeout=30)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    done_before = len(fake_slack.calls_to("chat.postMessage"))
    assert 0 < done_before < len(expected)

    fake_slack.clear_faults()
    time.sleep(0.5)  # the killed clock's last requests land, and its claims outlive the lease
    for _ in range(3):  # a restart takes over; a claim still fresh would wait for the next tick
        second = clock(database_url, fake_slack, lease=0.3)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        sent, already, failed, pending = map(int, out.split())
        if sent + already == len(expected):
            break
    assert failed == 0 and pending == 0

    counts = Counter({target: len(fake_slack.messages(target)) for target in expected})
    assert counts == Counter({target: 1 for target in expected})
