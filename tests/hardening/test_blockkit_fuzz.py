"""Every Block Kit builder, fed random content of random length, stays within Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alignment.analysis import analyze
from bot.alignment.model import Objective, Org, Team, Update
from bot.blocks import checkin, digest, home, initiatives, objectives, teams
from bot.blocks.common import help_blocks
from bot.fakeslack.blockkit import validate, validate_message, validate_view
from bot.services.initiatives import Choice, InitiativeView, TagView
from bot.services.objectives import ObjectiveView
from bot.services.teams import TeamView
from bot.usage import COMMANDS

FUZZ = settings(max_examples=60, deadline=None)
# Short, long and far too long, with the characters Slack treats specially.
words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
texts = st.one_of(
    st.text(max_size=50),
    st.builds(lambda w, n: (w + " <&> ") * n, words, st.integers(0, 900)),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "🙂", "&", "<", "\n"]), st.integers(0, 5000)),
)
user_ids = st.integers(0, 10**9).map(lambda n: f"U{n:09d}")  # cheaper to draw than a regex
keys = st.from_regex(r"[a-z0-9-]{1,40}", fullmatch=True)
few = st.integers(0, 3)
many = st.integers(0, 150)
WEEK = "2026-W48"
DEADLINE = datetime(2026, 11, 24, 9, tzinfo=UTC)


def message_ok(payload: dict) -> None:
    assert validate_message(payload.get("text"), payload.get("blocks")) == [], payload.get("text", "")[:80]
    assert payload.get("text", "").strip() or payload.get("blocks")


def view_ok(view: dict) -> None:
    assert validate_view(view) == []


@FUZZ
@given(texts, texts, st.booleans(), texts, many)
def test_checkin_messages_and_modals(team, text, personal, value, count):
    message_ok(checkin.prompt_message(team, WEEK, DEADLINE, value[:100], personal=personal))
    message_ok(checkin.reminder_message(team, WEEK, DEADLINE, value[:100]))
    choices = [checkin.Choice(f"{text[:200]} {i}", f"{value[:200]}{i}") for i in range(count)]
    view_ok(
        checkin.checkin_modal(
            checkin.CheckinForm(
                team_id=1,
                team=team,
                week=WEEK,
                objectives=choices,
                partner_teams=choices,
                initiatives=choices,
                moved=text,
                next_steps=text,
                chosen_objectives=[c.value for c in choices],
                chosen_partners=[c.value for c in choices],
            ),
            "C1",
        )
    )
    view_ok(checkin.tags_modal(checkin.TagsForm(1, text, choices, [c.value for c in choices]), None))
    tags = [checkin.TagLine(f"{team} {i}", i / max(count, 1), (text[:300], value[:300])) for i in range(count)]
    for by_hand in (False, True):
        message_ok(checkin.confirmation(team, WEEK, tags, replaced=True, by_hand=by_hand, update_id=count))
    message_ok(
        checkin.confirmation(
            team, WEEK, tags, replaced=False, by_hand=False, update_id=count, question=choices, note=text
        )
    )


@FUZZ
@given(
    st.lists(
        st.tuples(
            texts, st.lists(user_ids, max_size=60), st.lists(user_ids, max_size=60), st.booleans(), st.none() | texts
        ),
        max_size=60,
    )
)
def test_status(rows):
    statuses = [
        checkin.TeamStatus(name, WEEK, tuple(done), tuple(missing), skipped, problem)
        for name, done, missing, skipped, problem in rows
    ]
    assert validate(checkin.status_blocks(statuses)) == []


def test_help_for_every_command():
    for usage in COMMANDS.values():
        assert validate(help_blocks(usage)) == []


@FUZZ
@given(texts, texts, keys, many, st.lists(texts, max_size=40))
def test_objectives(title, description, key, count, keywords):
    views = [
        ObjectiveView(f"{key[:36]}{i}", title[:150] or "t", description, tuple(k[:40] for k in keywords), count)
        for i in range(count)
    ]
    message_ok(objectives.objective_list(views, archived=count))
    if views:
        message_ok(objectives.objective_added(views[0]))
        lines = tuple(
            objectives.PreviewLine(title, f"{description} {i}", bool(i % 2), bool(i % 3)) for i in range(count)
        )
        values = {**objectives.objective_values(views[0]), "examples": description}
        view_ok(
            objectives.objective_form({"key": views[0].key}, values, preview=objectives.Preview(title, 7, count, lines))
        )
        view_ok(objectives.objective_form({}, {"title": title}, problem=description))


@FUZZ
@given(texts, texts, many, st.lists(texts, max_size=30), st.none() | user_ids)
def test_initiatives(title, team, count, partners, owner):
    tags = tuple(TagView(f"k{i}", f"{title[:150]} {i}", bool(i % 2)) for i in range(count % 40))
    views = [InitiativeView(i, title[:200] or "t", team, tags, tuple(partners), owner, "open") for i in range(count)]
    message_ok(initiatives.initiative_list(team, views))
    if views:
        message_ok(initiatives.initiative_logged(views[0]))
        assert len(initiatives.initiative_closed(views[0])) <= 3000
    choices = [Choice(f"{team[:200]}{i}", f"{title} {i}") for i in range(count)]
    # The form is only offered once the workspace has a team (the service says so otherwise).
    team_choices = choices or [Choice("1", team or "t")]
    view_ok(
        initiatives.add_modal(
            team_choices, choices, default_team=team_choices[0].value, owner=owner or "U0ANNA01", channel_id="C0MKTG01"
        )
    )


@FUZZ
@given(
    st.lists(
        st.tuples(texts, st.lists(texts, max_size=10), st.lists(user_ids, max_size=400), st.none() | texts), max_size=60
    ),
    st.none() | st.just("C0LEAD01"),
)
def test_teams(rows, leadership):
    views = [
        TeamView(i, name[:80] or "t", tuple(aliases), f"C{i:08d}", i % 7, "10:00", "UTC", tuple(members), problem)
        for i, (name, aliases, members, problem) in enumerate(rows)
    ]
    message_ok(teams.teams_overview(views, leadership))


@st.composite
def digests(draw) -> digest.DigestData:
    """Return a digest analysed from a random org and week, with random links, authors and missing people."""
    names = draw(
        st.lists(texts.map(lambda t: t[:80].strip() or "team"), min_size=1, max_size=14, unique_by=str.casefold)
    )
    titles = texts.map(lambda t: t.strip()[:150] or "objective")  # titles are never blank in the app
    objs = draw(st.lists(st.builds(Objective, keys, titles, texts), max_size=14, unique_by=lambda o: o.key))
    updates = draw(
        st.lists(
            st.builds(
                lambda i, team, text, tagged, partner: (i, team, text, tagged, partner),
                st.integers(),
                st.sampled_from(names),
                texts,
                st.lists(st.sampled_from([o.key for o in objs] or ["x"]), max_size=3),
                st.none() | st.sampled_from(names),
            ),
            max_size=40,
        )
    )
    week_updates = [
        Update(str(n), team, text, objectives=tuple(tagged), partners=(partner,) if partner else ())
        for n, (_, team, text, tagged, partner) in enumerate(updates)
    ]
    report = analyze(Org(teams=tuple(Team(n) for n in names), objectives=tuple(objs)), week_updates)
    ids = [u.id for u in week_updates]
    return digest.DigestData(
        workspace=draw(texts),
        week=WEEK,
        report=report,
        trend=tuple(
            digest.WeekScore(f"2026-W{w:02d}", draw(st.floats(0, 1)), draw(st.floats(0, 1)))
            for w in range(draw(st.integers(0, 30)))
        ),
        links={i: f"https://acme.slack.com/archives/C0123/p{n}" for n, i in enumerate(ids) if n % 2},
        authors={i: draw(user_ids) for i in ids},
        missing={n: tuple(draw(st.lists(user_ids, max_size=40))) for n in names[: draw(few)]},
    )


@settings(max_examples=40, deadline=None)
@given(digests(), st.data())
def test_digest_message_details_and_home(data, pick):
    message_ok(digest.digest_message(data))
    choices = (
        [None, "unknown"]
        + [f"objective:{o.key}" for o in data.report.objectives[:2]]
        + [f"team:{t}" for t in data.report.teams[:2]]
    )
    for chosen in choices:
        view_ok(digest.details_modal(data, chosen))
    assert digest.digest_text(data).strip()
    team = pick.draw(st.none() | st.sampled_from(list(data.report.teams) or ["x"]))
    view_ok(
        home.home_view(
            user_id="U0ANNA01",
            team=team,
            week=WEEK,
            answered=pick.draw(st.booleans()),
            open_value=pick.draw(st.none() | st.just("1:2026-W48")),
            update_text=pick.draw(st.none() | texts),
            initiatives=[(f"{i}", pick.draw(texts)) for i in range(pick.draw(st.integers(0, 15)))],
            digest=pick.draw(st.none() | st.just(data)),
        )
    )
