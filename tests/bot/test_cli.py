"""The command line: exit 2 with one line for user errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect

from bot.cli import main
from storage.db import make_engine
from tests.bot.test_settings import ALL_VARIABLES

# Every setting, and where the suite runs: none may leak into a CLI run from the caller's environment.
SLACK_VARIABLES = (*ALL_VARIABLES, "TEST_DATABASE_URL")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in SLACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=60,
    )


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
    result = run_cli(
        "socket",
        "--no-scheduler",
        cwd=tmp_path,
        env={
            "SLACK_BOT_TOKEN": fake_slack.bot_token,
            "SLACK_APP_TOKEN": "xapp-1-revoked",
            "SLACK_API_URL": fake_slack.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            "LOG_LEVEL": "WARNING",
        },
    )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("alignbot: Slack refused SLACK_APP_TOKEN (")


def test_a_command_on_the_database_prints_no_migration_chatter(tmp_path):
    result = run_cli(
        "db", "upgrade", cwd=tmp_path, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", "LOG_LEVEL": "INFO"}
    )
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


def first_line_then_close(argv: list[str], **popen) -> tuple[bytes, int, str]:
    """Run `argv` as `... | head -n 1` would: read one line, close the pipe; return it, the status and stderr."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    return first, process.wait(timeout=60), err


# What a shell reports for a command its reader stopped (128 + SIGPIPE), as for `yes | head -n 1`.
EXIT_PIPE_CLOSED = 141


def test_tag_into_a_reader_that_stops_early_exits_quietly(tmp_path, alignbot_argv):
    org = tmp_path / "org.yaml"
    org.write_text("objectives:\n  - key: new-revenue\n    title: Grow new-logo revenue\n")
    updates = tmp_path / "updates.jsonl"
    # Far more output than a pipe holds: hand-tagged lines with long ids, so nothing waits on the tagger.
    updates.write_text(
        "".join(
            json.dumps({"id": f"u{n}-" + "x" * 300, "team": "sales", "text": "Called", "objectives": ["new-revenue"]})
            + "\n"
            for n in range(3000)
        )
    )
    first, status, err = first_line_then_close(alignbot_argv("tag", "--org", str(org), str(updates)), cwd=tmp_path)
    assert json.loads(first)["id"].startswith("u0-")
    assert (status, err) == (EXIT_PIPE_CLOSED, "")


def test_the_demo_into_a_reader_that_stops_early_exits_quietly(tmp_path, alignbot_argv):
    first, status, err = first_line_then_close(
        alignbot_argv("demo", "--fast", "--out", str(tmp_path / "out")), cwd=tmp_path
    )
    assert first.startswith(b"Alignbot demo:")
    assert (status, err) == (EXIT_PIPE_CLOSED, "")


@pytest.fixture
def without_psycopg(tmp_path) -> dict[str, str]:
    """Return the environment of a child Python in which `import psycopg` fails, as where the extra is missing."""
    blocker = tmp_path / "no-psycopg"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['psycopg'] = None\n")
    return {"PYTHONPATH": os.pathsep.join([str(blocker), *filter(None, [os.environ.get("PYTHONPATH")])])}


@pytest.mark.parametrize(
    "args, env, url",
    [
        (["db", "upgrade"], {}, "postgresql+psycopg://u:pw@127.0.0.1:1/db"),
        (["db", "upgrade"], {}, "postgresql://u:pw@127.0.0.1:1/db"),
        (
            ["serve", "--no-scheduler"],
            {"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1"},
            "postgresql+psycopg://u:pw@127.0.0.1:1/db",
        ),
        (["export", "--team-id", "T0123ABCD"], {}, "postgresql+psycopg://u:pw@127.0.0.1:1/db"),
    ],
)
def test_postgresql_without_the_extra_says_which_extra_to_install(
    tmp_path, alignbot_argv, without_psycopg, args, env, url
):
    base = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES}
    result = subprocess.run(
        alignbot_argv(*args),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**base, **without_psycopg, **env, "DATABASE_URL": url},
    )
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("alignbot: ") and "pip install 'alignbot[postgres]'" in line
    assert "pw" not in line


def test_another_postgresql_driver_that_is_missing_points_to_psycopg(tmp_path):
    result = run_cli("db", "upgrade", env={"DATABASE_URL": "postgresql+pg8000://u:pw@127.0.0.1:1/db"}, cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "pg8000" in line and "postgresql+psycopg://" in line and "pip install 'alignbot[postgres]'" in line


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--team-id", "T0123ABCD"],
        ["digest", "--team-id", "T0123ABCD"],
        ["org", "export", "--team-id", "T0123ABCD"],
        ["forget", "--team-id", "T0123ABCD", "--yes"],
        ["checkins", "send", "--team-id", "T0123ABCD"],
    ],
)
def test_a_command_on_stored_data_without_a_database_makes_none(clean_env, monkeypatch, capsys, args):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")  # checkins send asks for it first
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"alignbot: there is no database at {clean_env / 'alignbot.db'}: set DATABASE_URL to "
        "yours, or make one with `alignbot db upgrade` or by running the app\n"
    )
    assert list(clean_env.iterdir()) == []


@pytest.mark.parametrize("command", ["tag", "analyze"])
def test_reading_updates_from_a_terminal_says_so_first(tmp_path, alignbot_argv, command):
    import pty
    import select

    org = tmp_path / "org.yaml"
    org.write_text(
        "objectives:\n  - key: new-revenue\n    title: Grow new-logo revenue\n"
        "    description: Build qualified pipeline and close new customers.\n"
    )
    terminal, stdin = pty.openpty()
    process = subprocess.Popen(
        alignbot_argv(command, "--org", str(org)),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    os.close(stdin)
    try:
        ready, _, _ = select.select([process.stderr], [], [], 30)
        said = process.stderr.readline().decode() if ready else ""
        # As a person types it: one update, then Ctrl-D at the start of a line.
        os.write(
            terminal, json.dumps({"id": "u1", "team": "sales", "text": "Booked 6 discovery calls"}).encode() + b"\n\x04"
        )
        out, err = process.communicate(timeout=60)
    finally:
        os.close(terminal)
        if process.poll() is None:
            process.kill()
    assert said == (
        "alignbot: reading update lines from standard input (end them with Ctrl-D), or pass UPDATES.jsonl\n"
    )
    assert process.returncode == 0 and err == b""
    assert b'"u1"' in out


def test_reading_updates_with_standard_input_closed_is_one_line(tmp_path, alignbot_argv):
    org = tmp_path / "org.yaml"
    org.write_text("objectives:\n  - key: new-revenue\n    title: Grow new-logo revenue\n")
    result = subprocess.run(
        alignbot_argv("tag", "--org", str(org)),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        stdin=None,
        preexec_fn=lambda: os.close(0),
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "alignbot: there is no standard input to read update lines from: pass UPDATES.jsonl\n"
