"""The org file and update lines: parsing, validation with line numbers, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.alignment.model import Objective, Org, Team, Update
from bot.orgfile import OrgFileError, UpdateLineError, dump_org, load_org, load_updates, read_org

FULL = """\
# Acme's objectives
teams:                      # optional
  - name: marketing
    aliases: [mktg, demand gen]
    channel: C0MKTG01
    members: [U0ANNA01, U0BEN02]
  - sales
objectives:
  - key: new-revenue
    title: Grow new-logo revenue
    description: Build qualified pipeline and close new customers.
    keywords: [pipeline, ARR]
  - key: margins
    title: Protect margins
"""


def error(text: str) -> OrgFileError:
    with pytest.raises(OrgFileError) as caught:
        load_org(text, source="org.yaml")
    return caught.value


def test_reads_the_documented_example() -> None:
    org = load_org(FULL)
    assert org.teams == (
        Team("marketing", ("mktg", "demand gen"), "C0MKTG01", ("U0ANNA01", "U0BEN02")),
        Team("sales"),
    )
    assert org.objectives == (
        Objective(
            "new-revenue",
            "Grow new-logo revenue",
            "Build qualified pipeline and close new customers.",
            ("pipeline", "ARR"),
        ),
        Objective("margins", "Protect margins"),
    )


def test_objective_examples_are_read_and_written_back() -> None:
    org = load_org(
        "objectives:\n  - key: k\n    title: Keep customers\n"
        "    examples:\n      - Lighthouse visit at Norrland Foods\n      - QBR with Ostara\n"
        "      - QBR with Ostara\n"
    )
    assert org.objectives[0].examples == ("Lighthouse visit at Norrland Foods", "QBR with Ostara")
    assert load_org(dump_org(org)) == org


def test_objective_examples_must_be_a_list_of_texts() -> None:
    assert "examples must be a list of strings" in str(
        error("objectives:\n  - key: k\n    title: K\n    examples: one text\n")
    )


def test_json_is_valid_input() -> None:
    data = {"teams": ["marketing", {"name": "sales", "aliases": ["AE"]}], "objectives": [{"key": "a", "title": "A"}]}
    org = load_org(json.dumps(data))
    assert [t.name for t in org.teams] == ["marketing", "sales"]
    assert org.team("SALES").aliases == ("AE",)


def test_teams_are_optional_and_strings_stay_as_written() -> None:
    org = load_org("objectives:\n  - key: k\n    title: 2024\n    keywords: [no, 3.10]\n")
    assert org.teams == ()
    assert org.objectives[0].title == "2024"
    assert org.objectives[0].keywords == ("no", "3.10")
    assert load_org("teams: [no, on]\nobjectives: [{key: k, title: t}]").teams == (Team("no"), Team("on"))


def test_bad_slug_names_the_line() -> None:
    err = error("objectives:\n  - key: ok\n    title: t\n  - key: New Revenue\n    title: t\n")
    assert err.line == 4
    assert (
        str(err) == "org.yaml line 4: objective key 'New Revenue' must be a slug of a-z, 0-9 and '-' (1-40 characters)"
    )


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("objectives:\n  - key: a\n    title: A\nteam: [x]\n", 4, "unknown key 'team'"),
        ("objectives:\n  - key: a\n    title: A\n  - key: a\n    title: B\n", 4, "used twice (first on line 2)"),
        ("objectives:\n  - key: a\n    description: d\n", 2, "has no 'title'"),
        ("objectives:\n  - key: a\n    title:\n", 3, "title is empty"),
        ("objectives:\n  - key: a\n    title: A\n    keywords: ARR\n", 4, "keywords must be a list of strings"),
        ("objectives:\n  - key: a\n    title: A\n    keywords: [[x]]\n", 4, "keywords must be a list of strings"),
        ("objectives:\n  - key: a\n    title: A\n    titel: B\n", 4, "unknown key 'titel'"),
        ("objectives:\n  - key: " + "a" * 41 + "\n    title: A\n", 2, "must be a slug"),
        ("teams:\n  - sales\n  - Sales\nobjectives: [{key: a, title: A}]\n", 3, "listed twice"),
        ("teams:\n  - name: ''\nobjectives: [{key: a, title: A}]\n", 2, "team name is empty"),
        ("teams:\n  - " + "x" * 81 + "\nobjectives: [{key: a, title: A}]\n", 2, "longer than 80"),
        ("teams:\n  - name: m\n    channel: '#marketing'\nobjectives: [{key: a, title: A}]\n", 3, "Slack channel id"),
        ("teams:\n  - name: m\n    members: [anna]\nobjectives: [{key: a, title: A}]\n", 3, "Slack user id"),
        (
            "teams:\n  - name: m\n    aliases: [sales]\n  - sales\nobjectives: [{key: a, title: A}]\n",
            4,
            "already used by team 'm'",
        ),
        ("teams:\n  - aliases: [x]\nobjectives: [{key: a, title: A}]\n", 2, "has no 'name'"),
        ("teams: sales\nobjectives: [{key: a, title: A}]\n", 1, "'teams' must be a list"),
        ("teams: [a]\nobjectives:\n  key: a\n", 3, "must be a list of objectives"),
        ("teams: [a]\nteams: [b]\nobjectives: [{key: a, title: A}]\n", 2, "has 'teams' twice"),
        ("- a\n- b\n", 1, "must be a mapping"),
        ("objectives: [{key: a, title: A}\n", 2, "not valid YAML"),
        ("teams: [a]\n", 1, "defines no objectives"),
        ("objectives: []\n", 1, "defines no objectives"),
    ],
)
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    err = error(text)
    assert err.line == line, str(err)
    assert words in str(err)
    assert str(err).startswith(f"org.yaml line {line}: ")


def test_empty_file_is_an_error() -> None:
    for text in ("", "# nothing\n"):
        err = error(text)
        assert err.line is None
        assert "empty" in str(err)


def test_read_org_reports_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(OrgFileError, match="no such file"):
        read_org(tmp_path / "nope.yaml")
    with pytest.raises(OrgFileError, match="directory"):
        read_org(tmp_path)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(OrgFileError, match="UTF-8"):
        read_org(binary)
    good = tmp_path / "org.yaml"
    good.write_text(FULL, encoding="utf-8")
    assert read_org(good) == load_org(FULL)
    bad = tmp_path / "bad.yaml"
    bad.write_text("objectives:\n  - key: Bad\n    title: t\n", encoding="utf-8")
    with pytest.raises(OrgFileError) as caught:
        read_org(bad)
    assert str(caught.value).startswith(f"{bad} line 2: ")


def test_dump_round_trips() -> None:
    org = Org(
        teams=(
            Team("marketing", ("mktg", "demand gen"), "C0MKTG01", ("U0ANNA01",)),
            Team("no"),
            Team("Customer Success: EMEA", ("CS",)),
        ),
        objectives=(
            Objective(
                "new-revenue", "Grow revenue: new logos", "Line one.\nLine two: 'quoted'", ("ARR", "yes", "2024")
            ),
            Objective("x", "null"),
        ),
    )
    text = dump_org(org)
    assert load_org(text) == org
    assert load_org(dump_org(load_org(FULL))) == load_org(FULL)


def lines(*objects: object) -> list[str]:
    return [json.dumps(o) + "\n" if not isinstance(o, str) else o for o in objects]


def test_load_updates_reads_fields_and_skips_blank_lines() -> None:
    got = list(
        load_updates(
            lines(
                {"id": "u1", "team": "marketing", "text": "Hi", "author": "U1", "partners": ["sales"], "labels": ["x"]},
                "\n",
                "   \n",
                {"id": "u2", "team": "sales", "text": "Yo", "objectives": []},
                {"id": "u3", "team": "sales", "text": "Yo", "objectives": ["a", "b"]},
            )
        )
    )
    assert got == [
        Update("u1", "marketing", "Hi", author="U1", partners=("sales",)),
        Update("u2", "sales", "Yo", objectives=()),
        Update("u3", "sales", "Yo", objectives=("a", "b")),
    ]
    assert got[0].objectives is None


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("not json\n", "not valid JSON"),
        ("[1, 2]\n", "not a JSON object"),
        (json.dumps({"team": "a", "text": "t"}), "missing 'id'"),
        (json.dumps({"id": "u", "text": "t"}), "missing 'team'"),
        (json.dumps({"id": "u", "team": "a"}), "missing 'text'"),
        (json.dumps({"id": "u", "team": 3, "text": "t"}), "'team' must be a non-empty string"),
        (json.dumps({"id": "u", "team": "a", "text": 5}), "'text' must be a string"),
        (
            json.dumps({"id": "u", "team": "a", "text": "t", "partners": "sales"}),
            "'partners' must be a list of strings",
        ),
        (
            json.dumps({"id": "u", "team": "a", "text": "t", "objectives": [1]}),
            "'objectives' must be a list of strings",
        ),
        (json.dumps({"id": "u0", "team": "a", "text": "t"}), "used twice (first on line 1)"),
    ],
)
def test_bad_update_line_names_the_line(bad: str, words: str) -> None:
    feed = lines({"id": "u0", "team": "a", "text": "fine"}, "\n", bad)
    with pytest.raises(UpdateLineError) as caught:
        list(load_updates(feed, source="week.jsonl"))
    assert caught.value.line == 3
    assert str(caught.value).startswith("week.jsonl line 3: ")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_objective_examples_are_read_and_written() -> None:
    text = FULL.replace(
        "    keywords: [pipeline, ARR]\n",
        "    keywords: [pipeline, ARR]\n    examples:\n      - Booked 6 discovery calls with IT directors\n"
        "      - 'Closed Acme: 40 seats'\n",
    )
    objective = load_org(text).objectives[0]
    assert objective.examples == ("Booked 6 discovery calls with IT directors", "Closed Acme: 40 seats")
    assert load_org(dump_org(load_org(text))) == load_org(text)
    assert (
        "examples must be a list of strings"
        in error("objectives:\n  - key: a\n    title: A\n    examples: just one\n").reason
    )
