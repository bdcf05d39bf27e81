"""Answers read against their team's goals: the confirmation names the goal, over signed requests."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Objective, Update, UpdateTag
from tests.handlers.conftest import shown

ANSWER = "Shipped the nurture flows for AEs: three sequences live"


def stored_tags(runtime, author: str) -> list[tuple[str, str]]:
    """Return the (objective key, source) of each tag on the author's update."""
    with runtime.services.sessions() as session:
        update = session.scalars(select(Update).where(Update.author_user_id == author)).one()
        keys = {o.id: o.key for o in session.scalars(select(Objective))}
        tags = session.scalars(select(UpdateTag).where(UpdateTag.update_id == update.id))
        return sorted((keys[t.objective_id], t.source) for t in tags)


def test_an_answer_matching_a_goal_is_tagged_through_it_and_the_confirmation_names_it(ask, runtime, teams):
    ask("/objective", "add Grow new-logo revenue | Win new customers and close new business")
    ask("/objective", "add Margins | Reduce cost of sales and hosting")
    before = shown(ask("/checkin", ANSWER, user="U0MEMB01", channel="C0MKTG01"))
    assert "serves *" not in before

    # A goal added after the tagger was built: the next answer is read against it.
    ask("/goal", "add marketing Nurture flows for AEs #grow-new-logo-revenue")
    after = shown(ask("/checkin", ANSWER + " today", user="U0MEMB01", channel="C0MKTG01"))
    assert "serves *Nurture flows for AEs* → Grow new-logo revenue" in after
    assert stored_tags(runtime, "U0MEMB01") == [("grow-new-logo-revenue", "auto")]


def test_another_teams_goal_teaches_but_is_not_the_goal_served(ask, runtime, teams):
    ask("/objective", "add Grow new-logo revenue | Win new customers and close new business")
    ask("/goal", "add sales Nurture flows for AEs #grow-new-logo-revenue")
    answer = shown(ask("/checkin", ANSWER, user="U0MEMB01", channel="C0MKTG01"))
    assert "serves *" not in answer
    assert stored_tags(runtime, "U0MEMB01") == [("grow-new-logo-revenue", "auto")]
