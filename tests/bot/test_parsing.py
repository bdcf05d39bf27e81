"""Pure parsers: examples, and properties that hold for any string."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import commandtext
from bot import parsing as p
from bot.parsing import Invalid, TeamRef


@pytest.mark.parametrize(
    "text, day",
    [
        ("mon", 0),
        ("Monday", 0),
        ("MON", 0),
        ("tues", 1),
        ("wed", 2),
        ("Thursday", 3),
        ("fri.", 4),
        ("sat", 5),
        ("sundays", 6),
    ],
)
def test_weekdays(text, day):
    assert p.parse_weekday(text) == day


@pytest.mark.parametrize(
    "text, time",
    [
        ("09:30", "09:30"),
        ("9:30", "09:30"),
        ("9.30", "09:30"),
        ("0930", "09:30"),
        ("9am", "09:00"),
        ("9:30pm", "21:30"),
        ("12am", "00:00"),
        ("17h", "17:00"),
        ("23:59", "23:59"),
    ],
)
def test_times(text, time):
    assert p.parse_time(text) == time


@pytest.mark.parametrize("text", ["9", "24:00", "9:60", "13pm", "noon", "", "9:3"])
def test_bad_times_say_why(text):
    assert isinstance(p.parse_time(text), Invalid)


def test_timezones_any_case():
    assert p.parse_timezone("europe/berlin") == "Europe/Berlin"
    assert p.parse_timezone("utc") == "UTC"
    assert isinstance(p.parse_timezone("Mars/Olympus"), Invalid)


def test_schedule_reads_team_names_with_spaces():
    request = p.parse_schedule("demand gen Monday 9:30 america/new_york")
    assert request == p.ScheduleRequest("demand gen", 0, "09:30", "America/New_York")
    assert p.parse_schedule("<#C0SALES1|sales> fri 14:00").team == "sales"


def test_slack_formatting_is_read():
    text = (
        "hi <@U1|ana> <@U2> in <#C1|sales> see <https://x.example|site> <mailto:a@b.c|a@b.c>"
        " <!here> <!subteam^S1|@eng> &lt;b&gt;"
    )
    assert p.plain(text) == "hi @ana @U2 in #sales see site a@b.c @here @eng <b>"
    kinds = [t.kind for t in p.tokenize(text)]
    assert kinds == ["word", "user", "user", "word", "channel", "word", "link", "link", "special", "special", "word"]


def test_slugify():
    assert p.slugify("Grow new-logo revenue!") == "grow-new-logo-revenue"
    assert p.slugify("Über große Märkte") == "uber-grosse-markte"
    assert p.slugify("***") == "objective"
    assert len(p.slugify("word " * 30)) <= 40
    assert p.unique_slug("a", {"a", "a-2"}) == "a-3"
    assert p.unique_slug("x" * 40, {"x" * 40}) == "x" * 38 + "-2"


def test_initiative_add_grammar():
    draft = p.parse_initiative_add(
        "Launch webinar #New-Revenue with <#C0SALES1|sales>, customer success <@U0ANNA01|anna>"
    )
    assert draft == p.InitiativeDraft(
        "Launch webinar", ("new-revenue",), (TeamRef("sales", "C0SALES1"), TeamRef("customer success")), "U0ANNA01"
    )
    assert p.parse_initiative_add("Partner with agencies").partners == (TeamRef("agencies"),)
    quoted = p.parse_initiative_add('"Partner with agencies" with sales')
    assert (quoted.title, quoted.partners) == ("Partner with agencies", (TeamRef("sales"),))
    assert p.parse_initiative_add("Help <@U1|ana> onboard").title == "Help @ana onboard"
    assert p.parse_initiative_add("Fix #1 bug now").title == "Fix #1 bug now"
    assert isinstance(p.parse_initiative_add(""), Invalid)


def test_objective_add_splits_on_the_first_bar_outside_formatting():
    draft = p.parse_objective_add("Win <https://x.example|big> deals | for real | yes")
    assert (draft.title, draft.description) == ("Win big deals", "for real | yes")


def test_names_are_validated():
    assert p.validate_team_name("  <#C1|sales> ") == "sales"
    assert p.validate_team_name("R&D") == "R&D"
    for bad in ("", "x" * 81, "@mo", "<@U1>", "$$$", "a\x00b"):
        assert isinstance(p.validate_team_name(bad), Invalid)
    assert p.parse_keywords("a, b,A\nc") == ("a", "b", "c")
    assert isinstance(p.parse_keywords("k" * 41), Invalid)


PARSERS = [
    p.tokenize,
    p.plain,
    p.slugify,
    p.parse_weekday,
    p.parse_time,
    p.parse_timezone,
    p.parse_schedule,
    p.parse_initiative_add,
    p.parse_initiative_id,
    p.parse_initiative_list,
    p.parse_objective_add,
    p.validate_team_name,
    p.validate_title,
    p.validate_description,
    p.parse_keywords,
    p.split_subcommand,
    p.parse_prompts,
    p.parse_deadline,
]

slackish = st.lists(
    st.sampled_from(list("ab #@<>|!&;:,.\"“”'-_09\n\tUC") + ["<@U1|x>", "<#C1|s>", " with ", "&lt;"])
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), slackish))
def test_no_parser_raises_and_every_error_helps(text):
    for parse in PARSERS:
        result = parse(text)
        if isinstance(result, Invalid):
            assert result.message.strip() and len(result.message) < 400


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), slackish))
def test_slugs_are_valid_keys(text):
    assert re.fullmatch(r"[a-z0-9-]{1,40}", p.slugify(text))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), slackish))
@example("&lt;#0|")
def test_parsed_names_and_titles_fit_the_database(text):
    name = p.validate_team_name(text)
    assert isinstance(name, Invalid) or 0 < len(name) <= commandtext.TEAM_NAME_MAX
    draft = p.parse_initiative_add(text)
    if not isinstance(draft, Invalid):
        assert 0 < len(draft.title) <= p.INITIATIVE_TITLE_MAX
        # Slack's formatting is read, never stored raw; "&lt;#0|" is a person typing "<#0|", which stays text.
        assert not any(mark in draft.title for mark in re.findall(r"<[@#][A-Z0-9]+\|", text))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 23), st.integers(0, 59))
def test_every_clock_time_reads_back(hour, minute):
    assert p.parse_time(f"{hour}:{minute:02d}") == f"{hour:02d}:{minute:02d}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sales 48h reminder 6h", ("sales", 48, 6)),
        ("demand gen 24 remind 2h", ("demand gen", 24, 2)),
        ("sales 12hours", ("sales", 12, None)),
    ],
)
def test_parse_deadline(text, expected):
    request = p.parse_deadline(text)
    assert (request.team, request.hours, request.reminder_hours) == expected


@pytest.mark.parametrize("text", ["sales", "sales 0h", "sales 200h", "sales 4h reminder 6h", "sales soon"])
def test_parse_deadline_refuses(text):
    assert isinstance(p.parse_deadline(text), Invalid)


def test_parse_prompts():
    assert p.parse_prompts("demand gen DMs") == p.PromptsRequest("demand gen", "dm")
    assert isinstance(p.parse_prompts("sales pigeons"), Invalid)


# --- people ------------------------------------------------------------------------------------------


def test_away_reads_one_day_or_a_stretch():
    from datetime import date

    assert p.parse_away("2026-12-24") == p.AwayRequest(date(2026, 12, 24), date(2026, 12, 24))
    assert p.parse_away(" 2026-12-24  2027-01-02 ") == p.AwayRequest(date(2026, 12, 24), date(2027, 1, 2))
    for text in (
        "",
        "2026-12-24 2026-12-23",
        "24/12/2026",
        "2026-02-30",
        "2026-12-24 2026-12-25 2026-12-26",
        "2026-01-01 2027-06-01",
    ):
        assert isinstance(p.parse_away(text), Invalid), text


def test_members_takes_a_team_of_several_words_and_mentions_only():
    assert p.parse_members("demand gen add <@U1|ana> <@U2> <@U1>") == p.MembersRequest(
        "demand gen", "add", ("U1", "U2")
    )
    assert p.parse_members("sales REMOVE <@U3>") == p.MembersRequest("sales", "remove", ("U3",))
    for text in ("sales", "add <@U1>", "sales add", "sales add ana", "sales add <#C1|general>"):
        assert isinstance(p.parse_members(text), Invalid), text


def test_lead_holiday_and_team_day():
    from datetime import date

    assert p.parse_lead("sales <@U9|sol>") == p.LeadRequest("sales", "U9")
    assert isinstance(p.parse_lead("sales sol"), Invalid)
    assert p.parse_holiday("2026-12-24 Christmas  Eve") == p.HolidayRequest(date(2026, 12, 24), "Christmas Eve")
    assert p.parse_holiday("2026-12-24") == p.HolidayRequest(date(2026, 12, 24), "")
    assert isinstance(p.parse_holiday("Christmas"), Invalid)
    assert p.parse_team_day("demand gen 2026-12-28") == p.UnskipRequest("demand gen", date(2026, 12, 28))
    assert isinstance(p.parse_team_day("2026-12-28"), Invalid)


def test_schedule_local_means_each_members_own_zone():
    assert p.parse_schedule("sales mon 09:00 local") == p.ScheduleRequest("sales", 0, "09:00", None, True)
    assert p.parse_schedule("sales mon 09:00 Europe/Berlin").local is False


@given(
    st.dictionaries(
        st.sampled_from(["channel", "weekday", "time", "timezone", "deadline", "reminder", "mode", "members", "leads"]),
        st.one_of(st.none(), st.text(max_size=20), st.lists(st.text(max_size=12), max_size=3)),
    )
)
@settings(max_examples=200)
def test_the_settings_form_reader_never_raises(raw):
    checked = p.read_team_settings(raw)
    assert isinstance(checked, (p.TeamSettings, dict))


def test_parse_share_reads_a_team_or_its_channel_and_on_or_off():
    from bot.parsing import ShareRequest, TeamRef, parse_share

    assert parse_share("sales OFF") == ShareRequest(TeamRef("sales"), False)
    assert parse_share("demand gen on") == ShareRequest(TeamRef("demand gen"), True)
    assert parse_share("<#C0SALES1|sales> on") == ShareRequest(TeamRef("sales", "C0SALES1"), True)
    for bad in ("", "sales", "on", "sales maybe"):
        assert isinstance(parse_share(bad), Invalid)


def test_initiative_add_reads_a_bare_channel_mention_as_a_partner():
    from bot.parsing import parse_initiative_add

    draft = parse_initiative_add("Launch the bank webinar #new-revenue <#C0SLS|sales>")
    assert draft.title == "Launch the bank webinar" and draft.objective_keys == ("new-revenue",)
    assert draft.partners == (TeamRef("sales", "C0SLS"),)


@pytest.mark.parametrize(
    "text, update",
    [
        ("Booked 6 discovery calls", True),
        ("Handed the leads to <@U0SELL01>", True),
        ("hi", False),
        ("thanks!", False),
        ("hello there alignbot", False),
        ("ok", False),
        ("", False),
    ],
)
def test_looks_like_update_tells_an_update_from_small_talk(text, update):
    from bot.commandtext import looks_like_update

    assert looks_like_update(text) is update
