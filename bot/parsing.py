"""Pure parsers for slash-command text: schedules, people, objectives and initiatives.

They build on the tokens, names, titles and slugs of commandtext.py. Nothing here
raises on user input: every parser returns a value or an `Invalid` carrying a
message a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

# Callers import the command-text readers from here too, with the parsers built on them.
from bot.commandtext import (
    HELP_WORDS,
    INITIATIVE_TITLE_MAX,
    WEEKDAYS,
    Invalid,
    Token,
    _has_control,
    is_help,
    parse_examples,
    parse_keywords,
    plain,
    slugify,
    split_subcommand,
    tokenize,
    unique_slug,
    validate_description,
    validate_team_name,
    validate_title,
)

__all__ = [
    "Invalid",
    "Token",
    "InitiativeDraft",
    "TeamRef",
    "HELP_WORDS",
    "is_help",
    "tokenize",
    "plain",
    "slugify",
    "unique_slug",
    "parse_weekday",
    "parse_time",
    "parse_timezone",
    "parse_schedule",
    "parse_initiative_id",
    "parse_initiative_add",
    "parse_objective_add",
    "validate_team_name",
    "validate_title",
    "validate_description",
    "parse_keywords",
    "parse_examples",
    "parse_objective_form",
    "split_subcommand",
    "WEEKDAYS",
    "ScheduleRequest",
    "ObjectiveDraft",
    "ListFilter",
    "parse_initiative_list",
]


# --------------------------------------------------------------------------- schedules

_WEEKDAY_WORDS: dict[str, int] = {}
for _index, _day in enumerate(WEEKDAYS):
    _lower = _day.casefold()
    for _form in (_lower, _lower[:3], _lower[:2], _lower + "s"):
        _WEEKDAY_WORDS.setdefault(_form, _index)
_WEEKDAY_WORDS.update({"tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3})


def parse_weekday(text: str) -> int | Invalid:
    """Return 0 (Monday) .. 6 (Sunday) for mon, Monday, MON, tue, ..."""
    word = text.strip().rstrip(".,").casefold()
    if word in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[word]
    return Invalid(f"'{text.strip()[:20]}' is not a weekday; use mon, tue, wed, thu, fri, sat or sun.")


def parse_time(text: str) -> str | Invalid:
    """Return "HH:MM" for 09:30, 9:30, 9.30, 0930, 9am, 9:30pm, 17h."""
    word = text.strip().casefold().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})(?:[:.h](\d{2}))?h?(am|pm)?", word) or re.fullmatch(r"(\d{2})(\d{2})()", word)
    if not match:
        return Invalid(f"'{text.strip()[:20]}' is not a time; use HH:MM in 24 hours, e.g. 09:30 or 14:00.")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = match.group(3)
    if meridiem:
        if not 1 <= hour <= 12:
            return Invalid(f"'{text.strip()[:20]}' is not a time: with am/pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif ":" not in word and "." not in word and "h" not in word and len(word) <= 2:
        return Invalid(f"'{text.strip()[:20]}' is not a time; use HH:MM, e.g. {hour:02d}:00.")
    if hour > 23 or minute > 59:
        return Invalid(f"'{text.strip()[:20]}' is not a time of day; hours go 00-23 and minutes 00-59.")
    return f"{hour:02d}:{minute:02d}"


# Listing the zones reads the whole tz database (about 6 ms): done once, not for each person a
# local-time team's prompts go to.
@lru_cache(maxsize=1)
def _timezone_names() -> dict[str, str]:
    names = {name.casefold(): name for name in available_timezones()}
    names.setdefault("utc", "UTC")
    return names


def parse_timezone(text: str) -> str | Invalid:
    """Return the canonical IANA name for a zone given in any case (europe/berlin -> Europe/Berlin)."""
    word = text.strip()
    found = _timezone_names().get(word.casefold()) if word else None
    if found is None:
        return Invalid(
            f"'{word[:40]}' is not a time zone I know; use an IANA name like Europe/Berlin or America/New_York."
        )
    try:
        ZoneInfo(found)
    except (ValueError, KeyError, OSError):
        return Invalid(f"'{word[:40]}' is not a time zone I can use.")
    return found


@dataclass(frozen=True)
class ScheduleRequest:
    """What `/alignment schedule` asks for; timezone None means the caller's."""

    team: str
    weekday: int
    time: str
    timezone: str | None
    local: bool = False  # each member at `time` in their own Slack time zone


