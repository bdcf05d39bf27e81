"""Team goals through the command line: the org file, `alignbot goals`, `tag` and `analyze`."""

from __future__ import annotations

import json
import subprocess

import pytest

from bot.alignment.model import Goal
from bot.cli import main
from bot.orgfile import dump_org, load_org

OBJECTIVES = """\
objectives:
  - key: new-revenue
    title: Grow new-logo revenue
    description: Build qualified pipeline and close new customers.
  - key: margins
    title: Increase margins
  - key: hiring
    title: Hire the engineers we need
"""

ORG = (
    """\
teams:
  - name: marketing
    goals:
      - title: Nurture flows that feed AEs 40 SQLs a month
        serves: [new-revenue]
      - title: Brand refresh with a new logo
        serves: []
      - title: Book 30 discovery calls with new prospects
  - name: ops
    goals:
      - title: Move the Zephyr lanes to the Kestrel carrier
        serves: [margins]
  - sales
"""
    + OBJECTIVES
)

PLAIN = "teams:\n  - marketing\n  - ops\n  - sales\n" + OBJECTIVES

UPDATES = [
    {"id": "u1", "team": "ops", "text": "Zephyr lanes: the Kestrel carrier trial went live on two routes"},
    {"id": "u2", "team": "sales", "text": "Booked 6 discovery calls with new prospects."},
    {"id": "u3", "team": "marketing", "text": "Planned the team offsite and picked the venue."},
]


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


@pytest.fixture
def updates(tmp_path):
    return write(tmp_path, "updates.jsonl", "".join(json.dumps(u) + "\n" for u in UPDATES))


def test_goals_are_read_with_their_links_and_written_back():
    org = load_org(ORG)
    marketing = org.team("marketing")
    assert marketing is not None
    assert marketing.goals == (
        Goal("Nurture flows that feed AEs 40 SQLs a month", ("new-revenue",)),
        Goal("Brand refresh with a new logo", ()),  # [] serves none on purpose
        Goal("Book 30 discovery calls with new prospects", None),  # absent: to be suggested
    )
    assert org.has_goals and not load_org(PLAIN).has_goals
    assert load_org(dump_org(org)) == org


def test_goals_prints_stated_links_as_given_and_suggests_the_rest(tmp_path, capsys):
    status, out, err = run(capsys, "goals", "--org", write(tmp_path, "org.yaml", ORG))
    assert status == 0 and err == ""
    lines = [json.loads(line) for line in out]
    assert [(g["team"], g["title"]) for g in lines] == [
        ("marketing", "Nurture flows that feed AEs 40 SQLs a month"),
        ("marketing", "Brand refresh with a new logo"),
        ("marketing", "Book 30 discovery calls with new prospects"),
        ("ops", "Move the Zephyr lanes to the Kestrel carrier"),
    ]
    assert lines[0] == {
        "team": "marketing",
        "title": "Nurture flows that feed AEs 40 SQLs a month",
        "serves": ["new-revenue"],
        "suggested": False,
        "confident": True,
    }
    assert lines[1]["serves"] == [] and lines[1]["suggested"] is False
    assert lines[2]["serves"] == ["new-revenue"] and lines[2]["suggested"] is True
    assert isinstance(lines[2]["confident"], bool)


def test_goals_of_an_org_file_without_goals_prints_nothing(tmp_path, capsys):
    assert run(capsys, "goals", "--org", write(tmp_path, "org.yaml", PLAIN)) == (0, [], "")


def goal_block(*titles: str, serves: str = "[margins]") -> str:
    body = "".join(f"      - title: {t}\n        serves: {serves}\n" for t in titles)
    return "teams:\n  - name: ops\n    goals:\n" + body + OBJECTIVES


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (goal_block("Cut fuel cost", serves="[margins, fuel]"), 5, "serves 'fuel', which is not an objective key"),
        (goal_block("x" * 201), 4, "longer than 200 characters"),
        (goal_block(*(f"Goal number {n}" for n in range(21))), 44, "more than 20 goals"),
        (goal_block("Cut fuel cost", "cut fuel cost"), 6, "has the goal 'cut fuel cost' twice"),
        ("teams:\n  - name: ops\n    goals:\n      - serves: [margins]\n" + OBJECTIVES, 4, "has no 'title'"),
        (
            "teams:\n  - name: ops\n    goals:\n      - title: A\n        owner: me\n" + OBJECTIVES,
            5,
            "unknown key 'owner'",
        ),
    ],
)
@pytest.mark.parametrize("command", ["goals", "tag", "analyze"])
def test_a_bad_goal_is_one_line_naming_the_file_and_line(tmp_path, capsys, updates, text, line, words, command):
    org = write(tmp_path, "org.yaml", text)
    status, out, err = run(capsys, command, "--org", org, *([updates] if command != "goals" else []))
    assert status == 2 and out == []
    assert err.count("\n") == 1 and f"{org} line {line}: " in err and words in err


