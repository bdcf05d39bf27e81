"""Goal links asked of the opt-in model: `alignbot goals` and `alignbot org import`, the stand-in on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.fakellm import FakeLLM
from storage.models import Goal
from tests.bot.test_goal_import_questions import DINNER, MEETUP, ORG, SUMMIT, dms, import_org, questions, stored
from tests.bot.test_offline_model import clean_environment  # noqa: F401 - autouse: no ALIGNBOT_LLM_* from outside

SURE = "Close new customers from qualified pipeline"
# What a model answers: the lexicon is unsure of the summit and the meetup, sure of SURE; the dinner it leaves out.
LABELS = {SUMMIT: ["margins"], MEETUP: ["hiring", "new-revenue"], SURE: ["margins"]}


@pytest.fixture
def stand_in() -> Iterator[FakeLLM]:
    with FakeLLM(LABELS) as fake:
        yield fake


def use(monkeypatch, fake: FakeLLM, mode: str = "unsure") -> None:
    monkeypatch.setenv("ALIGNBOT_LLM_URL", fake.url)
    monkeypatch.setenv("ALIGNBOT_LLM_MODEL", "stand-in")
    monkeypatch.setenv("ALIGNBOT_LLM_MODE", mode)
    monkeypatch.setenv("ALIGNBOT_LLM_TIMEOUT", "2")


def goals(tmp_path, capsys) -> tuple[int, str, str]:
    (tmp_path / "org.yaml").write_text(ORG)
    status = main(["goals", "--org", str(tmp_path / "org.yaml")])
    out, err = capsys.readouterr()
    return status, out, err


def by_title(out: str) -> dict[str, dict]:
    return {line["title"]: line for line in map(json.loads, out.splitlines())}


def test_nothing_is_sent_when_the_url_is_unset(tmp_path, capsys, stand_in):
    status, out, err = goals(tmp_path, capsys)
    assert status == 0 and err == "" and stand_in.requests == []
    assert by_title(out)[SUMMIT]["confident"] is False


def test_the_models_answer_is_the_suggested_link(tmp_path, capsys, stand_in, monkeypatch):
    _, lexicon, _ = goals(tmp_path, capsys)
    use(monkeypatch, stand_in)
    status, out, err = goals(tmp_path, capsys)
    assert status == 0 and err == ""
    # Unsure mode: only the goals the lexicon is unsure of, each title one update line with its team.
    assert stand_in.updates_sent() == [
        {"id": "1", "team": "marketing", "text": SUMMIT},
        {"id": "2", "team": "marketing", "text": MEETUP},
        {"id": "3", "team": "sales", "text": DINNER},
    ]
    lines, before = by_title(out), by_title(lexicon)
    assert lines[SUMMIT] == {**before[SUMMIT], "serves": ["margins"], "confident": True}
    assert lines[MEETUP]["serves"] == ["hiring", "new-revenue"] and lines[MEETUP]["confident"] is True
    assert lines[DINNER] == before[DINNER]  # left out of the reply: the lexicon's stands
    assert lines[SURE] == before[SURE]


def test_in_all_mode_a_model_that_disagrees_with_a_sure_lexicon_leaves_it_unsure(
    tmp_path, capsys, stand_in, monkeypatch
):
    use(monkeypatch, stand_in, mode="all")
    _, out, _ = goals(tmp_path, capsys)
    assert SURE in [u["text"] for u in stand_in.updates_sent()]
    assert by_title(out)[SURE] == {**by_title(out)[SURE], "serves": ["margins"], "confident": False}
    # A stated link is never sent: nothing to suggest.
    assert "Brand refresh with a new logo" not in [u["text"] for u in stand_in.updates_sent()]


@pytest.mark.parametrize(
    "fault", [lambda fake: fake.fail(500), lambda fake: fake.garble(), lambda fake: fake.slow(3.0)]
)
def test_a_broken_endpoint_prints_the_lexicons_links_byte_for_byte(tmp_path, capsys, stand_in, monkeypatch, fault):
    _, lexicon, _ = goals(tmp_path, capsys)
    use(monkeypatch, stand_in)
    fault(stand_in)
    status, out, err = goals(tmp_path, capsys)
    assert status == 0 and out == lexicon
    assert err.count("\n") == 1 and "the model at" in err and "tagged by the lexicon" in err


def test_an_import_stores_the_models_links_and_asks_leads_only_about_the_rest(
    leads, tmp_path, capsys, stand_in, monkeypatch, fake_slack, runtime
):
    use(monkeypatch, stand_in)
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and err == ""
    assert stored(runtime)[SUMMIT] == (["margins"], True, True)
    assert stored(runtime)[MEETUP] == (["hiring", "new-revenue"], True, True)
    assert by_model(runtime) == {SUMMIT, MEETUP}
    assert "asked 1 lead about 1 goal's links" in out
    assert dms(fake_slack, "U0LEAD01") == [] and list(questions(dms(fake_slack, "U0LEAD02")[0])) == [DINNER]

    # Again: the workspace's kept answers; only the goal the model left out is sent again. Nobody is asked.
    sent = len(stand_in.updates_sent())
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and "goals unchanged: 6" in out and "asked" not in out
    assert [u["text"] for u in stand_in.updates_sent()[sent:]] == [DINNER]


def test_an_import_with_a_broken_model_stores_the_lexicons_links(
    leads, tmp_path, capsys, stand_in, monkeypatch, runtime
):
    use(monkeypatch, stand_in)
    stand_in.fail(500)
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and "asked 2 leads about 3 goals' links" in out
    assert err.count("\n") == 1 and "failed (HTTP 500): tagged by the lexicon" in err  # the app's warning
    assert stored(runtime)[SUMMIT] == (["new-revenue"], True, False)
    assert by_model(runtime) == set()


@pytest.fixture
def leads(cli_env, monkeypatch, fake_slack, runtime):
    from tests.bot.test_goal_import_questions import set_leads

    monkeypatch.delenv("ALIGNBOT_ADMINS", raising=False)
    fake_slack.add_user("U0LEAD01", name="lee")
    fake_slack.add_user("U0LEAD02", name="sam")
    return set_leads(runtime, fake_slack.team_id, marketing="U0LEAD01", sales="U0LEAD02")


def test_a_first_import_into_a_new_workspace_asks_the_model_too(
    cli_env, tmp_path, capsys, stand_in, monkeypatch, runtime
):
    monkeypatch.delenv("ALIGNBOT_ADMINS", raising=False)
    use(monkeypatch, stand_in)
    status, out, _ = import_org(tmp_path, capsys)
    assert status == 0 and "goals added: 6" in out
    assert stored(runtime)[SUMMIT] == (["margins"], True, True)


def by_model(runtime) -> set[str]:
    """Return the titles of the goals whose links the model chose."""
    with runtime.services.sessions() as session:
        return set(session.scalars(select(Goal.title).where(Goal.by_model)))
