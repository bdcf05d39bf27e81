"""`alignbot org import` and `alignbot org export`: objectives as code, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.orgfile import load_org
from storage import repositories
from storage.models import Workspace

ORG = """\
teams:
  - name: marketing
    aliases: [mktg]
    channel: C0MKTG01
    members: [U0ANNA01]
  - sales
objectives:
  - key: new-revenue
    title: Grow new-logo revenue
    description: Build qualified pipeline.
    keywords: [pipeline, ARR]
"""


@pytest.fixture
def cli(monkeypatch, database_url, engine, tmp_path, capsys):
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "ALIGNBOT_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")  # migration progress lines are logs, not the answer
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_import_then_export_reimports_to_the_same_state(cli, tmp_path):
    (tmp_path / "org.yaml").write_text(ORG)
    code, out, _ = cli("org", "import", "org.yaml", "--team-id", "T0AAAAA01")
    assert code == 0 and "objectives added: 1 (new-revenue)" in out and "teams added: 2" in out
    code, exported, _ = cli("org", "export", "--team-id", "T0AAAAA01")
    assert code == 0 and load_org(exported) == load_org(ORG)
    (tmp_path / "again.yaml").write_text(exported)
    code, out, _ = cli("org", "import", "again.yaml", "--team-id", "T0AAAAA01")
    assert code == 0 and "objectives unchanged: 1" in out and "teams unchanged: 2" in out


def test_a_bad_file_names_its_line_and_changes_nothing(cli, tmp_path):
    (tmp_path / "org.yaml").write_text(ORG)
    cli("org", "import", "org.yaml", "--team-id", "T0AAAAA01")
    (tmp_path / "bad.yaml").write_text(ORG.replace("key: new-revenue", "key: New Revenue"))
    code, _, err = cli("org", "import", "bad.yaml", "--team-id", "T0AAAAA01")
    assert code == 2 and "bad.yaml line 8" in err and err.count("\n") == 1
    conflicting = "teams:\n  - name: growth\n    channel: C0MKTG01\nobjectives:\n  - key: other\n    title: Other\n"
    (tmp_path / "conflict.yaml").write_text(conflicting)
    code, _, err = cli("org", "import", "conflict.yaml", "--team-id", "T0AAAAA01")
    assert code == 2 and "conflict.yaml line 3" in err
    _, exported, _ = cli("org", "export", "--team-id", "T0AAAAA01")
    assert load_org(exported) == load_org(ORG)


def test_usage_errors_are_one_line(cli, tmp_path):
    for args, words in (
        (("org", "import", "missing.yaml", "--team-id", "T0AAAAA01"), "no such file"),
        (("org", "import", "org.yaml"), "--team-id"),
        (("org", "export", "--team-id", "nope"), "not a Slack workspace id"),
        (("org", "export", "--team-id", "T0UNKNOWN"), "no workspace T0UNKNOWN"),
        (("org",), "required"),
    ):
        code, _, err = cli(*args)
        assert code == 2 and words in err, args
        assert err.strip().count("\n") == 0 and "Traceback" not in err


def test_examples_are_stored_on_import_written_on_export_and_teach_the_tagger(cli, tmp_path, runtime):
    text = ORG.replace(
        "    keywords: [pipeline, ARR]\n",
        "    keywords: [pipeline, ARR]\n    examples:\n      - Ran a Lighthouse session for the Nordics\n",
    )
    (tmp_path / "org.yaml").write_text(text)
    assert cli("org", "import", "org.yaml", "--team-id", "T0AAAAA01")[0] == 0
    code, exported, _ = cli("org", "export", "--team-id", "T0AAAAA01")
    assert code == 0 and load_org(exported).objectives[0].examples == ("Ran a Lighthouse session for the Nordics",)

    with runtime.services.sessions() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.slack_team_id == "T0AAAAA01"))
        tagger = runtime.services.tagging.tagger_for(workspace.id, session)
    assert [m.key for m in tagger.tag("Two more Lighthouse sessions")] == ["new-revenue"]

    (tmp_path / "changed.yaml").write_text(text.replace("for the Nordics", "for Iberia"))
    code, out, _ = cli("org", "import", "changed.yaml", "--team-id", "T0AAAAA01")
    assert code == 0 and "objectives updated: 1 (new-revenue)" in out


def test_too_many_examples_are_bad_input(cli, tmp_path):
    many = "".join(f"      - example {i}\n" for i in range(21))
    (tmp_path / "org.yaml").write_text(ORG + "    examples:\n" + many)
    code, _, err = cli("org", "import", "org.yaml", "--team-id", "T0AAAAA01")
    assert code == 2 and "at most 20 examples" in err and err.count("\n") == 1


def test_a_team_name_that_looks_like_an_existing_one_is_refused_and_nothing_changes(cli, tmp_path):
    (tmp_path / "org.yaml").write_text(ORG)
    cli("org", "import", "org.yaml", "--team-id", "T0AAAAA01")
    # "ѕales" starts with a Cyrillic letter: it would be a second team that reads as sales.
    (tmp_path / "spoof.yaml").write_text(
        ORG.replace("  - sales\n", "  - sales\n  - \u0455ales\n").replace("key: new-revenue", "key: margins")
    )
    code, _, err = cli("org", "import", "spoof.yaml", "--team-id", "T0AAAAA01")
    assert code == 2 and err.count("\n") == 1
    assert "looks like team 'sales'" in err and "spoof.yaml line 7" in err, err
    code, exported, _ = cli("org", "export", "--team-id", "T0AAAAA01")
    assert load_org(exported) == load_org(ORG)


# --------------------------------------------------------------------------- goals

GOALS = """\
teams:
  - name: marketing
    goals:
      - title: Nurture flows that feed AEs 40 SQLs a month
        serves: [new-revenue]
      - title: Brand refresh with a new logo
        serves: []
      - title: Build qualified pipeline with new customers
  - sales