def parse_schedule(text: str) -> ScheduleRequest | Invalid:
    """Read `<team> <weekday> <HH:MM> [timezone]`; a team name may have spaces."""
    words = [t.text for t in tokenize(text)]
    for tail in (3, 2):
        if len(words) < tail + 1:
            continue
        head, rest = words[:-tail], words[-tail:]
        weekday = parse_weekday(rest[0])
        clock = parse_time(rest[1])
        if isinstance(weekday, Invalid) or isinstance(clock, Invalid):
            continue
        zone: str | None = None
        local = tail == 3 and rest[2].casefold() == "local"
        if tail == 3 and not local:
            parsed_zone = parse_timezone(rest[2])
            if isinstance(parsed_zone, Invalid):
                return parsed_zone
            zone = parsed_zone
        team = validate_team_name(" ".join(head))
        if isinstance(team, Invalid):
            return team
        return ScheduleRequest(team, weekday, clock, zone, local)
    if len(words) >= 3:
        # Say which part is wrong rather than only repeating the usage.
        for index in range(1, len(words) - 1):
            if not isinstance(parse_weekday(words[index]), Invalid):
                clock = parse_time(words[index + 1])
                if isinstance(clock, Invalid):
                    return clock
        weekday_problem = parse_weekday(words[-2] if len(words) >= 3 else words[-1])
        if isinstance(weekday_problem, Invalid) and isinstance(parse_time(words[-1]), str):
            return weekday_problem
    return Invalid(
        "Say which team, weekday and time, e.g. `marketing mon 09:30` or `sales friday 14:00 Europe/Berlin`."
    )


PROMPT_MODES = {"channel": "channel", "dm": "dm", "dms": "dm", "both": "both"}
MAX_DEADLINE_HOURS = 24 * 6


@dataclass(frozen=True)
class PromptsRequest:
    """What `/alignment prompts` asks for: where a team's prompt goes."""

    team: str
    mode: str


def parse_prompts(text: str) -> PromptsRequest | Invalid:
    """Read `<team> channel|dm|both`."""
    words = [t.text for t in tokenize(text)]
    if len(words) < 2 or words[-1].casefold() not in PROMPT_MODES:
        return Invalid("Say which team and where its prompt goes: `channel`, `dm` or `both`, e.g. `sales dm`.")
    team = validate_team_name(" ".join(words[:-1]))
    if isinstance(team, Invalid):
        return team
    return PromptsRequest(team, PROMPT_MODES[words[-1].casefold()])


@dataclass(frozen=True)
class ShareRequest:
    """What `/alignment share` asks for: whether a team's answers are posted in its channel."""

    team: TeamRef
    on: bool


SHARE_SWITCH = {"on": True, "off": False}


def parse_model_switch(text: str) -> bool | None:
    """Read `model on|off` (`/alignment settings model off`); None when the text is something else (a team)."""
    words = text.split()
    if len(words) == 2 and words[0].casefold() == "model" and words[1].casefold() in SHARE_SWITCH:
        return SHARE_SWITCH[words[1].casefold()]
    return None


@dataclass(frozen=True)
class HistoryRequest:
    """What `/alignment history` asks for: a team (None: the caller's) and how many weeks back."""

    team: TeamRef | None
    weeks: int | None


def parse_history(text: str, max_weeks: int = 26) -> HistoryRequest | Invalid:
    """Read `[team] [weeks]`."""
    tokens = tokenize(text)
    weeks = None
    if tokens and tokens[-1].kind == "word" and tokens[-1].value.isascii() and tokens[-1].value.isdigit():
        weeks = int(tokens[-1].value)
        if not 1 <= weeks <= max_weeks:
            return Invalid(f"Ask for 1 to {max_weeks} weeks, e.g. `/alignment history sales 8`.")
        tokens = tokens[:-1]
    if not tokens:
        return HistoryRequest(None, weeks)
    if len(tokens) == 1 and tokens[0].kind == "channel":
        return HistoryRequest(TeamRef(tokens[0].label.lstrip("#"), tokens[0].value), weeks)
    team = validate_team_name(" ".join(t.label for t in tokens))
    if isinstance(team, Invalid):
        return team
    return HistoryRequest(TeamRef(team), weeks)


