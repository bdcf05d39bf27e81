"""`alignbot tag` and `alignbot analyze`: the file formats and JSON of docs/formats.md."""

from __future__ import annotations

import io
import json

import pytest

from bot.cli import main

ORG = """\
teams:
  - name: marketing
    aliases: [mktg]
  - sales
objectives:
  - key: new-revenue
    title: Grow new-logo revenue
    description: Build qualified pipeline and close new customers.
  - key: margins
    title: Increase margins
"""

UPDATES = [
    {"id": "u1", "team": "sales", "text": "Booked 6 discovery calls with new prospects."},
    {"id": "u2", "team": "marketing", "text": "Planned the team offsite and picked the venue."},
    {"id": "u3", "team": "marketing", "text": "Anything at all", "objectives": ["margins"]},
    {"id": "u4", "team": "sales", "text": "Renegotiated something", "objectives": []},
]


@pytest.fixture
def files(tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(ORG)
    updates = tmp_path / "updates.jsonl"
    updates.write_text("".join(json.dumps(u) + "\n" for u in UPDATES))
    return org, updates


def test_tag_prints_one_line_per_update_in_order(files, capsys):
    org, updates = files
    assert main(["tag", "--org", str(org), str(updates)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert [line["id"] for line in lines] == ["u1", "u2", "u3", "u4"]
    assert [o["key"] for o in lines[0]["objectives"]] == ["new-revenue"] and lines[0]["aligned"] is True
    assert lines[1]["objectives"] == [] and lines[1]["aligned"] is False
    assert all(isinstance(line["confident"], bool) for line in lines)
    # Hand tags replace the automatic ones, even when empty, and are always sure.
    assert lines[2] == {
        "id": "u3",
        "objectives": [{"key": "margins", "score": 1.0}],
        "aligned": True,
        "confident": True,
        "by": "hand",
    }
    assert lines[3] == {"id": "u4", "objectives": [], "aligned": False, "confident": True, "by": "hand"}
    # Without a model every other line is the lexicon's.
    assert lines[0]["by"] == lines[1]["by"] == "lexicon"


JARGON_ORG = """\
objectives:
  - key: pipeline
    title: Build pipeline
  - key: keep
    title: Keep our customers
  - key: spend
    title: Spend less
"""
# In-house names no built-in knowledge can know: only people's tags can teach them.
TAUGHT = [
    {"id": "t1", "team": "sales", "text": "Ran 4 Spark sessions with prospects.", "objectives": ["pipeline"]},
    {"id": "t2", "team": "cs", "text": "Lighthouse visit at Norrland Foods.", "objectives": ["keep"]},
    {"id": "t3", "team": "ops", "text": "Put two vendors on the sunset list.", "objectives": ["spend"]},
]
LATER = [
    {"id": "l1", "team": "sales", "text": "Three Spark sessions on the calendar."},
    {"id": "l2", "team": "cs", "text": "Lighthouse visits at Ostara and Kelso."},
    {"id": "l3", "team": "ops", "text": "Moved the Figma seats to the sunset list."},
]


def _tag_lines(tmp_path, capsys, org_text, rows, *flags):
    org = tmp_path / "org.yaml"
    org.write_text(org_text)
    updates = tmp_path / "updates.jsonl"
    updates.write_text("".join(json.dumps(u) + "\n" for u in rows))
    assert main(["tag", "--org", str(org), *flags, str(updates)]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_tag_learn_lets_hand_tagged_lines_teach_the_lines_after_them(tmp_path, capsys):
    cold = _tag_lines(tmp_path, capsys, JARGON_ORG, TAUGHT + LATER)
    learned = _tag_lines(tmp_path, capsys, JARGON_ORG, TAUGHT + LATER, "--learn")

    assert [line["objectives"] for line in cold[3:]] == [[], [], []]
    assert [[o["key"] for o in line["objectives"]] for line in learned[3:]] == [["pipeline"], ["keep"], ["spend"]]
    # Learning runs forward only: a line before its teacher is tagged as if nothing was taught.
    reversed_lines = _tag_lines(tmp_path, capsys, JARGON_ORG, LATER + TAUGHT, "--learn")
    assert [line["objectives"] for line in reversed_lines[:3]] == [[], [], []]


def test_tag_org_file_examples_teach_the_tagger(tmp_path, capsys):
    org = JARGON_ORG.replace(
        "    title: Keep our customers\n",
        "    title: Keep our customers\n    examples: [Lighthouse visit at Norrland Foods]\n",
    )
    lines = _tag_lines(tmp_path, capsys, org, LATER)
    assert [o["key"] for o in lines[1]["objectives"]] == ["keep"]


WEEK = [
    "Booked 6 discovery calls with new prospects at {c}.",
    "Closed {c} as a new customer, two-year contract.",
    "Cut the agency retainer and moved {c} reporting in-house to save cost.",
    "Renegotiated the {c} freight contract: 8% lower rate.",
    "QBR with {c}: renewal looks safe, they want the new module.",
    "Webinar with {c} on our roadmap, 140 sign-ups.",
    "Planned the team offsite and picked the venue near {c}.",
    "Sent the {c} proposal, pricing approved by finance.",
    "Onboarding call with {c}, first users live on Friday.",
    "Rebuilt the pricing page; {c} said it finally makes sense.",
]
PLACES = [
    "Acme",
    "Borealis",
    "Cobalt",
    "Dunmore",
    "Elgin",
    "Fairhaven",
    "Granite",
    "Harbor",
    "Ironwood",
    "Juniper",
    "Kestrel",
    "Lakeview",
    "Meridian",
    "Northgate",
    "Oakridge",
    "Pinecrest",
    "Quarry",
    "Redwood",
    "Silverline",
    "Tidewater",
    "Upland",
    "Vantage",
    "Westbrook",
    "Yarrow",
    "Zenith",
]


@pytest.mark.parametrize("places", [2, 3, 25], ids=["20 lines", "30 lines", "250 lines"])
def test_tag_asks_about_at_most_a_quarter_of_the_lines(tmp_path, capsys, places):
    rows = [
        {"id": f"u{i}", "team": "sales", "text": text.format(c=place)}
        for i, (place, text) in enumerate((p, t) for p in PLACES[:places] for t in WEEK)
    ]
    lines = _tag_lines(tmp_path, capsys, ORG + "  - key: keep\n    title: Keep our customers\n", rows)

    asked = sum(not line["confident"] for line in lines)
    # A quarter is the most `score.py tag --assisted` allows; a sample of the lines would only come near it.
    assert 0 < asked <= len(lines) // 4


@pytest.mark.parametrize("places, every", [(3, 1), (25, 7)], ids=["first 20 tagged", "every 7th tagged"])
def test_tag_learn_asks_about_at_most_a_quarter_of_the_lines_nobody_tagged(tmp_path, capsys, places, every):
    rows = [
        {"id": f"u{i}", "team": "sales", "text": text.format(c=place)}
        for i, (place, text) in enumerate((p, t) for p in PLACES[:places] for t in WEEK)
    ]
    taught = rows[:20] if every == 1 else rows[::every]
    for row in taught:
        row["objectives"] = ["new-revenue"] if "customer" in row["text"] else []
    lines = _tag_lines(tmp_path, capsys, ORG, rows, "--learn")

    judged = [line for row, line in zip(rows, lines) if "objectives" not in row]
    asked = sum(not line["confident"] for line in judged)
    # However the tagger learned along the way, the lines nobody tagged are ranked together at the end.
    assert 0 < asked <= len(judged) // 4


def test_tag_learn_reads_each_line_a_bounded_number_of_times(tmp_path, capsys):
    from bot.alignment.reading import _cached_analyse

    rows = [
        {"id": f"u{i}", "team": "sales", "text": text.format(c=place)}
        for i, (place, text) in enumerate((p, t) for p in PLACES[:25] for t in WEEK)
    ]
    for row in rows[::5]:
        row["objectives"] = ["new-revenue"] if "customer" in row["text"] else []
    before = _cached_analyse.cache_info()
    lines = _tag_lines(tmp_path, capsys, ORG, rows, "--learn")
    after = _cached_analyse.cache_info()

    reads = after.hits + after.misses - before.hits - before.misses
    assert len(lines) == len(rows)
    # Read to weigh words, to be remembered if sure, to learn from or be judged: not again for each
    # line people tagged, as setting the tagger's own cut-off again after each would (the lines are
    # ranked together at the end).
    assert reads <= 5 * len(rows)


def test_tag_reads_stdin(files, capsys, monkeypatch):
    org, updates = files
    monkeypatch.setattr("sys.stdin", io.StringIO(updates.read_text()))
    assert main(["tag", "--org", str(org), "-"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4


def test_analyze_json_has_the_contract_shape(files, capsys):
    org, updates = files
    assert main(["analyze", "--org", str(org), str(updates), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)

    assert set(report) >= {"updates", "coverage", "findings", "scores"}
    assert report["coverage"]["new-revenue"] == {"sales": 1}
    assert report["coverage"]["margins"] == {"marketing": 1}
    kinds = {(f["kind"], f["objective"], tuple(f["teams"])) for f in report["findings"]}
    assert ("unaligned_work", None, ("marketing",)) in kinds
    assert ("unaligned_work", None, ("sales",)) in kinds
    assert ("solo_objective", "new-revenue", ("sales",)) in kinds
    assert set(report["scores"]) >= {"alignment", "interdependence", "teams"}


def test_analyze_text_is_readable(files, capsys):
    org, updates = files
    assert main(["analyze", "--org", str(org), str(updates), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "Grow new-logo revenue" in out and "marketing" in out


def test_analyze_lists_the_handoffs_it_finds(files, capsys):
    org, updates = files
    updates.write_text(
        "".join(
            json.dumps(u) + "\n"
            for u in [
                {"id": "h1", "team": "marketing", "text": "Handed the webinar leads to sales."},
                {"id": "h2", "team": "marketing", "text": "Joined the sales team dinner."},
                {"id": "h3", "team": "sales", "text": "Need mktg to review the battlecard."},
            ]
        )
    )
    assert main(["analyze", "--org", str(org), str(updates), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["handoffs"] == [
        {
            "update": "h1",
            "from": "marketing",
            "to": "sales",
            "kind": "handoff",
            "phrase": "Handed the webinar leads to sales",
        },
        {"update": "h3", "from": "sales", "to": "marketing", "kind": "ask", "phrase": "Need mktg to"},
    ]
    assert main(["analyze", "--org", str(org), str(updates), "--format", "text"]) == 0
    assert "Handoffs\n  marketing -> sales (handoff, h1)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("org_text", "update_lines", "expected"),
    [
        ("objectives: []\n", "", "defines no objectives"),
        ("objectives:\n  - key: Bad Key\n    title: x\n", "", "line 2"),
        (ORG, '{"id": "a", "team": "sales", "text": "ok"}\nnot json\n', "line 2"),
        (ORG, '{"id": "a", "team": "sales"}\n', "line 1"),
        (ORG, '{"id": "a", "team": "sales", "text": "x", "objectives": ["nope"]}\n', "tagged 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, org_text, update_lines, expected):
    org = tmp_path / "org.yaml"
    org.write_text(org_text)
    updates = tmp_path / "u.jsonl"
    updates.write_text(update_lines)
    for command in ("tag", "analyze"):
        assert main([command, "--org", str(org), str(updates)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1 and expected in captured.err


def test_missing_files_are_named(tmp_path, capsys):
    assert main(["tag", "--org", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_analyze_keeps_an_unsure_guess_out_of_unaligned_work(tmp_path, capsys):
    org = tmp_path / "org.yaml"
    org.write_text(ORG)
    updates = tmp_path / "updates.jsonl"
    updates.write_text(
        json.dumps({"id": "g1", "team": "marketing", "text": "Ran the partner summit in Lisbon"})
        + "\n"
        + json.dumps({"id": "h1", "team": "sales", "text": "Anything", "objectives": []})
        + "\n"
    )
    assert main(["analyze", "--org", str(org), str(updates), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["unconfirmed"] == ["g1"]
    assert [f["updates"] for f in report["findings"] if f["kind"] == "unaligned_work"] == [["h1"]]
    # The text names the team whose update waits.
    assert main(["analyze", "--org", str(org), str(updates), "--format", "text"]) == 0
    assert "- marketing: 1 update waits for its author's answer" in capsys.readouterr().out
