"""`alignbot serve` under gunicorn: answers signed requests, refuses forged or stale ones."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bot.fakeslack import SlackSender

SECRET = "serve-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("serve did not become healthy")


def serve_env(fake_slack, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ALIGNBOT_"))}
    env.update(
        SLACK_BOT_TOKEN=fake_slack.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@pytest.fixture
def served(fake_slack, empty_database_url, tmp_path, alignbot_argv):
    port = free_port()
    process = subprocess.Popen(
        alignbot_argv("serve", "--port", str(port), "--no-scheduler", "--threads", "4"),
        env=serve_env(fake_slack, empty_database_url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_answers_signed_requests_and_refuses_forged_or_stale_ones(served, fake_slack):
    sender = SlackSender(f"{served}/slack/events", SECRET, team_id=fake_slack.team_id)
    # The served process runs on the session's clock (alignbot_argv), so signing reads the same clock.
    now = time.time()

    ok = sender.command("/objective", "help", timestamp=now)
    assert ok.status == 200
    assert "/objective list" in ok.body

    assert sender.command("/objective", "help", forge=True, timestamp=now).status == 401
    assert sender.command("/objective", "help", timestamp=now - 6 * 60).status == 401


def test_serve_with_a_refused_token_is_one_line(fake_slack, empty_database_url, tmp_path):
    fake_slack.revoke_token("xoxb-revoked-token")
    env = serve_env(fake_slack, empty_database_url, SLACK_BOT_TOKEN="xoxb-revoked-token")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("alignbot: Slack refused SLACK_BOT_TOKEN (token_revoked)")
    assert "Traceback" not in result.stderr


def test_the_procfile_processes_ack_then_a_worker_does_the_work(
    fake_slack, empty_database_url, tmp_path, alignbot_argv
):
    from sqlalchemy import func, select

    from storage.db import make_engine
    from storage.models import Job

    port = free_port()
    env = serve_env(fake_slack, empty_database_url)
    web = subprocess.Popen(
        alignbot_argv("serve", "--port", str(port), "--no-scheduler", "--no-worker", "--threads", "4"),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    worker = None
    engine = make_engine(empty_database_url)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", web)
        sender = SlackSender(
            f"http://127.0.0.1:{port}/slack/events",
            SECRET,
            team_id=fake_slack.team_id,
            response_urls=fake_slack.response_url,
        )
        assert sender.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id="C0MKTG01").status == 200
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Job)) == 1  # stored, nobody to do it yet

        worker = subprocess.Popen(
            alignbot_argv("worker"), env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

        [answer] = fake_slack.wait_for_responses(1, timeout=30)
        assert "now team *marketing*'s check-in channel" in answer["body"]["text"]
        worker.terminate()
        assert worker.wait(timeout=30) == 0  # SIGTERM: it finished the job in hand and stopped
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Job)) == 0
    finally:
        engine.dispose()
        for process in (worker, web):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


def test_serve_with_a_working_token_installs_its_workspace_again(
    fake_slack, empty_database_url, tmp_path, alignbot_argv
):
    # Single-workspace mode: after an uninstall, only a reinstall gives the app a token Slack accepts again.
    from sqlalchemy import select

    from storage import migrate, repositories
    from storage.db import make_engine, make_sessionmaker
    from storage.models import Workspace, utcnow

    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        repositories.ensure_workspace(session, fake_slack.team_id).uninstalled_at = utcnow()

    def uninstalled() -> bool:
        with sessions() as session:
            return session.scalar(select(Workspace.uninstalled_at)) is not None

    port = free_port()
    process = subprocess.Popen(
        alignbot_argv("serve", "--port", str(port), "--no-scheduler", "--threads", "2"),
        env=serve_env(fake_slack, empty_database_url),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        assert not uninstalled()
    finally:
        process.terminate()
        process.wait(timeout=30)
        engine.dispose()
