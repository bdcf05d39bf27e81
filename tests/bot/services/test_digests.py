"""The leadership digest from the database: content, trend, exactly-once posting, schedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.blocks.digest import digest_message, digest_text
from bot.services.checkins import Answer
from bot.services.deliveries import Deliveries
from bot.services.digests import DigestError, Digests
from bot.slack import SlackClients
from storage.models import Digest, Team, Workspace

TEAM = "T0000001"


@pytest.fixture
def digests(settings, sessions):
    return Digests(settings, sessions, SlackClients(settings), Deliveries(sessions))


@pytest.fixture
def week(checkins, org):
    """Marketing hands leads to sales, who never answer; last week both worked alone."""
    checkins.record(
        Answer(
            TEAM,
            "U0MEMB01",
            "Passed the 40 webinar leads to sales with notes",
            team_id=org["marketing"],
            week="2026-W48",
            objectives=["new-revenue"],
        )
    )
    checkins.record(
        Answer(
            TEAM, "U0MEMB02", "Refreshed the brand colours", team_id=org["marketing"], week="2026-W48", objectives=[]
        )
    )
    checkins.record(
        Answer(TEAM, "U0SELL01", "Closed two deals", team_id=org["sales"], week="2026-W47", objectives=["new-revenue"])
    )
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
    assert digests.tick(now=datetime(2026, 11, 24, 7, 59, tzinfo=UTC)) == 0
    assert digests.tick(now=datetime(2026, 11, 24, 8, 0, tzinfo=UTC)) == 1
    assert digests.tick(now=datetime(2026, 11, 24, 9, 0, tzinfo=UTC)) == 0
    assert len([m for m in fake_slack.messages("C0LEAD01") if m.get("thread_ts") in (None, m["ts"])]) == 1


def test_an_initiative_logged_in_the_week_counts_as_work(digests, week, sessions, org):
    from storage.models import Initiative, InitiativePartner, InitiativeTag, Objective

    with sessions.begin() as session:
        revenue = session.scalars(select(Objective).where(Objective.key == "new-revenue")).one()
        initiative = Initiative(
            workspace_id=org["workspace"],
            team_id=org["sales"],
            title="Joint webinar follow-ups",
            created_by="U0SELL01",
            created_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
        )
        initiative.tags = [InitiativeTag(objective_id=revenue.id, source="manual")]
        initiative.partners = [InitiativePartner(team_id=org["marketing"])]
        session.add(initiative)
        old = Initiative(
            workspace_id=org["workspace"],
            team_id=org["sales"],
            title="Last month's thing",
            created_at=datetime(2026, 10, 1, tzinfo=UTC),
        )
        session.add(old)

    data = digests.build(TEAM, week)
    ids = [u.id for u in data.report.updates]
    assert [i for i in ids if i.startswith("initiative-")] == [f"initiative-{initiative.id}"]
    kinds = {(f.kind, f.objective, f.teams) for f in data.report.findings}
    assert ("joint_objective", "new-revenue", ("marketing", "sales")) in kinds
    assert ("silent_team", None, ("sales",)) not in kinds


def test_posted_digest_links_to_the_messages_behind_updates(digests, checkins, org, fake_slack):
    ts = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", "Refreshed the brand colours")
    checkins.record(
        Answer(
            TEAM,
            "U0MEMB01",
            "Refreshed the brand colours",
            team_id=org["marketing"],
            week="2026-W48",
            channel_id="C0MKTG01",
            message_ts=ts,
            source="thread",
        )
    )
    digests.post(TEAM, "2026-W48")
    [post] = [m for m in fake_slack.messages("C0LEAD01") if m.get("thread_ts") in (None, m["ts"])]
    assert "archives/C0MKTG01/p" in str(post["blocks"])


# W48's check-ins close on Tuesday 24 Nov 08:00 UTC (Monday 09:00 Berlin, 24 hours to answer).
BEFORE_DEADLINE = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
AFTER_DEADLINE = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def guesses(checkins, org, fake_slack) -> list:
    """Two marketing updates Alignbot is unsure serve anything, answered in the prompt's thread."""
    recorded = []
    for user, text in (
        ("U0MEMB01", "Ran the partner summit in Lisbon"),
        (
            "U0MEMB02",
            "Kicked off the brand refresh with the design studio: three logo directions, "
            "a new colour palette and typography for the website.",
        ),
    ):
        ts = fake_slack.post_user_message("C0MKTG01", user, text)
        recorded.append(
            checkins.record(
                Answer(
                    TEAM,
                    user,
                    text,
                    team_id=org["marketing"],
                    week="2026-W48",
                    channel_id="C0MKTG01",
                    message_ts=ts,
                    source="thread",
                )
            )
        )
    assert all(not r.confident and r.tags == () for r in recorded)
    return recorded


def test_before_the_deadline_unanswered_questions_wait_under_their_team_with_links(
    digests, checkins, org, fake_slack, client
):
    first, second = guesses(checkins, org, fake_slack)

    waiting = digests.build(TEAM, "2026-W48", client=client, now=BEFORE_DEADLINE)
    assert not [f for f in waiting.report.findings if f.kind == "unaligned_work"]
    assert [u.id for u in waiting.report.unconfirmed] == [str(first.update_id), str(second.update_id)]
    blocks = json.dumps(digest_message(waiting)["blocks"], ensure_ascii=False)
    assert "*marketing*: 2 updates wait for their authors' answers on which objective they serve" in blocks
    line = blocks[blocks.index("*marketing*: 2 updates wait") :]
    assert line.index(waiting.links[str(first.update_id)]) < line.index(waiting.links[str(second.update_id)])
    assert "- marketing: 2 updates wait for their authors' answers" in digest_text(waiting)

    # An answer takes the update out of the wait, whatever it says.
    checkins.correct_tags(TEAM, "U0MEMB01", first.update_id, [])
    answered = digests.build(TEAM, "2026-W48", now=BEFORE_DEADLINE)
    assert [u.id for u in answered.report.unconfirmed] == [str(second.update_id)]
    assert [f.updates for f in answered.report.findings if f.kind == "unaligned_work"] == [(str(first.update_id),)]