def test_twenty_goals_for_a_team_are_fine(tmp_path, capsys):
    status, out, _ = run(
        capsys, "goals", "--org", write(tmp_path, "org.yaml", goal_block(*(f"G{n}" for n in range(20))))
    )
    assert status == 0 and len(out) == 20


def test_tag_lines_name_the_goals_of_the_update_team_only(tmp_path, capsys, updates):
    status, out, _ = run(capsys, "tag", "--org", write(tmp_path, "org.yaml", ORG), updates)
    lines = {line["id"]: line for line in map(json.loads, out)}
    assert status == 0
    assert [g["title"] for g in lines["u1"]["goals"]] == ["Move the Zephyr lanes to the Kestrel carrier"]
    assert 0.5 < lines["u1"]["goals"][0]["score"] <= 1.0
    assert "goals" not in lines["u2"]  # sales has no goals
    assert lines["u3"]["goals"] == []  # marketing has goals; none fits


def test_a_goal_teaches_which_objective_its_team_work_serves(tmp_path, capsys, updates):
    """Nothing in the objectives knows the Kestrel carrier; ops' goal to move lanes there serves margins."""
    _, with_goals, _ = run(capsys, "tag", "--org", write(tmp_path, "org.yaml", ORG), updates)
    _, without, _ = run(capsys, "tag", "--org", write(tmp_path, "plain.yaml", PLAIN), updates)
    assert [o["key"] for o in json.loads(with_goals[0])["objectives"]] == ["margins"]
    assert json.loads(without[0])["objectives"] == []


def test_tag_output_without_goals_keeps_its_fields(tmp_path, capsys, updates):
    _, out, _ = run(capsys, "tag", "--org", write(tmp_path, "plain.yaml", PLAIN), updates)
    assert all(list(json.loads(line)) == ["id", "objectives", "aligned", "confident", "by"] for line in out)


def test_analyze_maps_updates_to_goals_and_reports_goal_findings(tmp_path, capsys, updates):
    status, out, _ = run(capsys, "analyze", "--org", write(tmp_path, "org.yaml", ORG), updates)
    report = json.loads("\n".join(out))
    assert status == 0
    assert {u["id"]: u["goals"] for u in report["updates"]} == {
        "u1": ["Move the Zephyr lanes to the Kestrel carrier"],
        "u2": [],
        "u3": [],
    }
    goal_findings = [f for f in report["findings"] if f["kind"] in ("unlinked_goal", "objective_without_goal")]
    assert [(f["kind"], f["objective"], f["teams"], f["updates"], f.get("goal")) for f in goal_findings] == [
        ("unlinked_goal", None, ["marketing"], [], "Brand refresh with a new logo"),
        ("objective_without_goal", "hiring", [], [], None),
    ]
    assert "serves no business objective" in goal_findings[0]["summary"]


def test_analyze_without_goals_has_no_goal_fields_or_findings(tmp_path, capsys, updates):
    _, out, _ = run(capsys, "analyze", "--org", write(tmp_path, "plain.yaml", PLAIN), updates)
    report = json.loads("\n".join(out))
    assert all("goals" not in u for u in report["updates"])
    assert not [f for f in report["findings"] if f["kind"] in ("unlinked_goal", "objective_without_goal")]


def test_the_installed_command_prints_goals(tmp_path, alignbot_argv):
    result = subprocess.run(
        alignbot_argv("goals", "--org", write(tmp_path, "org.yaml", ORG)), capture_output=True, text=True
    )
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 4
