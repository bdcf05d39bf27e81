"""Fuzz every parser, the org-file and update-line readers, and the slash commands end to end.

Whatever a person types, or whatever file they feed the CLI, the answer is a short
helpful message (or a parsed value), never a traceback.
"""

from __future__ import annotations

import inspect
import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import commandtext, parsing
from bot.orgfile import OrgFileError, UpdateLineError, dump_org, load_org, load_updates
from bot.parsing import Invalid

# Every parse_*, validate_* and helper that reads a person's text, found by name so a new one is covered too.
TEXT_PARSERS = [
    function
    for name, function in inspect.getmembers(parsing, inspect.isfunction)
    if function.__module__ in (parsing.__name__, commandtext.__name__)
    and not name.startswith("_")
    and list(inspect.signature(function).parameters)[:1] in (["text"], ["title"])
]

SLACK_BITS = [
    "<@U0MEMB01|mo>",
    "<#C0SALES1|sales>",
    "<#C0SALES1>",
    "<https://x.example|x>",
    "<!here>",
    "&lt;",
    "&amp;",
    " with ",
    " | ",
    "#new-revenue",
    "@mo",
    '"',
    "“",
    "”",
    "\n",
    "\t",
    "\u200b",
    "\x00",
    "é",
    "🙂",
    "9:30",
    "mon",
    "Europe/Berlin",
    "48h",
    "reminder",
    "dm",
    "both",
    "channel",
    "all",
    "2026-W48",
    "2026-11-25",
    "-",
    "--help",
    "help",
    "x" * 300,
]
slackish = st.lists(st.one_of(st.sampled_from(SLACK_BITS), st.text(max_size=8)), max_size=12).map("".join)
texts = st.one_of(st.text(), slackish)


def test_the_parser_list_is_complete():
    names = {f.__name__ for f in TEXT_PARSERS}
    assert {
        "parse_schedule",
        "parse_initiative_add",
        "parse_objective_add",
        "parse_deadline",
        "parse_prompts",
        "parse_time",
        "parse_weekday",
        "parse_timezone",
        "parse_keywords",
        "parse_initiative_list",
        "parse_initiative_id",
        "validate_team_name",
        "validate_title",
        "validate_description",
    } <= names


@settings(max_examples=400, deadline=None)
@given(texts)
def test_every_text_parser_answers_with_a_value_or_a_short_reason(text):
    for parse in TEXT_PARSERS:
        result = parse(text)
        if isinstance(result, Invalid):
            assert result.message.strip(), parse.__name__
            assert len(result.message) < 400 and "Traceback" not in result.message, parse.__name__


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sets(st.text(max_size=45), max_size=8))
def test_unique_slugs_are_keys_not_taken(title, taken):
    slug = parsing.unique_slug(parsing.slugify(title), taken)
    assert slug not in taken and 0 < len(slug) <= commandtext.SLUG_MAX


# --- the org file ----------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(
        ["no", "yes", "on", "0x1F", "1e3", "~", "2026-01-01", "new-revenue", "C0MKTG01", "U0ANNA01", "sales"]
    ),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)
org_like = st.fixed_dictionaries(
    {},
    optional={
        "teams": st.lists(
            st.one_of(
                scalars,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "name": scalars,
                        "aliases": yaml_values,
                        "channel": scalars,
                        "members": yaml_values,
                        "extra": scalars,
                    },
                ),
            ),
            max_size=4,
        ),
        "objectives": st.lists(
            st.one_of(
                scalars,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "key": st.one_of(scalars, st.from_regex(r"[a-z0-9-]{1,40}", fullmatch=True)),
                        "title": scalars,
                        "description": yaml_values,
                        "keywords": yaml_values,
                    },
                ),
            ),
            max_size=4,
        ),
        "other": yaml_values,
    },
)


def _org_text(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        org_like.map(_org_text),
        yaml_values.map(_org_text),
        org_like.map(lambda v: json.dumps(v, ensure_ascii=False)),
    )
)
def test_the_org_reader_reads_or_says_what_and_where(text):
    try:
        org = load_org(text, source="org.yaml")
    except OrgFileError as error:
        assert error.reason.strip() and len(error.reason) < 400
        assert str(error).startswith("org.yaml")
        assert error.line is None or error.line >= 1
        return
    assert load_org(dump_org(org)) == org  # whatever it accepts, it can write back


update_values = st.fixed_dictionaries(
    {},
    optional={
        "id": scalars,
        "team": scalars,
        "text": scalars,
        "author": scalars,
        "link": scalars,
        "partners": yaml_values,
        "objectives": yaml_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), update_values.map(json.dumps), yaml_values.map(json.dumps)), max_size=6))
def test_the_update_reader_reads_or_names_the_line(lines):
    try:
        updates = list(load_updates(lines, source="week.jsonl"))
    except UpdateLineError as error:
        assert error.reason.strip() and len(error.reason) < 400
        assert error.line is not None and 1 <= error.line <= len(lines)
        assert str(error).startswith(f"week.jsonl line {error.line}:")
        return
    assert all(u.id and u.team and isinstance(u.text, str) for u in updates)
    assert len({u.id for u in updates}) == len(updates)


# --- the whole command path --------------------------------------------------------------------------

SUBCOMMANDS = {
    "/checkin": ["", "help", "away", "back"],
    "/objective": ["add", "list", "edit", "archive", "help", ""],
    "/initiative": ["add", "list", "done", "drop", "help", ""],
    "/goal": ["add", "list", "edit", "archive", "help", ""],
    "/alignment": [
        "team",
        "leadership",
        "schedule",
        "teams",
        "status",
        "skip",
        "report",
        "prompts",
        "deadline",
        "members",
        "lead",
        "nudge",
        "holiday",
        "holidays",
        "unskip",
        "settings",
        "help",
        "",
    ],
}
BROKEN = ":warning: Something went wrong"


def _command_text(draw, command: str) -> str:
    head = draw(st.sampled_from(SUBCOMMANDS[command]))
    tail = draw(st.one_of(slackish, st.text(max_size=40)))
    return draw(st.sampled_from([f"{head} {tail}", tail, head]))


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_random_commands_always_get_a_private_helpful_answer(command, answer, runtime):
    # A team on the channel the commands come from, so /checkin text is really recorded.
    assert answer("/alignment", "team marketing")[0] == "ephemeral"

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        text = data.draw(st.composite(lambda draw: _command_text(draw, command))())
        user = data.draw(st.sampled_from(["U0ADMIN1", "U0MEMB01", "U0NOBODY"]))
        kind, shown = answer(command, text, user=user)
        if kind == "modal":
            assert shown["type"] == "modal"
            return
        seen = (shown.get("text") or "") + json.dumps(shown.get("blocks") or [])
        assert shown.get("response_type") == "ephemeral", (command, text, shown)
        assert (shown.get("text") or "").strip() or shown.get("blocks"), (command, text, shown)
        assert BROKEN not in seen, (command, text)

    run()
