"""A workspace's tagger is built once and rebuilt when objectives or corrections change."""

from __future__ import annotations

from sqlalchemy import select

from bot.services.checkins import Answer
from bot.services.tagging import Tagging
from storage.models import Objective

TEAM = "T0000001"


def test_the_tagger_is_reused_until_something_it_learns_from_changes(sessions, checkins, org):
    tagging = Tagging(sessions)
    first = tagging.tagger_for(org["workspace"])
    assert tagging.tagger_for(org["workspace"]) is first

    recorded = checkins.record(Answer(TEAM, "U0MEMB01", "Ran a Lighthouse session", channel_id="C0MKTG01"))
    assert tagging.tagger_for(org["workspace"]) is first  # an automatic tag teaches nothing
    checkins.correct_tags(TEAM, "U0MEMB01", recorded.update_id, ["new-revenue"])
    corrected = tagging.tagger_for(org["workspace"])
    assert corrected is not first
    assert [m.key for m in corrected.tag("Two more Lighthouse sessions")] == ["new-revenue"]

    with sessions.begin() as session:
        session.scalars(select(Objective).where(Objective.key == "margins")).one().title = "Improve gross margin"
    assert tagging.tagger_for(org["workspace"]) is not corrected