def parse_share(text: str) -> ShareRequest | Invalid:
    """Read `<team> on|off`; the team may be a channel mention."""
    tokens = tokenize(text)
    if len(tokens) < 2 or tokens[-1].value.casefold() not in SHARE_SWITCH:
        return Invalid("Say which team and `on` or `off`, e.g. `/alignment share sales off`.")
    on = SHARE_SWITCH[tokens[-1].value.casefold()]
    if len(tokens) == 2 and tokens[0].kind == "channel":
        return ShareRequest(TeamRef(tokens[0].label.lstrip("#"), tokens[0].value), on)
    team = validate_team_name(" ".join(t.label for t in tokens[:-1]))
    if isinstance(team, Invalid):
        return team
    return ShareRequest(TeamRef(team), on)


@dataclass(frozen=True)
class DeadlineRequest:
    """What `/alignment deadline` asks for: hours from prompt to deadline, and the reminder."""

    team: str
    hours: int
    reminder_hours: int | None


def _hours(word: str) -> int | None:
    word = word.casefold().removesuffix("hours").removesuffix("hour").removesuffix("h")
    # isdigit() alone accepts "²", which int() refuses.
    return int(word) if word.isascii() and word.isdigit() else None


def parse_deadline(text: str) -> DeadlineRequest | Invalid:
    """Read `<team> <hours>h [reminder <hours>h]`; a team name may have spaces."""
    words = [t.text for t in tokenize(text)]
    reminder: int | None = None
    if len(words) >= 2 and words[-2].casefold() in ("reminder", "remind"):
        reminder = _hours(words[-1])
        if reminder is None:
            return Invalid(f"'{words[-1]}' is not a number of hours, like `4h`.")
        words = words[:-2]
    hours = _hours(words[-1]) if len(words) >= 2 else None
    if hours is None:
        return Invalid(
            "Say which team and how many hours after the prompt answers are due, e.g. `sales 24h reminder 4h`."
        )
    if not 1 <= hours <= MAX_DEADLINE_HOURS:
        return Invalid(f"The deadline must be 1 to {MAX_DEADLINE_HOURS} hours after the prompt.")
    if reminder is not None and reminder >= hours:
        return Invalid("The reminder must come before the deadline: fewer hours than the deadline (0 for none).")
    team = validate_team_name(" ".join(words[:-1]))
    if isinstance(team, Invalid):
        return team
    return DeadlineRequest(team, hours, reminder)


# --------------------------------------------------------------------------- people

MAX_AWAY_DAYS = 366
HOLIDAY_NAME_MAX = 100


def parse_date(text: str) -> date | Invalid:
    """Return the date of YYYY-MM-DD."""
    word = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            pass
    return Invalid(f"'{word[:20]}' is not a date like 2026-12-24 (YYYY-MM-DD).")


@dataclass(frozen=True)
class AwayRequest:
    """What `/checkin away` asks for: the first and last day away (inclusive)."""

    first: date
    last: date


def parse_away(text: str) -> AwayRequest | Invalid:
    """Read `<YYYY-MM-DD> [<YYYY-MM-DD>]`."""
    words = text.split()
    if not 1 <= len(words) <= 2:
        return Invalid("Say the first day you are away, and the last if it is not the same day.")
    days = [parse_date(w) for w in words]
    bad = next((d for d in days if isinstance(d, Invalid)), None)
    if bad is not None:
        return bad
    first, last = days[0], days[-1]
    assert isinstance(first, date) and isinstance(last, date)
    if last < first:
        return Invalid("The last day comes before the first; give the first day first.")
    if (last - first).days >= MAX_AWAY_DAYS:
        return Invalid(f"That is more than {MAX_AWAY_DAYS} days; ask an admin to remove you from the team instead.")
    return AwayRequest(first, last)


@dataclass(frozen=True)
class MembersRequest:
    """What `/alignment members` asks for: add or remove people from a team."""

    team: str
    action: str  # add | remove
    users: tuple[str, ...]


