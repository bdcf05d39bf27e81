"""/alignment team, leadership, schedule, teams through signed requests into the real app."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Team
from tests.handlers.conftest import shown, team_rows, workspace_row


def test_help_and_unknown_subcommands_get_usage(ask):
    assert "/alignment schedule" in shown(ask("/alignment", "help"))
    for text in ("", "frobnicate", "skip all", "report next-week", "post now"):
        answer = ask("/alignment", text)
        assert answer["response_type"] == "ephemeral"
        assert answer["text"].startswith("Usage:") or "Usage:" in answer["text"]


def test_admin_maps_a_channel_and_its_members_are_read(ask, runtime, fake_slack):
    answer = ask("/alignment", "team marketing", user="U0ADMIN1", channel="C0MKTG01")
    assert "now team *marketing*" in answer["text"] and "Everyone in the channel (1 member) checks in" in answer["text"]
    assert team_rows(runtime) == {"marketing": ("C0MKTG01", ["U0MEMB01"])}
    fake_slack.wait_for("conversations.members")


def test_the_bot_in_the_channel_is_not_made_a_member(ask, runtime, fake_slack):
    fake_slack.update_channel("C0MKTG01", members=["U0MEMB01", fake_slack.bot_user_id])
    answer = ask("/alignment", "team marketing", user="U0ADMIN1", channel="C0MKTG01")
    assert "(1 member)" in answer["text"]
    assert team_rows(runtime) == {"marketing": ("C0MKTG01", ["U0MEMB01"])}


def test_members_are_read_across_pages(ask, runtime, fake_slack):
    people = [f"U0P{n:05d}" for n in range(450)]
    for person in people:
        fake_slack.add_user(person)
    fake_slack.add_channel("C0BIG001", "big", members=people)
    ask("/alignment", "team big", channel="C0BIG001")
    assert team_rows(runtime)["big"] == ("C0BIG001", sorted(people))
    assert len(fake_slack.calls_to("conversations.members")) == 3


def test_non_admin_is_refused_and_told_who_may(ask, runtime):
    answer = ask("/alignment", "team marketing", user="U0MEMB01")
    assert "Only Alignbot admins can map channels to teams" in answer["text"]
    assert "workspace admins and owners" in answer["text"] and "<@U0BOSS01>" in answer["text"]
    assert team_rows(runtime) == {}


def test_alignbot_admins_need_no_slack_lookup(ask, runtime, fake_slack):
    ask("/alignment", "team marketing", user="U0BOSS01")
    assert "marketing" in team_rows(runtime)
    assert not fake_slack.calls_to("users.info")


def test_admin_check_is_cached(ask, fake_slack):
    ask("/alignment", "team marketing")
    ask("/alignment", "schedule marketing mon 9:30 UTC")
    assert len(fake_slack.calls_to("users.info")) == 1


def test_bot_joins_a_public_channel_it_is_not_in(ask, runtime, fake_slack):
    fake_slack.add_channel("C0OPS001", "ops", members=["U0MEMB01"], is_member=False)
    answer = ask("/alignment", "team ops", channel="C0OPS001")
    assert "now team *ops*" in answer["text"]
    assert fake_slack.calls_to("conversations.join")
    assert team_rows(runtime)["ops"] == ("C0OPS001", ["U0MEMB01"])


def test_private_channel_without_the_bot_says_how_to_invite(ask, runtime, fake_slack):
    fake_slack.add_channel("G0PRIV01", "secret", members=["U0ADMIN1"], is_member=False, is_private=True)
    answer = ask("/alignment", "team secret", channel="G0PRIV01")
    assert "/invite @Alignbot" in answer["text"]
    assert team_rows(runtime) == {}


def test_archived_channel_is_refused_in_plain_words(ask, runtime, fake_slack):
    fake_slack.add_channel("C0OLD001", "old", is_archived=True)
    answer = ask("/alignment", "team old", channel="C0OLD001")
    assert "archived" in answer["text"]
    assert team_rows(runtime) == {}


def test_missing_scope_on_join_is_explained_and_nothing_stored(ask, runtime, fake_slack):
    fake_slack.add_channel("C0OPS001", "ops", is_member=False)
    fake_slack.fail("conversations.join", error="missing_scope")
    answer = ask("/alignment", "team ops", channel="C0OPS001")
    assert "missing a Slack permission" in answer["text"]
    assert team_rows(runtime) == {}


def test_in_a_direct_message_it_asks_for_a_channel(ask, runtime):
    answer = ask("/alignment", "team marketing", channel="D0ADMIN1")
    assert "Run this in a channel" in answer["text"]
    assert team_rows(runtime) == {}


def test_a_channel_of_another_team_says_so(ask, runtime, teams):
    answer = ask("/alignment", "team growth", channel=teams["marketing"])
    assert "already team *marketing*'s check-in channel" in answer["text"]
    assert set(team_rows(runtime)) == {"marketing", "sales"}


def test_rerunning_in_a_new_channel_moves_the_team(ask, runtime, fake_slack):
    ask("/alignment", "team marketing", channel="C0MKTG01")
    fake_slack.add_channel("C0MKTG02", "marketing-new", members=["U0ADMIN1"])
    answer = ask("/alignment", "team Marketing", channel="C0MKTG02")
    assert "Moved team *marketing* from <#C0MKTG01>" in answer["text"]
    assert team_rows(runtime) == {"marketing": ("C0MKTG02", ["U0MEMB01"])}  # members stay the team's own


def test_rerunning_in_the_same_channel_keeps_the_chosen_members(ask, runtime, fake_slack):
    ask("/alignment", "team marketing")
    fake_slack.update_channel("C0MKTG01", members=["U0MEMB01", "U0ADMIN1"])
    answer = ask("/alignment", "team marketing")
    assert "already is team *marketing*" in answer["text"] and "/alignment members" in answer["text"]
    assert team_rows(runtime)["marketing"][1] == ["U0MEMB01"]


def test_team_names_are_validated(ask, runtime):
    for text, words in (
        ("team", "Give the team a name"),
        ("team " + "x" * 81, "at most 80"),
        ("team <@U0MEMB01|mo>", "cannot be a person"),
        ("team $$$", "letters, digits"),
    ):
        answer = ask("/alignment", text)
        assert words in answer["text"] and "Usage:" in answer["text"]
    assert team_rows(runtime) == {}


def test_a_channel_mention_names_the_team_without_formatting(ask, runtime):
    ask("/alignment", "team <#C0MKTG01|marketing>")
    assert set(team_rows(runtime)) == {"marketing"}


def test_leadership_channel(ask, runtime, fake_slack):
    answer = ask("/alignment", "leadership", channel="C0LEAD01")
    assert "Leadership digests will be posted in this channel" in answer["text"]
    assert workspace_row(runtime, fake_slack.team_id).leadership_channel_id == "C0LEAD01"
    refused = ask("/alignment", "leadership", user="U0MEMB01", channel="C0MKTG01")
    assert "Only Alignbot admins can choose the leadership channel" in refused["text"]
    assert workspace_row(runtime, fake_slack.team_id).leadership_channel_id == "C0LEAD01"


def _team(runtime, name):
    with runtime.services.sessions() as session:
        return session.scalar(select(Team).where(Team.name == name))


def test_schedule_with_every_spelling(ask, runtime, teams):
    answer = ask("/alignment", "schedule marketing Mon 9:30 europe/berlin")
    assert "every Monday at 09:30 (Europe/Berlin)" in answer["text"]
    team = _team(runtime, "marketing")
    assert (team.prompt_weekday, team.prompt_time, team.timezone) == (0, "09:30", "Europe/Berlin")
    ask("/alignment", "schedule <#C0SALES1|sales> friday 14:00")
    team = _team(runtime, "sales")
    assert (team.prompt_weekday, team.prompt_time, team.timezone) == (4, "14:00", "UTC")


def test_schedule_timezone_defaults_to_the_callers_slack_zone(ask, runtime, teams, fake_slack):
    fake_slack.add_user("U0ADMIN2", name="al", is_admin=True, tz="America/New_York")
    answer = ask("/alignment", "schedule sales tue 08:00", user="U0ADMIN2")
    assert "(America/New_York)" in answer["text"]
    assert _team(runtime, "sales").timezone == "America/New_York"


def test_schedule_bad_input_and_unknown_team(ask, runtime, teams):
    for text, words in (
        ("schedule marketing someday 9:30", "not a weekday"),
        ("schedule marketing mon 25:00", "not a time of day"),
        ("schedule marketing mon 9:30 Mars/Olympus", "not a time zone"),
        ("schedule", "Say which team"),
    ):
        answer = ask("/alignment", text)
        assert words in answer["text"] and "Usage:" in answer["text"], text
    answer = ask("/alignment", "schedule finance mon 9:30")
    assert "no team called 'finance'" in answer["text"] and "marketing, sales" in answer["text"]
    assert _team(runtime, "marketing").prompt_time == "10:00"


def test_schedule_is_refused_to_members(ask, runtime, teams):
    answer = ask("/alignment", "schedule marketing mon 9:30", user="U0MEMB01")
    assert "Only Alignbot admins can set check-in schedules" in answer["text"]


def test_teams_lists_channel_schedule_and_members_for_everyone(ask, teams):
    ask("/alignment", "leadership", channel="C0LEAD01")
    answer = ask("/alignment", "teams", user="U0MEMB01")
    text = shown(answer)
    assert "marketing" in text and "<#C0MKTG01>" in text and "<@U0MEMB01>" in text
    assert "sales" in text and "2 members" in text and "Mondays 10:00 (UTC)" in text
    assert "<#C0LEAD01>" in text


def test_teams_when_there_are_none(ask):
    assert "no teams yet" in ask("/alignment", "teams")["text"]


def test_a_team_name_that_looks_like_an_existing_team_is_refused(ask, runtime, fake_slack, teams):
    fake_slack.add_channel("C0SPOOF1", "spoof", members=["U0SELL02"])
    before = team_rows(runtime)
    for spoof in ("\u0455ales", "Ｓales", "\u0455\u0430les"):  # Cyrillic dze, full-width S, Cyrillic a
        answer = shown(ask("/alignment", f"team {spoof}", channel="C0SPOOF1"))
        assert "looks like team *sales*" in answer, answer
    assert team_rows(runtime) == before
    # The same name in another case is the same team, moved here.
    assert "Moved team *sales*" in shown(ask("/alignment", "team SALES", channel="C0SPOOF1"))