def test_past_the_deadline_an_unanswered_question_counts_as_the_taggers_guess(
    digests, checkins, org, fake_slack, client, sessions
):
    first, second = guesses(checkins, org, fake_slack)
    sales_guess = checkins.record(
        Answer(TEAM, "U0SELL01", "Ran the partner summit in Porto", team_id=org["sales"], week="2026-W48")
    )
    with sessions.begin() as session:
        # Sales answers until Thursday: its question is still open when marketing's check-in has closed.
        session.get(Team, org["sales"]).deadline_hours = 72

    data = digests.build(TEAM, "2026-W48", client=client, now=AFTER_DEADLINE)
    ids = (str(first.update_id), str(second.update_id))
    [finding] = [f for f in data.report.findings if f.kind == "unaligned_work"]
    assert (finding.teams, finding.updates, finding.extra["guessed"]) == (("marketing",), ids, list(ids))
    assert "serve no stated objective (guess: their authors didn't answer)" in finding.summary
    assert [u.id for u in data.report.unconfirmed] == [str(sales_guess.update_id)]

    blocks = json.dumps(digest_message(data)["blocks"], ensure_ascii=False)
    shown = blocks[blocks.index("*Needs attention*") :]
    assert "2 of marketing's 2 updates serve no stated objective (guess: their authors didn't answer)" in shown
    assert all(data.links[i] in shown for i in ids)
    assert "*marketing*: 2 updates wait" not in blocks and "*sales*: 1 update waits" in blocks
    text = digest_text(data)
    assert "- 2 of marketing's 2 updates serve no stated objective (guess: their authors didn't answer)" in text
    assert "- sales: 1 update waits for its author's answer" in text


def test_the_clock_posts_the_digest_with_the_guess_of_a_question_open_at_the_deadline(
    digests, checkins, org, fake_slack, time_machine
):
    time_machine.move_to(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    guesses(checkins, org, fake_slack)
    # The clock's round runs at the deadline, whatever the machine's clock says.
    time_machine.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    assert digests.tick(now=AFTER_DEADLINE) == 1
    [post] = [m for m in fake_slack.messages("C0LEAD01") if m.get("thread_ts") in (None, m["ts"])]
    blocks = json.dumps(post["blocks"], ensure_ascii=False)
    assert "2 of marketing's 2 updates serve no stated objective (guess: their authors didn't answer)" in blocks
    assert "wait for their authors' answers" not in blocks


def _add_goal(sessions, org, team: str, title: str, serves: list[str], created: datetime) -> None:
    from storage import repositories
    from storage.models import Goal

    with sessions.begin() as session:
        ids = {o.key: o.id for o in repositories.list_objectives(session, org["workspace"])}
        row = Goal(workspace_id=org["workspace"], team_id=org[team], title=title, created_at=created)
        repositories.set_goal_serves(row, [ids[key] for key in serves])
        session.add(row)


def test_goals_section_names_unlinked_goals_missing_goals_and_idle_goals(digests, sessions, org, week):
    long_ago = datetime(2026, 9, 1, tzinfo=UTC)
    _add_goal(sessions, org, "marketing", "Webinar leads handed to sales", ["new-revenue"], long_ago)
    _add_goal(sessions, org, "marketing", "Brand refresh <!here>", [], long_ago)
    _add_goal(sessions, org, "sales", "Renewal playbook for key accounts", ["new-revenue"], long_ago)
    _add_goal(sessions, org, "sales", "Pricing page rewrite", ["new-revenue"], datetime(2026, 11, 20, tzinfo=UTC))

    data = digests.build(TEAM, week)

    goal_findings = [(f.kind, f.objective, f.teams, f.extra.get("goal")) for f in data.report.findings]
    assert ("unlinked_goal", None, ("marketing",), "Brand refresh <!here>") in goal_findings
    assert ("objective_without_goal", "margins", (), None) in goal_findings
    # Marketing's updates served both its goals; the renewal goal saw no sales update in four weeks;
    # the pricing goal is younger than four weeks.
    assert [(g.team, g.title) for g in data.idle_goals or ()] == [("sales", "Renewal playbook for key accounts")]
    served = {u.text: u.goals for u in data.report.updates}
    assert served["Passed the 40 webinar leads to sales with notes"] == ("Webinar leads handed to sales",)
    assert served["Refreshed the brand colours"] == ("Brand refresh <!here>",)

    text = digest_text(data)
    goals_part = text.split("\nGoals\n", 1)[1]
    assert "marketing's goal \u201cBrand refresh @here\u201d serves no business objective." in goals_part
    assert "No team has a goal that serves Increase margins." in goals_part
    assert "No sales update served its goal \u201cRenewal playbook for key accounts\u201d for four weeks." in goals_part
    assert "serves no business objective" not in text.split("\nGoals\n", 1)[0]

    message = json.dumps(digest_message(data))
    assert "*Goals*" in message and "<!here>" not in message


def test_a_workspace_without_goals_gets_the_same_digest(digests, week):
    data = digests.build(TEAM, week)

    assert data.idle_goals is None
    assert all(u.goals is None for u in data.report.updates)
    assert "Goals" not in digest_text(data)
    assert "*Goals*" not in json.dumps(digest_message(data))