def parse_members(text: str) -> MembersRequest | Invalid:
    """Read `<team> add|remove <@user> ...`; a team name may have spaces."""
    tokens = tokenize(text)
    index = next(
        (i for i, t in enumerate(tokens) if t.kind == "word" and t.value.casefold() in ("add", "remove")), None
    )
    if index is None or index == 0:
        return Invalid("Say which team, then `add` or `remove`, then the people: `marketing add @ana @ben`.")
    team = validate_team_name(" ".join(t.text for t in tokens[:index]))
    if isinstance(team, Invalid):
        return team
    people = tokens[index + 1 :]
    if not people:
        return Invalid("Mention the people to " + tokens[index].value.casefold() + ", e.g. `@ana @ben`.")
    stray = next((t for t in people if t.kind != "user"), None)
    if stray is not None:
        return Invalid(f"'{stray.text[:30]}' is not a person: mention people with @, e.g. `@ana`.")
    return MembersRequest(team, tokens[index].value.casefold(), tuple(dict.fromkeys(t.value for t in people)))


@dataclass(frozen=True)
class LeadRequest:
    """What `/alignment lead` asks for: make a person a lead of a team."""

    team: str
    user: str


def parse_lead(text: str) -> LeadRequest | Invalid:
    """Read `<team> <@user>`."""
    tokens = tokenize(text)
    if len(tokens) < 2 or tokens[-1].kind != "user":
        return Invalid("Say which team and mention its lead: `marketing @ana`.")
    team = validate_team_name(" ".join(t.text for t in tokens[:-1]))
    if isinstance(team, Invalid):
        return team
    return LeadRequest(team, tokens[-1].value)


@dataclass(frozen=True)
class HolidayRequest:
    """What `/alignment holiday` asks for."""

    day: date
    name: str


def parse_holiday(text: str) -> HolidayRequest | Invalid:
    """Read `<YYYY-MM-DD> [name]`."""
    first, _, rest = text.strip().partition(" ")
    if not first:
        return Invalid("Say the day of the holiday: `2026-12-24 Christmas Eve`.")
    day = parse_date(first)
    if isinstance(day, Invalid):
        return day
    name = " ".join(plain(rest).split())
    if len(name) > HOLIDAY_NAME_MAX or _has_control(name):
        return Invalid(f"Keep the holiday's name under {HOLIDAY_NAME_MAX} characters of plain text.")
    return HolidayRequest(day, name)


@dataclass(frozen=True)
class UnskipRequest:
    """What `/alignment unskip` (and `skip`) ask for: a team, or all, and a day in the week."""

    team: str  # a team name, or "all"
    day: date


def parse_team_day(text: str) -> UnskipRequest | Invalid:
    """Read `<team|all> <YYYY-MM-DD>`."""
    words = text.split()
    if len(words) < 2:
        return Invalid("Say which team (or `all`) and a day of the week: `all 2026-12-28`.")
    day = parse_date(words[-1])
    if isinstance(day, Invalid):
        return day
    team = validate_team_name(" ".join(words[:-1]))
    if isinstance(team, Invalid):
        return team
    return UnskipRequest(team, day)


@dataclass(frozen=True)
class TeamSettings:
    """A team's settings as the settings form sends them back, checked."""

    channel_id: str
    weekday: int
    time: str
    timezone: str | None  # None: each member's own zone
    deadline_hours: int
    reminder_hours: int
    mode: str
    members: tuple[str, ...] | None  # None: leave the members as they are
    leads: tuple[str, ...]
    share: bool | None = None  # answers posted in the prompt's thread; None: leave as it is


