"""Check-in answers tagged by the opt-in model, through signed requests into the real app and the fake model."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Objective, Update, UpdateTag
from tests.handlers.conftest import shown
from tests.handlers.test_initiative_command import setup_objectives
from tests.handlers.test_model_tagging import LABELS, PIPELINE, fake_llm, settings  # noqa: F401 (fixtures)

# The lexicon places this nowhere; the model says margins.
COURIER = "Renegotiated the courier contract for the warehouse"
ANSWERS = {**LABELS, COURIER: ["margins"], COURIER + " and the van lease": ["new-revenue"]}


def stored(runtime) -> list[tuple[str, bool, bool, list[tuple[str, str]]]]:
    """Return (text, confident, by hand, sorted (objective key, source)) of each stored answer."""
    with runtime.services.sessions() as session:
        keys = {o.id: o.key for o in session.scalars(select(Objective))}
        return [
            (
                row.text,
                row.tags_confident,
                row.tags_by_hand,
                sorted(
                    (keys[t.objective_id], t.source)
                    for t in session.scalars(select(UpdateTag).where(UpdateTag.update_id == row.id))
                ),
            )
            for row in session.scalars(select(Update).order_by(Update.id))
        ]


def checkin(ask, text: str) -> str:
    return shown(ask("/checkin", text, user="U0MEMB01", channel="C0MKTG01"))


def test_an_answer_is_tagged_by_the_model_stored_and_confirmed(ask, runtime, teams, fake_llm):  # noqa: F811
    setup_objectives(ask)
    fake_llm.labels.update(ANSWERS)
    confirmation = checkin(ask, COURIER)
    assert "Margins" in confirmation and "tagged by the model" in confirmation
    assert "Which objective" not in confirmation
    assert stored(runtime) == [(COURIER, True, False, [("margins", "auto")])]
    assert fake_llm.updates_sent() == [{"id": "1", "team": "marketing", "text": COURIER}]


def test_the_author_is_asked_when_the_model_disagrees_with_a_sure_lexicon(ask, runtime, teams, fake_llm):  # noqa: F811
    setup_objectives(ask)
    confirmation = checkin(ask, PIPELINE)
    assert "Which objective does this serve?" in confirmation and "tagged by the model" in confirmation
    assert stored(runtime) == [(PIPELINE, False, False, [("margins", "auto")])]


def test_a_fault_stores_and_confirms_the_lexicons_tags(ask, runtime, teams, fake_llm):  # noqa: F811
    setup_objectives(ask)
    fake_llm.fail(500)
    confirmation = checkin(ask, PIPELINE)
    assert "Your marketing update for" in confirmation and "tagged by the model" not in confirmation
    assert stored(runtime) == [(PIPELINE, True, False, [("new-revenue", "auto")])]
    assert "last fault" in shown(ask("/alignment", "status", user="U0BOSS01"))


def test_past_the_days_cap_answers_are_the_lexicons(ask, runtime, teams, fake_llm):  # noqa: F811
    setup_objectives(ask)
    for n in range(5):
        checkin(ask, f"{PIPELINE} {n}")
    # Three requests a day (the settings of test_model_tagging); the last two answers are the lexicon's.
    assert len(fake_llm.requests) == 3
    assert stored(runtime) == [(f"{PIPELINE} 4", True, False, [("new-revenue", "auto")])]


def test_an_edited_thread_reply_is_asked_again_and_hand_tags_are_never_sent(
    ask,
    slack,
    runtime,
    teams,
    fake_llm,  # noqa: F811
    fake_slack,
):
    setup_objectives(ask)
    fake_llm.labels.update(ANSWERS)
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    prompt = fake_slack.messages("C0MKTG01")[0]["ts"]
    ts = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", COURIER, thread_ts=prompt)
    reply = {"type": "message", "channel": "C0MKTG01", "user": "U0MEMB01", "ts": ts, "thread_ts": prompt}
    assert slack.event({**reply, "text": COURIER}, event_id="Ev0MODEL01").status == 200
    fake_slack.wait_for("chat.postEphemeral")
    assert "tagged by the model" in str(fake_slack.calls_to("chat.postEphemeral")[-1].args)

    def edit(text: str, event_id: str, count: int) -> None:
        changed = {"type": "message", "subtype": "message_changed", "channel": "C0MKTG01"}
        event = {**changed, "message": {**reply, "text": text}, "previous_message": {**reply, "text": COURIER}}
        assert slack.event(event, event_id=event_id).status == 200
        fake_slack.wait_for("chat.postEphemeral", count=count)

    edited = COURIER + " and the van lease"
    edit(edited, "Ev0MODEL02", 2)
    assert [(text, tags) for text, _, _, tags in stored(runtime)] == [(edited, [("new-revenue", "auto")])]
    assert [u["text"] for u in fake_llm.updates_sent()] == [COURIER, edited]

    # Tagged by hand, the answer's edits keep the author's tags and go nowhere.
    with runtime.services.sessions() as session:
        update_id = session.scalars(select(Update.id)).one()
    runtime.services.checkins.correct_tags(fake_slack.team_id, "U0MEMB01", update_id, ["new-revenue"])
    edit("Renegotiated the courier contract again", "Ev0MODEL03", 3)
    assert stored(runtime) == [("Renegotiated the courier contract again", True, True, [("new-revenue", "manual")])]
    assert len(fake_llm.requests) == 2
