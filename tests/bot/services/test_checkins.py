"""Check-ins: answers, tags and corrections, prompts and reminders exactly once, on the clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services.checkins import Answer, CheckinError
from bot.services.deliveries import Deliveries
from bot.services.prompts import Prompts
from bot.slack import SlackClients
from storage.db import make_engine, make_sessionmaker
from storage.models import Team, Update, UpdateTag

TEAM = "T0000001"
# Monday 23 November 2026, 09:00 in Berlin is 08:00 UTC.
PROMPT_TIME = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def updates(sessions) -> list[Update]:
    with sessions() as session:
        return list(session.scalars(select(Update).order_by(Update.id)))


def test_an_answer_goes_to_the_channels_team_and_a_second_replaces_it(checkins, org, sessions):
    first = checkins.record(
        Answer(TEAM, "U0MEMB01", "Booked 6 discovery calls with new prospects", channel_id="C0MKTG01")
    )
    second = checkins.record(Answer(TEAM, "U0MEMB01", "Booked 8 discovery calls", channel_id="C0MKTG01"))

    assert first.team == "marketing" and not first.replaced
    assert second.replaced and second.update_id == first.update_id
    assert [u.text for u in updates(sessions)] == ["Booked 8 discovery calls"]


def test_outside_a_team_channel_the_callers_team_is_used(checkins, org):
    assert checkins.record(Answer(TEAM, "U0SELL01", "Closed two deals", channel_id="D0SOMEDM")).team == "sales"


def test_someone_on_no_team_is_told_what_to_do(checkins, org, sessions):
    with pytest.raises(CheckinError, match="not on a team"):
        checkins.record(Answer(TEAM, "U0STRANGE", "hello", channel_id="C0RANDOM"))
    assert updates(sessions) == []


def test_answers_are_tagged_automatically_with_reasons(checkins, org, sessions):
    recorded = checkins.record(
        Answer(TEAM, "U0MEMB01", "Booked 6 discovery calls with new prospects", channel_id="C0MKTG01")
    )
    assert [t.title for t in recorded.tags] == ["Grow new-logo revenue"]
    assert recorded.tags[0].why and not recorded.by_hand
    with sessions() as session:
        assert [t.source for t in session.scalars(select(UpdateTag))] == ["auto"]


def test_hand_tags_replace_automatic_ones_and_unknown_keys_store_nothing(checkins, org, sessions):
    with pytest.raises(CheckinError, match="no-such"):
        checkins.record(Answer(TEAM, "U0MEMB01", "text", channel_id="C0MKTG01", objectives=["margins", "no-such"]))
    assert updates(sessions) == []

    recorded = checkins.record(
        Answer(TEAM, "U0MEMB01", "Planned the offsite", channel_id="C0MKTG01", objectives=["margins"])
    )
    assert recorded.by_hand and [t.title for t in recorded.tags] == ["Increase margins"]
    assert updates(sessions)[0].tags_by_hand


def test_a_correction_teaches_the_tagger(checkins, org):
    first = checkins.record(
        Answer(TEAM, "U0MEMB01", "Ran a Lighthouse session with the Acme team", channel_id="C0MKTG01")
    )
    assert first.tags == ()
    checkins.correct_tags(TEAM, "U0MEMB01", first.update_id, ["new-revenue"])

    later = checkins.record(Answer(TEAM, "U0MEMB02", "Ran two Lighthouse sessions with Globex", channel_id="C0MKTG01"))
    assert [t.title for t in later.tags] == ["Grow new-logo revenue"]


def test_only_the_author_or_an_admin_corrects_tags(checkins, org):
    recorded = checkins.record(Answer(TEAM, "U0MEMB01", "Booked calls", channel_id="C0MKTG01"))
    with pytest.raises(CheckinError, match="Only the author"):
        checkins.correct_tags(TEAM, "U0MEMB02", recorded.update_id, [])
    assert checkins.correct_tags(TEAM, "U0MEMB02", recorded.update_id, [], is_admin=True).tags == ()


def test_nothing_is_sent_before_the_prompt_time(prompts, org, fake_slack):
    report = prompts.tick(now=at(7, 59))
    assert report.sent == 0
    assert fake_slack.calls_to("chat.postMessage") == []


def test_prompts_go_out_once_to_channel_and_members(prompts, org, fake_slack):
    first = prompts.tick(now=at(8, 0))
    again = prompts.tick(now=at(8, 1))

    assert first.sent == 5  # two channels, three DMs
    assert again.sent == 0 and again.already == 5
    [prompt] = fake_slack.messages("C0MKTG01")
    assert "Weekly check-in for marketing" in prompt["text"]
    assert prompt["blocks"][1]["elements"][0]["action_id"] == "checkin_open"


def test_one_reminder_goes_only_to_those_who_have_not_answered(checkins, prompts, org, fake_slack, time_machine):
    prompts.tick(now=at(8, 0))
    time_machine.move_to(at(9, 0))  # the answer comes in during the week the prompt opened, whatever today is
    checkins.record(Answer(TEAM, "U0MEMB01", "Shipped the webinar", channel_id="C0MKTG01"))
    fake_slack.reset_calls()

    prompts.tick(now=at(4, 0, day=24))  # 20 h after the prompt: 4 h before the deadline
    prompts.tick(now=at(5, 0, day=24))

    reminded = sorted(c.args["channel"] for c in fake_slack.calls_to("chat.postMessage"))
    assert reminded == ["U0MEMB02", "U0SELL01"]
    assert prompts.tick(now=at(9, 0, day=24)).sent == 0  # past the deadline: nothing more


def test_a_dst_change_keeps_the_local_prompt_time(prompts, org, fake_slack):
    # Monday 26 October 2026, the day after Berlin left summer time: 09:00 is 08:00 UTC.
    assert prompts.tick(now=datetime(2026, 10, 26, 7, 59, tzinfo=UTC)).sent == 0
    assert prompts.tick(now=datetime(2026, 10, 26, 8, 0, tzinfo=UTC)).sent == 5


def test_a_prompt_missed_during_downtime_goes_out_when_the_clock_is_back(prompts, org):
    assert prompts.tick(now=at(20, 0)).sent == 5


def test_a_prompt_missed_past_its_deadline_is_not_sent(prompts, org, fake_slack):
    assert prompts.tick(now=at(8, 0, day=24)).sent == 0
    assert fake_slack.calls_to("chat.postMessage") == []


def test_an_archived_channel_is_reported_once_and_other_teams_still_get_prompts(prompts, org, fake_slack, sessions):
    fake_slack.update_channel("C0MKTG01", is_archived=True)
    prompts.tick(now=at(8, 0))
    prompts.tick(now=at(8, 5))

    assert len(fake_slack.messages("C0SALES1")) == 1
    alerts = [m["text"] for m in fake_slack.messages("C0LEAD01")]
    assert len(alerts) == 1 and "marketing" in alerts[0] and "is_archived" in alerts[0]
    with sessions() as session:
        assert session.scalars(select(Team.problem).where(Team.name == "marketing")).one() == "is_archived"


def test_two_clocks_at_once_send_every_prompt_once(settings, org, fake_slack, database_url):
    clocks = []
    for _ in range(2):
        engine = make_engine(database_url)
        sessions = make_sessionmaker(engine)
        clocks.append((engine, Prompts(settings, sessions, SlackClients(settings), Deliveries(sessions))))
    barrier = threading.Barrier(len(clocks))

    def run(prompts: Prompts) -> None:
        barrier.wait()
        prompts.tick(now=at(8, 0))

    threads = [threading.Thread(target=run, args=(c,)) for _, c in clocks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine, _ in clocks:
        engine.dispose()

    targets = sorted(c.args["channel"] for c in fake_slack.calls_to("chat.postMessage"))
    assert targets == ["C0MKTG01", "C0SALES1", "U0MEMB01", "U0MEMB02", "U0SELL01"]


def test_status_shows_who_answered(checkins, prompts, org, time_machine):
    time_machine.move_to(at(9, 0))
    checkins.record(Answer(TEAM, "U0MEMB01", "Shipped the webinar", channel_id="C0MKTG01"))
    statuses = {s.team: s for s in prompts.status(TEAM, now=at(12, 0))}
    assert statuses["marketing"].answered == ("U0MEMB01",)
    assert statuses["marketing"].missing == ("U0MEMB02",)
    assert statuses["sales"].answered == ()


def test_a_hand_tagged_initiative_teaches_the_tagger_too(checkins, org, sessions):
    from storage.models import Initiative, InitiativeTag, Objective

    with sessions.begin() as session:
        revenue = session.scalars(select(Objective).where(Objective.key == "new-revenue")).one()
        initiative = Initiative(
            workspace_id=org["workspace"],
            team_id=org["marketing"],
            title="Lighthouse sessions for prospects in the Midwest",
        )
        initiative.tags = [InitiativeTag(objective_id=revenue.id, source="manual")]
        session.add(initiative)
    recorded = checkins.record(Answer(TEAM, "U0MEMB01", "Ran two Lighthouse sessions this week", channel_id="C0MKTG01"))
    assert [t.title for t in recorded.tags] == ["Grow new-logo revenue"]


def test_an_answer_can_name_its_initiative(checkins, org, sessions):
    from storage.models import Initiative

    with sessions.begin() as session:
        initiative = Initiative(workspace_id=org["workspace"], team_id=org["marketing"], title="Webinar series")
        session.add(initiative)
    checkins.record(
        Answer(TEAM, "U0MEMB01", "Ran the second webinar", channel_id="C0MKTG01", initiative_id=initiative.id)
    )
    assert updates(sessions)[0].initiative_id == initiative.id
    with pytest.raises(CheckinError, match="initiative no longer exists"):
        checkins.record(Answer(TEAM, "U0MEMB01", "Ran the third webinar", channel_id="C0MKTG01", initiative_id=999999))


def test_control_characters_are_dropped_from_answers(checkins, org, sessions):
    checkins.record(Answer(TEAM, "U0MEMB01", "Shipped\x00 the\x1b page\n\tnext: pricing", channel_id="C0MKTG01"))
    assert updates(sessions)[0].text == "Shipped the page\n\tnext: pricing"
    with pytest.raises(CheckinError, match="empty"):
        checkins.record(Answer(TEAM, "U0MEMB02", " \x00 ", channel_id="C0MKTG01"))