def read_team_settings(raw: dict[str, Any]) -> TeamSettings | dict[str, str]:
    """Check the settings form's answers; return the settings, or {block id: what is wrong}."""
    errors: dict[str, str] = {}
    channel = raw.get("channel") or ""
    if not isinstance(channel, str) or channel[:1] not in ("C", "G"):
        errors["channel"] = "Pick the team's channel (a channel, not a direct message)."
    day = str(raw.get("weekday") or "")
    weekday = int(day) if day.isascii() and day.isdigit() and int(day) < len(WEEKDAYS) else None
    if weekday is None:
        errors["weekday"] = "Pick the day the prompt goes out."
    clock = parse_time(str(raw.get("time") or ""))
    if isinstance(clock, Invalid):
        errors["time"] = "Pick the time the prompt goes out."
    zone: str | Invalid | None = None
    if raw.get("timezone") != "local":
        zone = parse_timezone(str(raw.get("timezone") or ""))
        if isinstance(zone, Invalid):
            errors["timezone"] = zone.message
    deadline = _hours(str(raw.get("deadline") or ""))
    reminder = _hours(str(raw.get("reminder") or ""))
    if deadline is None or not 1 <= deadline <= MAX_DEADLINE_HOURS:
        errors["deadline"] = f"Pick when answers are due: 1 to {MAX_DEADLINE_HOURS} hours after the prompt."
    if reminder is None or (deadline is not None and reminder and reminder >= deadline):
        errors["reminder"] = "The reminder must come before the deadline (or pick none)."
    mode = PROMPT_MODES.get(str(raw.get("mode") or ""))
    if mode is None:
        errors["mode"] = "Pick where the prompt goes."
    people: dict[str, tuple[str, ...] | None] = {"members": None}
    for block in ("members", "leads"):
        if block == "members" and raw.get(block, ()) is None:
            continue
        picked = raw.get(block) or []
        if not isinstance(picked, list) or not all(isinstance(u, str) and u[:1] in ("U", "W") for u in picked):
            errors[block] = "Pick people."
        people[block] = tuple(dict.fromkeys(picked)) if isinstance(picked, list) else ()
    if errors:
        return errors
    assert weekday is not None and isinstance(clock, str) and deadline is not None and reminder is not None
    assert mode is not None and not isinstance(zone, Invalid)
    return TeamSettings(
        channel,
        weekday,
        clock,
        zone,
        deadline,
        reminder,
        mode,
        people["members"],
        people["leads"] or (),
        share=raw["share"] if isinstance(raw.get("share"), bool) else None,
    )


# --------------------------------------------------------------------------- objectives and initiatives


@dataclass(frozen=True)
class ObjectiveDraft:
    """What `/objective add` and the objective form ask for."""

    title: str
    description: str
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


def parse_objective_form(
    title: str, description: str = "", keywords: str = "", examples: str = ""
) -> ObjectiveDraft | dict[str, str]:
    """Read the objective form's fields; return the draft, or {field: what is wrong} for each bad one."""
    checked = {
        "title": validate_title(title),
        "description": validate_description(description),
        "keywords": parse_keywords(keywords),
        "examples": parse_examples(examples),
    }
    errors = {name: value.message for name, value in checked.items() if isinstance(value, Invalid)}
    if errors:
        return errors
    return ObjectiveDraft(*checked.values())  # type: ignore[arg-type]


def _split_bar(text: str) -> tuple[str, str]:
    depth = 0
    for index, ch in enumerate(text):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(0, depth - 1)
        elif ch == "|" and depth == 0:
            return text[:index], text[index + 1 :]
    return text, ""


def parse_objective_add(text: str) -> ObjectiveDraft | Invalid:
    """Read `<title> [| <description>]`; a `|` inside Slack formatting (`<url|label>`) is not the separator."""
    title_text, description_text = _split_bar(text)
    title = validate_title(title_text)
    if isinstance(title, Invalid):
        return title
    description = validate_description(description_text)
    if isinstance(description, Invalid):
        return description
    return ObjectiveDraft(title, description)


def parse_initiative_id(text: str) -> int | Invalid:
    """Read an initiative id: 12 or #12."""
    word = text.strip().lstrip("#")
    if word.isascii() and word.isdigit() and 0 < len(word) <= 12 and int(word) > 0:
        return int(word)
    shown = text.strip()[:20] or "nothing"
    return Invalid(f"'{shown}' is not an initiative id; ids are numbers, see `/initiative list`.")


@dataclass(frozen=True)
class TeamRef:
    """A team as written in command text: a name, or a channel mention."""

    name: str
    channel_id: str | None = None


@dataclass(frozen=True)
class InitiativeDraft:
    """What `/initiative add` asks for."""

    title: str
    objective_keys: tuple[str, ...] = ()
    partners: tuple[TeamRef, ...] = ()
    owner: str | None = None


