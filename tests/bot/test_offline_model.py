"""`alignbot tag` and `alignbot analyze` with the opt-in model, played by the loopback stand-in."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.fakellm import FakeLLM

ORG = """\
teams:
  - sales
  - success
objectives:
  - key: new-revenue
    title: Grow new-logo revenue
    description: Build qualified pipeline and close new customers.
  - key: margins
    title: Increase margins
  - key: keep
    title: Keep our customers
"""
# Each week's template with the answer a correct model gives.
WEEK = [
    ("Booked 6 discovery calls with new prospects at {c}.", ["new-revenue"]),
    ("Closed {c} as a new customer, two-year contract.", ["new-revenue"]),
    ("Cut the agency retainer and moved {c} reporting in-house to save cost.", ["margins"]),
    ("Renegotiated the {c} freight contract: 8% lower rate.", ["margins"]),
    ("QBR with {c}: renewal looks safe, they want the new module.", ["keep"]),
    ("Webinar with {c} on our roadmap, 140 sign-ups.", ["new-revenue"]),
    ("Planned the team offsite and picked the venue near {c}.", []),
    ("Sent the {c} proposal, pricing approved by finance.", ["new-revenue"]),
    ("Onboarding call with {c}, first users live on Friday.", ["keep"]),
    ("Rebuilt the pricing page; {c} said it finally makes sense.", ["new-revenue"]),
]
ROWS = [
    {"id": f"u{n}", "team": "sales", "text": text.format(c=place), "labels": labels}
    for n, (place, (text, labels)) in enumerate((p, w) for p in ("Acme", "Borealis", "Cobalt") for w in WEEK)
]
GOLD = {row["text"]: row["labels"] for row in ROWS}
LLM_VARIABLES = ("URL", "MODEL", "API_KEY", "MODE", "TIMEOUT", "MAX_PER_DAY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in LLM_VARIABLES:
        monkeypatch.delenv(f"ALIGNBOT_LLM_{name}", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.fixture
def stand_in():
    with FakeLLM(GOLD) as fake:
        yield fake


@pytest.fixture
def files(tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(ORG)
    updates = tmp_path / "updates.jsonl"
    updates.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "labels"}) + "\n" for r in ROWS))
    return org, updates


def use(monkeypatch, fake: FakeLLM, mode: str = "unsure", **more: str) -> None:
    monkeypatch.setenv("ALIGNBOT_LLM_URL", fake.url)
    monkeypatch.setenv("ALIGNBOT_LLM_MODEL", "stand-in")
    monkeypatch.setenv("ALIGNBOT_LLM_MODE", mode)
    for name, value in more.items():
        monkeypatch.setenv(f"ALIGNBOT_LLM_{name.upper()}", value)


def run(capsys, *argv: str) -> tuple[str, str]:
    assert main(list(argv)) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def keys(line: dict) -> list[str]:
    return [o["key"] for o in line["objectives"]]


def test_nothing_is_sent_when_the_url_is_unset(files, stand_in, capsys):
    org, updates = files
    out, err = run(capsys, "tag", "--org", str(org), str(updates))
    run(capsys, "analyze", "--org", str(org), str(updates))

    assert stand_in.requests == []
    assert {json.loads(line)["by"] for line in out.splitlines()} == {"lexicon"}
    assert err == ""


def test_unsure_mode_sends_only_what_the_lexicon_is_unsure_of(files, stand_in, monkeypatch, capsys):
    org, updates = files
    lexicon = [json.loads(line) for line in run(capsys, "tag", "--org", str(org), str(updates))[0].splitlines()]
    unsure = [row["text"] for row, line in zip(ROWS, lexicon) if not line["confident"]]
    assert unsure  # the case under test

    use(monkeypatch, stand_in)
    out, err = run(capsys, "tag", "--org", str(org), str(updates))
    lines = [json.loads(line) for line in out.splitlines()]

    assert [u["text"] for u in stand_in.updates_sent()] == unsure
    for row, was, line in zip(ROWS, lexicon, lines):
        if was["confident"]:
            assert line == was  # untouched, still the lexicon's
        else:
            assert (keys(line), line["confident"], line["by"]) == (row["labels"], True, "model")
    assert err == ""


def test_all_mode_sends_every_update_and_asks_where_a_sure_lexicon_disagrees(files, stand_in, monkeypatch, capsys):
    org, updates = files
    lexicon = [json.loads(line) for line in run(capsys, "tag", "--org", str(org), str(updates))[0].splitlines()]
    use(monkeypatch, stand_in, "all")
    lines = [json.loads(line) for line in run(capsys, "tag", "--org", str(org), str(updates))[0].splitlines()]

    assert [u["text"] for u in stand_in.updates_sent()] == [row["text"] for row in ROWS]
    assert [len(r.updates) for r in stand_in.requests] == [20, 10]
    disagreed = 0
    for row, was, line in zip(ROWS, lexicon, lines):
        assert (keys(line), line["by"]) == (row["labels"], "model")
        sure_but_other = was["confident"] and set(keys(was)) != set(row["labels"])
        disagreed += sure_but_other
        assert line["confident"] is not sure_but_other
    assert disagreed  # the case under test


def test_hand_tagged_lines_are_never_sent(files, stand_in, monkeypatch, capsys, tmp_path):
    org, _ = files
    rows = [{**ROWS[0], "objectives": ["margins"]}, ROWS[1]]
    updates = tmp_path / "hand.jsonl"
    updates.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "labels"}) + "\n" for r in rows))
    use(monkeypatch, stand_in, "all")
    lines = [json.loads(line) for line in run(capsys, "tag", "--org", str(org), str(updates))[0].splitlines()]

    assert [u["text"] for u in stand_in.updates_sent()] == [ROWS[1]["text"]]
    assert [(keys(line), line["by"]) for line in lines] == [(["margins"], "hand"), (["new-revenue"], "model")]


def test_the_key_goes_as_a_bearer_token(files, monkeypatch, capsys):
    org, updates = files
    with FakeLLM(GOLD, api_key="sk-test-key") as fake:
        use(monkeypatch, fake, "all", api_key="sk-test-key")
        out, err = run(capsys, "tag", "--org", str(org), str(updates))
    assert {r.headers["authorization"] for r in fake.requests} == {"Bearer sk-test-key"}
    assert {json.loads(line)["by"] for line in out.splitlines()} == {"model"}
    assert "sk-test-key" not in out + err


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda fake: fake.fail(500), id="HTTP 500"),
        pytest.param(lambda fake: fake.fail(401), id="HTTP 401"),
        pytest.param(lambda fake: fake.throttle(retry_after=0, times=None), id="429 twice"),
        pytest.param(lambda fake: fake.throttle(retry_after=3600, times=None), id="429 far off"),
        pytest.param(lambda fake: fake.slow(3), id="timeout"),
        pytest.param(lambda fake: fake.garble(), id="content not JSON"),
        pytest.param(lambda fake: fake.garble(body=True), id="body not JSON"),
        pytest.param(lambda fake: fake.stop(), id="dead endpoint"),
    ],
)
@pytest.mark.parametrize("mode", ["unsure", "all"])
def test_a_fault_leaves_the_lexicons_output_byte_for_byte(files, stand_in, monkeypatch, capsys, break_it, mode):
    org, updates = files
    lexicon = run(capsys, "tag", "--org", str(org), str(updates))[0]
    lexicon_report = run(capsys, "analyze", "--org", str(org), str(updates))[0]
    use(monkeypatch, stand_in, mode, timeout="0.5")
    break_it(stand_in)

    out, err = run(capsys, "tag", "--org", str(org), str(updates))
    report, report_err = run(capsys, "analyze", "--org", str(org), str(updates))

    assert out == lexicon and report == lexicon_report
    for note in (err, report_err):
        assert note.count("\n") == 1 and note.startswith(f"alignbot: the model at {stand_in.url} failed")
    # One fault ends a run's asking (two attempts at most, for a 429), not one failing request a batch.
    assert len(stand_in.requests) <= 4


def test_a_hanging_endpoint_is_asked_once_a_run_not_once_a_batch(files, stand_in, monkeypatch, capsys):
    org, updates = files
    lexicon = run(capsys, "tag", "--org", str(org), str(updates))[0]
    use(monkeypatch, stand_in, "all", timeout="0.3", max_per_day="50")
    stand_in.slow(2)
    out, err = run(capsys, "tag", "--org", str(org), str(updates))
    # 30 updates make two batches: the first one's timeout ends the run's asking.
    assert len(stand_in.requests) == 1
    failed = f"alignbot: the model at {stand_in.url} failed (no answer within 0.3 s)"
    assert out == lexicon and err == failed + ": those updates are tagged by the lexicon\n"


def test_a_429_is_waited_out_once(files, stand_in, monkeypatch, capsys):
    org, updates = files
    stand_in.throttle(retry_after=0, times=1)
    use(monkeypatch, stand_in, "all")
    out, err = run(capsys, "tag", "--org", str(org), str(updates))

    assert {json.loads(line)["by"] for line in out.splitlines()} == {"model"} and err == ""
    first, second = stand_in.requests[:2]
    assert first.body == second.body  # the same batch again
    assert len(stand_in.requests) == 3


def test_left_out_ids_keep_the_lexicons_answer_and_unknown_keys_are_dropped(files, stand_in, monkeypatch, capsys):
    org, updates = files
    lexicon = [json.loads(line) for line in run(capsys, "tag", "--org", str(org), str(updates))[0].splitlines()]
    stand_in.left_out.add(ROWS[0]["text"])
    stand_in.extra_keys.append("world-peace")
    use(monkeypatch, stand_in, "all")
    lines = [json.loads(line) for line in run(capsys, "tag", "--org", str(org), str(updates))[0].splitlines()]

    assert lines[0] == lexicon[0]
    assert all(keys(line) == row["labels"] for row, line in zip(ROWS[1:], lines[1:]))


def test_the_daily_cap_stops_asking_and_says_so(files, stand_in, monkeypatch, capsys):
    org, updates = files
    use(monkeypatch, stand_in, "all", max_per_day="1")
    out, err = run(capsys, "tag", "--org", str(org), str(updates))
    lines = [json.loads(line) for line in out.splitlines()]

    assert len(stand_in.requests) == 1
    assert [line["by"] for line in lines] == ["model"] * 20 + ["lexicon"] * 10
    assert err == "alignbot: ALIGNBOT_LLM_MAX_PER_DAY (1 requests) reached: 10 updates are tagged by the lexicon\n"


def test_a_text_already_answered_is_not_asked_again(files, stand_in, monkeypatch, capsys, tmp_path):
    org, _ = files
    twice = [*ROWS[:3], *({**row, "id": row["id"] + "-again"} for row in ROWS[:3])]
    updates = tmp_path / "twice.jsonl"
    updates.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "labels"}) + "\n" for r in twice))
    use(monkeypatch, stand_in, "all")
    lines = [json.loads(line) for line in run(capsys, "tag", "--org", str(org), str(updates))[0].splitlines()]

    assert [u["text"] for u in stand_in.updates_sent()] == [row["text"] for row in ROWS[:3]]
    assert [keys(line) for line in lines] == [row["labels"] for row in twice]


def test_analyze_reports_on_the_models_tags(files, stand_in, monkeypatch, capsys):
    org, updates = files
    use(monkeypatch, stand_in, "all")
    report = json.loads(run(capsys, "analyze", "--org", str(org), str(updates))[0])

    assert {u["id"]: u["objectives"] for u in report["updates"]} == {r["id"]: r["labels"] for r in ROWS}
    unaligned = [f for f in report["findings"] if f["kind"] == "unaligned_work"]
    assert [sorted(f["updates"]) for f in unaligned] == [sorted(r["id"] for r in ROWS if not r["labels"])]
