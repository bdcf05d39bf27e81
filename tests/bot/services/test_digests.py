"""The leadership digest from the database: content, trend, exactly-once posting, schedule."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.blocks.digest import digest_message
from bot.services.digests import DigestError, Digests
from bot.services.deliveries import Deliveries
from bot.slack import SlackClients
from storage.models import Digest, Workspace

TEAM = "T0000001"


@pytest.fixture
def digests(settings, sessions):
    return Digests(settings, sessions, SlackClients(settings), Deliveries(sessions))


@pytest.fixture
def week(checkins, org):
    """Marketing hands leads to sales, who never answer; last week both worked alone."""
    checkins.record(TEAM, "U0MEMB01", "Passed the 40 webinar leads to sales with notes", team_id=org["marketing"],
                    week="2026-W48", objectives=["new-revenue"])
    checkins.record(TEAM, "U0MEMB02", "Refreshed the brand colours", team_id=org["marketing"], week="2026-W48",
                    objectives=[])
    checkins.record(TEAM, "U0SELL01", "Closed two deals", team_id=org["sales"], week="2026-W47",
                    objectives=["new-revenue"])
    return "2026-W48"


def test_build_analyzes_the_week_with_trend_and_who_is_missing(digests, week):
    data = digests.build(TEAM, week)

    assert data.week == "2026-W48"
    kinds = {(f.kind, f.objective, f.teams) for f in data.report.findings}
    assert ("silent_team", None, ("sales",)) in kinds
    assert ("unaligned_work", None, ("marketing",)) in kinds
    assert data.report.coverage["new-revenue"] == {"marketing": 1}
    assert [t.week for t in data.trend] == ["2026-W47"]
    assert data.missing == {"sales": ("U0SELL01",)}
    assert set(data.authors.values()) == {"U0MEMB01", "U0MEMB02"}


def test_post_goes_to_the_leadership_channel_once(digests, week, fake_slack, sessions):
    first = digests.post(TEAM, week)
    second = digests.post(TEAM, week)

    assert first.outcome.status == "sent" and second.outcome.status == "duplicate"
    posts = [m for m in fake_slack.messages("C0LEAD01") if m.get("thread_ts") in (None, m["ts"])]
    assert len(posts) == 1 and "2026-W48" in posts[0]["text"]
    with sessions() as session:
        row = session.scalars(select(Digest)).one()
    assert row.status == "posted" and row.message_ts == first.outcome.ts
    assert row.summary["findings"] == len(digests.build(TEAM, week).report.findings)
    # Posting learned the workspace's name from Slack; later digests show it.
    assert digests.build(TEAM, week).workspace == fake_slack.team_name


def test_the_chart_is_attached_when_plotting_is_installed(digests, week, fake_slack):
    pytest.importorskip("matplotlib")
    assert digests.post(TEAM, week).chart is True
    [upload] = fake_slack.files()
    assert upload["content"][:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1


def test_no_leadership_channel_is_a_clear_error(digests, week, sessions):
    with sessions.begin() as session:
        session.scalars(select(Workspace)).one().leadership_channel_id = None
    with pytest.raises(DigestError, match="/alignment leadership"):
        digests.post(TEAM, week)


def test_the_digest_is_due_after_the_last_deadline_and_posted_once(digests, week, fake_slack):
    # W48 prompts Monday 23 Nov 09:00 Berlin, deadline 24 h later: Tuesday 08:00 UTC.
    assert digests.tick(now=datetime(2026, 11, 24, 7, 59, tzinfo=timezone.utc)) == 0
    assert digests.tick(now=datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)) == 1
    assert digests.tick(now=datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)) == 0
    assert len([m for m in fake_slack.messages("C0LEAD01") if m.get("thread_ts") in (None, m["ts"])]) == 1


def test_an_initiative_logged_in_the_week_counts_as_work(digests, week, sessions, org):
    from storage.models import Initiative, InitiativePartner, InitiativeTag, Objective

    with sessions.begin() as session:
        revenue = session.scalars(select(Objective).where(Objective.key == "new-revenue")).one()
        initiative = Initiative(workspace_id=org["workspace"], team_id=org["sales"], title="Joint webinar follow-ups",
                                created_by="U0SELL01", created_at=datetime(2026, 11, 24, 10, tzinfo=timezone.utc))
        initiative.tags = [InitiativeTag(objective_id=revenue.id, source="manual")]
        initiative.partners = [InitiativePartner(team_id=org["marketing"])]
        session.add(initiative)
        old = Initiative(workspace_id=org["workspace"], team_id=org["sales"], title="Last month's thing",
                         created_at=datetime(2026, 10, 1, tzinfo=timezone.utc))
        session.add(old)

    data = digests.build(TEAM, week)
    ids = [u.id for u in data.report.updates]
    assert [i for i in ids if i.startswith("initiative-")] == [f"initiative-{initiative.id}"]
    kinds = {(f.kind, f.objective, f.teams) for f in data.report.findings}
    assert ("joint_objective", "new-revenue", ("marketing", "sales")) in kinds
    assert ("silent_team", None, ("sales",)) not in kinds


def test_posted_digest_links_to_the_messages_behind_updates(digests, checkins, org, fake_slack):
    ts = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", "Refreshed the brand colours")
    checkins.record(TEAM, "U0MEMB01", "Refreshed the brand colours", team_id=org["marketing"], week="2026-W48",
                    channel_id="C0MKTG01", message_ts=ts, source="thread")
    digests.post(TEAM, "2026-W48")
    [post] = [m for m in fake_slack.messages("C0LEAD01") if m.get("thread_ts") in (None, m["ts"])]
    assert "archives/C0MKTG01/p" in str(post["blocks"])


def test_an_unconfirmed_guess_waits_apart_until_its_author_answers(digests, checkins, org):
    guess = checkins.record(TEAM, "U0MEMB01", "Ran the partner summit in Lisbon", team_id=org["marketing"],
                            week="2026-W48")
    assert not guess.confident and guess.tags == ()

    waiting = digests.build(TEAM, "2026-W48")
    assert not [f for f in waiting.report.findings if f.kind == "unaligned_work"]
    assert [u.id for u in waiting.report.unconfirmed] == [str(guess.update_id)]
    assert "1 update waits for its author's answer" in json.dumps(digest_message(waiting))

    checkins.correct_tags(TEAM, "U0MEMB01", guess.update_id, [])
    answered = digests.build(TEAM, "2026-W48")
    assert answered.report.unconfirmed == ()
    assert [f.updates for f in answered.report.findings if f.kind == "unaligned_work"] == [(str(guess.update_id),)]