_KEY_TOKEN = re.compile(r"#([A-Za-z0-9][A-Za-z0-9-]*)[.,;]?")
_SEPARATORS = {",", "and", "&", "+"}


def _close_partner(words: list[str], partners: list[TeamRef]) -> None:
    """Add the words read so far as one partner team named by them, and start afresh."""
    if words:
        partners.append(TeamRef(" ".join(words)))
        words.clear()


def _tail(tokens: list[Token]) -> tuple[tuple[str, ...], tuple[TeamRef, ...], str | None] | None:
    """Parse the end of `/initiative add`: #keys, one `with` clause, one @owner; None if it is not one."""
    keys: list[str] = []
    partners: list[TeamRef] = []
    owner: str | None = None
    seen_with = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        key = _KEY_TOKEN.fullmatch(token.value) if token.kind == "word" else None
        if key:
            keys.append(key.group(1).casefold())
            i += 1
        elif token.kind == "user":
            if owner is not None:
                return None
            owner = token.value
            i += 1
        elif token.kind == "channel":
            # A team's channel named on its own (`<#C1|sales>`) is a partner, as after `with`.
            partners.append(TeamRef(token.label.lstrip("#"), token.value))
            i += 1
        elif token.kind == "word" and token.value.casefold() == "with" and not seen_with:
            seen_with = True
            i += 1
            words: list[str] = []
            found = 0
            while i < len(tokens):
                current = tokens[i]
                if current.kind == "channel":
                    _close_partner(words, partners)
                    partners.append(TeamRef(current.label.lstrip("#"), current.value))
                    found += 1
                elif current.kind in ("word", "quoted") and not _KEY_TOKEN.fullmatch(current.value):
                    value = current.value
                    if current.kind == "word" and value.casefold() == "with":
                        return None
                    pieces = re.split(r"(,)", value) if current.kind == "word" else [value]
                    for piece in pieces:
                        if piece == "," or (current.kind == "word" and piece.casefold() in _SEPARATORS):
                            _close_partner(words, partners)
                        elif piece:
                            words.append(piece)
                            found += 1
                else:
                    break
                i += 1
            _close_partner(words, partners)
            if not found:
                return None
        else:
            return None
    return tuple(dict.fromkeys(keys)), tuple(partners), owner


def parse_initiative_add(text: str) -> InitiativeDraft | Invalid:
    """Read `<title> [#objective-key ...] [with <team> ...] [@owner]`.

    The title is the longest start of the text whose rest reads as the tail; a
    quoted title is taken as is ("Partner with agencies" keeps its "with").
    """
    tokens = tokenize(text)
    if not tokens:
        return Invalid(
            "Give the initiative a title, e.g. `/initiative add Launch the partner webinar #new-revenue with sales`."
        )
    if tokens[0].kind == "quoted":
        start = 1
        tail = _tail(tokens[1:])
        if tail is None:
            return Invalid(
                "After the title, give `#objective-key`s, `with <team>` and an `@owner`, e.g. "
                '`/initiative add "Partner with agencies" #new-revenue with sales`.'
            )
    else:
        tail = None
        start = len(tokens)
        for index in range(1, len(tokens) + 1):
            tail = _tail(tokens[index:])
            if tail is not None:
                start = index
                break
    assert tail is not None
    title = validate_title(" ".join(t.text for t in tokens[:start]), limit=INITIATIVE_TITLE_MAX)
    if isinstance(title, Invalid):
        return title
    keys, partners, owner = tail
    return InitiativeDraft(title=title, objective_keys=keys, partners=partners, owner=owner)


@dataclass(frozen=True)
class ListFilter:
    """What `/initiative list` asks for: everything, mine, or one team."""

    mine: bool = False
    team: TeamRef | None = None
    include_closed: bool = field(default=False)


def parse_initiative_list(text: str) -> ListFilter | Invalid:
    """Read `[team|mine|all]`."""
    tokens = tokenize(text)
    if not tokens:
        return ListFilter()
    if len(tokens) == 1 and tokens[0].kind == "word" and tokens[0].value.casefold() in ("mine", "me", "my"):
        return ListFilter(mine=True)
    if len(tokens) == 1 and tokens[0].kind == "channel":
        return ListFilter(team=TeamRef(tokens[0].label.lstrip("#"), tokens[0].value))
    if len(tokens) == 1 and tokens[0].kind == "user":
        return Invalid("To list someone's initiatives use `/initiative list mine`; for a team, give its name.")
    name = validate_team_name(" ".join(t.text for t in tokens))
    if isinstance(name, Invalid):
        return name
    return ListFilter(team=TeamRef(name))


