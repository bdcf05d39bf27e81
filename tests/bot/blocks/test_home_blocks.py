"""The App Home: a person's week, their team's initiatives, the latest digest, or how to start."""

from __future__ import annotations

from typing import Any

from bot.alignment.analysis import analyze
from bot.alignment.model import Objective, Org, Team, Update
from bot.blocks.common import section
from bot.blocks.digest import DigestData, WeekScore
from bot.blocks.home import home_view
from bot.fakeslack.blockkit import validate_view

WEEK = "2026-W48"
ORG = Org(
    teams=(Team("marketing"), Team("sales"), Team("product")),
    objectives=(
        Objective("pipeline", "Build enterprise pipeline"),
        Objective("finserv", "Win in banks"),
        Objective("retention", "Keep customers"),
    ),
)
REPORT = analyze(
    ORG,
    [
        Update("a", "marketing", "Launched the bank webinar with sales", objectives=("finserv",)),
        Update("b", "sales", "Followed up on the webinar leads", objectives=("finserv",)),
        Update("c", "marketing", "Redesigned the office signage", objectives=()),
        Update("d", "sales", "Closed the Acme deal", objectives=("pipeline",)),
    ],
)
DIGEST = DigestData(
    "Acme",
    WEEK,
    REPORT,
    trend=(WeekScore("2026-W47", 0.6, 0.3),),
    links={"c": "https://acme.slack.com/archives/C01/p3"},
)


def view(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "user_id": "U0ANNA",
        "team": "marketing",
        "week": WEEK,
        "answered": False,
        "open_value": "open-42",
        "update_text": None,
        "initiatives": [],
        "digest": DIGEST,
    }
    values.update(overrides)
    home = home_view(**values)
    assert validate_view(home) == []
    return home


def seen(home: dict[str, Any]) -> str:
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(home["blocks"])
    return "\n".join(out)


def buttons(home: dict[str, Any]) -> list[dict[str, Any]]:
    found = [b["accessory"] for b in home["blocks"] if b.get("accessory", {}).get("type") == "button"]
    for block in home["blocks"]:
        if block["type"] == "actions":
            found += [e for e in block["elements"] if e["type"] == "button"]
    return found


def test_greets_and_asks_for_this_weeks_update() -> None:
    home = view()
    assert home["type"] == "home"
    text = seen(home)
    assert "Hi <@U0ANNA>" in text and f"*marketing* · {WEEK}" in text
    assert "You have not shared your update this week" in text
    [button] = buttons(home)
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        "checkin_open",
        "open-42",
        "Share your update",
    )


def test_answered_shows_the_update_clipped_with_an_edit_button() -> None:
    home = view(answered=True, update_text="Shipped the <new> pricing page " * 100)
    text = seen(home)
    assert "Your update is in" in text and "Shipped the &lt;new&gt; pricing page" in text
    assert "…" in text and len(text) < 3000
    [button] = buttons(home)
    assert (button["action_id"], button["value"], button["text"]["text"]) == ("checkin_open", "open-42", "Edit")


def test_open_initiatives_stop_at_ten() -> None:
    initiatives = [(str(i), f"Initiative {i}") for i in range(1, 16)]
    text = seen(view(initiatives=initiatives))
    assert "• Initiative 10 (`10`)" in text and "Initiative 11" not in text
    assert "and 5 more — `/initiative list`" in text
    assert "/initiative add" in seen(view(initiatives=[]))


def test_latest_digest_in_brief() -> None:
    text = seen(view())
    assert f"Latest digest · {WEEK}" in text
    assert "*Alignment* 75% (▲ 15 pts)" in text and "*Interdependence* 25% (▼ 5 pts)" in text
    assert "marketing: alignment 50% · interdependence 50% · 2 updates" in text
    assert ":grey_question: 1 of marketing's 2 updates serves no stated objective" in text
    assert "<https://acme.slack.com/archives/C01/p3|view>" in text
    assert "No team worked on Keep customers" not in text  # fourth finding: only the top three
    assert f"and {len(REPORT.findings) - 3} more" in text
    # Slack shows italics around inline code as raw underscores: the line has neither marks nor cut-off.
    more = f"and {len(REPORT.findings) - 3} more — `/alignment report` shows the full digest"
    assert f"\n{more}" in text and f"_{more}" not in text


def test_newcomer_without_team_or_digest_learns_how_to_start() -> None:
    home = view(team=None, digest=None, open_value=None)
    text = seen(home)
    assert "You are not on a team yet" in text
    assert "`/alignment team <name>`" in text and "`/objective add" in text and "`/alignment leadership`" in text
    assert "No digest yet" in text
    assert buttons(home) == []


def test_long_everything_stays_within_limits() -> None:
    view(
        team="t" * 500,
        answered=True,
        update_text="x" * 10000,
        open_value="v" * 2000,
        initiatives=[(str(i), "T" * 1000) for i in range(200)],
    )


def test_a_full_home_with_many_teams_time_off_and_admin_buttons_is_valid():
    from datetime import date

    from bot.blocks.home import TeamWeek
    from bot.blocks.settings import settings_buttons

    home = view(
        other_teams=[
            TeamWeek(f"team {i}", WEEK, i % 2 == 0, f"{i}:{WEEK}", "x" * 3000 if i % 2 == 0 else None)
            for i in range(40)
        ],
        time_off=[(i, date(2026, 12, i + 1), date(2026, 12, i + 2)) for i in range(30)],
        today=date(2026, 12, 1),
        admin_blocks=settings_buttons([(i, f"team {i}") for i in range(60)]),
        notice=":warning: " + "y" * 500,
    )
    assert len(home["blocks"]) <= 100
    text = seen(home)
    assert "*team 9*" in text and "*team 10*" not in text and "and 30 more teams" in text and "and 35 more" in text
    assert "and 20 more later on" in text


def test_past_weeks_come_after_the_admin_settings_just_above_the_command_hints() -> None:
    past = [section("*Past weeks*"), section("2026-W46: Launched the webinar")]
    admin = [section("Team settings")]

    blocks = view(admin_blocks=admin, past_weeks=past)["blocks"]

    assert blocks[-4:-1] == admin + past
    assert blocks[-1]["type"] == "context" and "/checkin" in blocks[-1]["elements"][0]["text"]