objectives:
  - key: new-revenue
    title: Grow new-logo revenue
    description: Build qualified pipeline and close new customers.
  - key: margins
    title: Increase margins
"""


def stored_goals(runtime) -> list[tuple[str, str, list[str], bool]]:
    with runtime.services.sessions() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.slack_team_id == "T0AAAAA01"))
        if workspace is None:
            return []
        keys = {o.id: o.key for o in repositories.list_objectives(session, workspace.id)}
        teams = {t.id: t.name for t in repositories.list_teams(session, workspace.id)}
        return [
            (teams[g.team_id], g.title, [keys[s.objective_id] for s in g.serves], g.suggested)
            for g in repositories.list_goals(session, workspace.id)
        ]


def test_goals_are_stored_on_import_and_written_on_export(cli, tmp_path, runtime):
    (tmp_path / "org.yaml").write_text(GOALS)
    code, out, _ = cli("org", "import", "org.yaml", "--team-id", "T0AAAAA01")
    assert code == 0 and "goals added: 3" in out
    assert stored_goals(runtime) == [
        ("marketing", "Nurture flows that feed AEs 40 SQLs a month", ["new-revenue"], False),
        ("marketing", "Brand refresh with a new logo", [], False),
        ("marketing", "Build qualified pipeline with new customers", ["new-revenue"], True),
    ]
    code, exported, _ = cli("org", "export", "--team-id", "T0AAAAA01")
    # A suggested link is not written as if someone stated it: the file round-trips as it was.
    assert code == 0 and load_org(exported) == load_org(GOALS)
    (tmp_path / "again.yaml").write_text(exported)
    code, out, _ = cli("org", "import", "again.yaml", "--team-id", "T0AAAAA01")
    assert code == 0 and "goals unchanged: 3" in out and "goals added" not in out

    (tmp_path / "changed.yaml").write_text(GOALS.replace("serves: []", "serves: [margins]"))
    code, out, _ = cli("org", "import", "changed.yaml", "--team-id", "T0AAAAA01")
    assert code == 0 and "goals updated: 1 (marketing: Brand refresh with a new logo)" in out
    assert stored_goals(runtime)[1] == ("marketing", "Brand refresh with a new logo", ["margins"], False)


def test_a_goal_left_out_of_the_file_is_left_alone_and_said_so(cli, tmp_path, runtime):
    (tmp_path / "org.yaml").write_text(GOALS)
    cli("org", "import", "org.yaml", "--team-id", "T0AAAAA01")
    (tmp_path / "fewer.yaml").write_text(
        GOALS.replace("      - title: Brand refresh with a new logo\n        serves: []\n", "")
    )
    code, out, _ = cli("org", "import", "fewer.yaml", "--team-id", "T0AAAAA01")
    assert code == 0 and "left alone (in the database, not in the file): goals marketing: Brand refresh" in out
    assert len(stored_goals(runtime)) == 3


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (GOALS.replace("serves: [new-revenue]", "serves: [new-revenue, fuel]"), "serves 'fuel', which is not an"),
        (GOALS.replace("Brand refresh with a new logo", "x" * 201), "longer than 200 characters"),
        (
            GOALS.replace("    goals:\n", "    goals:\n" + "".join(f"      - title: Goal {n}\n" for n in range(18)), 1),
            "more than 20 goals",
        ),
    ],
)
def test_a_bad_goal_is_one_line_and_nothing_is_stored(cli, tmp_path, runtime, bad, words):
    (tmp_path / "bad.yaml").write_text(bad)
    code, _, err = cli("org", "import", "bad.yaml", "--team-id", "T0AAAAA01")
    assert code == 2 and words in err and err.count("\n") == 1 and "bad.yaml line " in err
    assert stored_goals(runtime) == []


def test_goals_stored_and_in_the_file_may_not_pass_twenty_for_a_team(cli, tmp_path, runtime):
    many = GOALS.replace("    goals:\n", "    goals:\n" + "".join(f"      - title: Goal {n}\n" for n in range(17)), 1)
    (tmp_path / "many.yaml").write_text(many)
    assert cli("org", "import", "many.yaml", "--team-id", "T0AAAAA01")[0] == 0
    others = GOALS.replace("Brand refresh with a new logo", "A twenty-first goal")
    (tmp_path / "more.yaml").write_text(others)
    code, _, err = cli("org", "import", "more.yaml", "--team-id", "T0AAAAA01")
    assert code == 2 and "team 'marketing' would have more than 20 goals" in err and "more.yaml line 2" in err
    assert len(stored_goals(runtime)) == 20 and "A twenty-first goal" not in str(stored_goals(runtime))