# --------------------------------------------------------------------------- goals

GOAL_TITLE_MAX = 200
# `#none`: the goal serves no objective on purpose.
NO_OBJECTIVE = "none"


@dataclass(frozen=True)
class GoalDraft:
    """What `/goal add` and `/goal edit` ask for; `objective_keys` None: suggest them (add) or keep them (edit)."""

    title: str | None
    objective_keys: tuple[str, ...] | None = None
    team: TeamRef | None = None
    goal_id: int | None = None


def _goal_text(tokens: list[Token], *, title_required: bool) -> tuple[str | None, tuple[str, ...] | None] | Invalid:
    """Read `<title> [#objective-key ...]`: a title, then the keys it serves (`#none`: none)."""
    start = len(tokens)
    while start > 0 and tokens[start - 1].kind == "word" and _KEY_TOKEN.fullmatch(tokens[start - 1].value):
        start -= 1
    keys = [m.group(1).casefold() for t in tokens[start:] if (m := _KEY_TOKEN.fullmatch(t.value))]
    serves = tuple(dict.fromkeys(k for k in keys if k != NO_OBJECTIVE)) if keys else None
    if not tokens[:start]:
        return Invalid("Give the goal a title.") if title_required else (None, serves)
    title = validate_title(" ".join(t.text for t in tokens[:start]), what="goal title", limit=GOAL_TITLE_MAX)
    return title if isinstance(title, Invalid) else (title, serves)


def parse_goal_add(text: str) -> GoalDraft | Invalid:
    """Read `<team> <title> [#objective-key ...]`; a team of several words is quoted or a #channel."""
    tokens = tokenize(text)
    if not tokens:
        return Invalid("Name the team and the goal, e.g. `/goal add marketing Nurture flows for AEs #new-revenue`.")
    first = tokens[0]
    if first.kind == "channel":
        team = TeamRef(first.label.lstrip("#"), first.value)
    elif first.kind in ("word", "quoted"):
        name = validate_team_name(first.value)
        if isinstance(name, Invalid):
            return name
        team = TeamRef(name)
    else:
        return Invalid("Start with the team's name, e.g. `/goal add marketing Nurture flows for AEs`.")
    read = _goal_text(tokens[1:], title_required=True)
    if isinstance(read, Invalid):
        return read
    return GoalDraft(title=read[0], objective_keys=read[1], team=team)


def parse_goal_edit(text: str) -> GoalDraft | Invalid:
    """Read `<id> [new title] [#objective-key ...]`: what is given replaces what the goal had."""
    word, _, rest = text.strip().partition(" ")
    goal_id = parse_goal_id(word)
    if isinstance(goal_id, Invalid):
        return goal_id
    read = _goal_text(tokenize(rest), title_required=False)
    if isinstance(read, Invalid):
        return read
    if read == (None, None):
        return Invalid("Give the goal a new title, `#objective-key`s, or both (`#none`: it serves none).")
    return GoalDraft(title=read[0], objective_keys=read[1], goal_id=goal_id)


def parse_goal_id(text: str) -> int | Invalid:
    """Read a goal id: 12 or #12."""
    word = text.strip().lstrip("#")
    if word.isascii() and word.isdigit() and 0 < len(word) <= 12 and int(word) > 0:
        return int(word)
    shown = text.strip()[:20] or "nothing"
    return Invalid(f"'{shown}' is not a goal id; ids are numbers, see `/goal list`.")


def parse_goal_team(text: str) -> TeamRef | None | Invalid:
    """Read `/goal list`'s `[team]`: a name or a #channel; nothing: every team."""
    tokens = tokenize(text)
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].kind == "channel":
        return TeamRef(tokens[0].label.lstrip("#"), tokens[0].value)
    name = validate_team_name(" ".join(t.text for t in tokens))
    return name if isinstance(name, Invalid) else TeamRef(name)
