"""The command line: exit 2 with one line for user errors, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect

from bot.cli import main
from storage.db import make_engine

SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID",
                   "SLACK_CLIENT_SECRET", "SLACK_API_URL", "DATABASE_URL", "PORT", "ALIGNBOT_ADMINS",
                   "ALIGNBOT_TIMEZONE", "LOG_LEVEL", "TEST_DATABASE_URL")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in SLACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env={**base, **(env or {})}, cwd=cwd, timeout=60)


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["--help"])
    assert raised.value.code == 0
    out = capsys.readouterr().out
    for command in ("serve", "socket", "clock", "db"):
        assert command in out


def test_unknown_command_is_one_line_and_exit_2(capsys):
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("alignbot: argument COMMAND: invalid choice: 'frobnicate'")


def test_serve_without_slack_settings_names_what_is_missing(tmp_path):
    result = run_cli("serve", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and "SLACK_SIGNING_SECRET is not set" in lines[0]
    assert "Traceback" not in result.stderr


def test_serve_with_secret_but_no_token_names_the_token(tmp_path):
    result = run_cli("serve", env={"SLACK_SIGNING_SECRET": "s"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_port_is_named(tmp_path):
    result = run_cli("serve", env={"PORT": "http"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("alignbot: PORT is invalid")


def test_db_upgrade_creates_the_schema(clean_env, monkeypatch, capsys, empty_database_url):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    assert main(["db", "upgrade"]) == 0
    assert "is at revision" in capsys.readouterr().out
    engine = make_engine(empty_database_url)
    assert "updates" in inspect(engine).get_table_names()
    engine.dispose()


def test_unreachable_database_is_one_line(clean_env, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:pw@127.0.0.1:1/nowhere")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("alignbot: cannot use the database at postgresql+psycopg://nobody:***@127.0.0.1:1/nowhere")
    assert "pw@" not in err


def test_socket_mode_without_app_token_names_it(tmp_path):
    result = run_cli("socket", env={"SLACK_BOT_TOKEN": "xoxb-1"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("alignbot: SLACK_APP_TOKEN is not set")
    assert len(result.stderr.strip().splitlines()) == 1


def test_several_workers_need_the_scheduler_elsewhere(capsys):
    assert main(["serve", "--workers", "2"]) == 2
    assert "--no-scheduler" in capsys.readouterr().err


def test_the_clock_without_a_token_names_it(tmp_path):
    result = run_cli("clock", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("alignbot: SLACK_BOT_TOKEN is not set")


@pytest.mark.parametrize("url", ["mysql://u:pw@localhost/db", "mssql+pyodbc://u@dsn", "oracle://u@h/db"])
def test_an_unsupported_database_url_is_one_line(tmp_path, url):
    result = run_cli("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("alignbot: DATABASE_URL is invalid")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "pw" not in result.stderr


def test_socket_mode_with_a_refused_app_token_is_one_line(tmp_path, fake_slack):
    fake_slack.revoke_token("xapp-1-revoked")
    result = run_cli("socket", "--no-scheduler", cwd=tmp_path, env={
        "SLACK_BOT_TOKEN": fake_slack.bot_token, "SLACK_APP_TOKEN": "xapp-1-revoked",
        "SLACK_API_URL": fake_slack.base_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", "LOG_LEVEL": "WARNING"})
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("alignbot: Slack refused SLACK_APP_TOKEN (")


def test_a_command_on_the_database_prints_no_migration_chatter(tmp_path):
    result = run_cli("db", "upgrade", cwd=tmp_path,
                     env={"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", "LOG_LEVEL": "INFO"})
    assert result.returncode == 0
    assert result.stderr == ""


def test_building_the_app_does_not_warn_about_the_token(runtime, monkeypatch, caplog):
    from bot.app import create_app

    monkeypatch.setenv("SLACK_BOT_TOKEN", runtime.settings.bot_token)
    with caplog.at_level("INFO"):
        create_app(runtime, token_verification=False)
    assert not any("will be unused" in r.getMessage() for r in caplog.records)


def test_the_worker_takes_a_whole_number_of_threads(capsys):
    assert main(["worker", "--threads", "0"]) == 2
    assert "--threads" in capsys.readouterr().err
