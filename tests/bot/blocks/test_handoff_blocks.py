"""Handoff Block Kit stays within Slack's limits whatever people write, and reads as the loop needs."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import handoffs
from bot.blocks.handoffs import HandoffCard, HandoffDigest, PairStat
from bot.fakeslack.blockkit import validate, validate_message, validate_view

texts = st.one_of(
    st.text(max_size=60),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "<", "&", "🙂", "\n"]), st.integers(0, 5000)),
)
states = st.sampled_from(["open", "picked_up", "need_more", "not_useful"])
cards = st.builds(
    HandoffCard,
    id=st.integers(1, 10**9),
    source=texts,
    target=texts,
    author=st.just("U0MEMB01"),
    text=texts,
    kind=st.sampled_from(["handoff", "ask"]),
    link=st.one_of(st.none(), st.just("https://x.slack.com/p1")),
    state=states,
    by=st.one_of(st.none(), st.just("U0SELL01")),
    when=st.just("Tue"),
    reason=st.one_of(st.none(), texts),
    age_days=st.integers(0, 400),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(cards, max_size=40, unique_by=lambda c: c.id))
def test_the_group_message_fits_any_number_of_handoffs(group):
    message = handoffs.group_message("marketing", "sales", "2026-W10", group)
    assert validate_message(message["text"], message["blocks"]) == []


@settings(max_examples=40, deadline=None)
@given(cards, st.sampled_from(["need_more", "not_useful"]))
def test_the_why_form_reminder_dm_and_home_fit(card, state):
    assert validate_view(handoffs.why_modal(card, state, {"channel": "C1"})) == []
    reminder = handoffs.reminder_message(card, "123.456", 3)
    assert validate_message(reminder["text"], reminder["blocks"]) == []
    dm = handoffs.author_dm(card)
    assert validate_message(dm["text"], dm["blocks"]) == []
    many = [replace(card, id=card.id + i) for i in range(12)]
    assert validate(handoffs.home_blocks("sales", many), surface="home") == []


def test_the_answer_line_says_who_when_and_why():
    card = HandoffCard(
        1,
        "marketing",
        "sales",
        "U0MEMB01",
        "Sent the deck",
        state="not_useful",
        by="U0SELL01",
        when="Tue",
        reason="We have <our own>",
    )
    assert handoffs.answer_line(card) == ":x: Not useful by <@U0SELL01>, Tue: “We have &lt;our own&gt;”"
    assert handoffs.answer_line(HandoffCard(2, "m", "s", None, "x", age_days=1)) == ":hourglass: Open for 1 day"


def test_the_digest_lines_put_not_useful_first_and_count_each_pair():
    useless = HandoffCard(
        1, "marketing", "sales", "U1", "Sent the deck", state="not_useful", by="U2", when="Mon", reason="stale"
    )
    open_one = HandoffCard(2, "marketing", "sales", "U1", "Handed the leads to sales", age_days=3)
    section = HandoffDigest(
        "2026-W10",
        this_week=(open_one, useless),
        pairs=(PairStat("marketing", "sales", 9, 6, 1, 2),),
        ids=("7", "initiative-3"),
    )
    lines = section.lines()
    assert lines[0].startswith("marketing → sales: Sent the deck") and "stale" in lines[0]
    assert "Open for 3 days" in lines[1]
    assert lines[2] == "_Last 4 weeks_: marketing → sales: 9 handed, 6 picked up, 1 need more, 2 not useful"
    assert [h["update"] for h in section.to_json()] == ["7", "initiative-3"]
    assert [h["state"] for h in section.to_json()] == ["open", "not_useful"]
