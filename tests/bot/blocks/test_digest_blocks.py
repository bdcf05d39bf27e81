"""The leadership digest as Block Kit: what leadership reads, and Slack's limits at any size."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.alignment.analysis import FINDING_ORDER, AnalyzedUpdate, Finding, Report, TeamScore, analyze
from bot.alignment.model import Goal, Objective, Org, Team, Update
from bot.blocks.digest import (
    DigestData,
    IdleGoal,
    WeekScore,
    change,
    details_modal,
    digest_message,
    digest_text,
    sparkline,
)
from bot.fakeslack.blockkit import validate, validate_message, validate_view

WEEK = "2026-W48"
ORG = Org(
    teams=(Team("marketing"), Team("sales"), Team("product")),
    objectives=(
        Objective("pipeline", "Build enterprise pipeline"),
        Objective("finserv", "Win in <financial> services & banks", "The vendor of choice for banks."),
        Objective("retention", "Keep customers"),
    ),
)
UPDATES = [
    Update("a", "marketing", "Launched the bank webinar with sales", objectives=("finserv",)),
    Update("b", "sales", "Followed up on the webinar leads", objectives=("finserv",)),
    Update("c", "marketing", "Redesigned the office <signage>", objectives=()),
    Update("d", "sales", "Closed the Acme deal", objectives=("pipeline",)),
]
LINK_A = "https://acme.slack.com/archives/C01/p1000"
LINK_C = "https://acme.slack.com/archives/C01/p3000"


def small(**overrides: object) -> DigestData:
    values: dict = {
        "workspace": "Acme & Co",
        "week": WEEK,
        "report": analyze(ORG, UPDATES),
        "trend": (WeekScore("2026-W46", 0.5, 0.1), WeekScore("2026-W47", 0.6, 0.3)),
        "links": {"a": LINK_A, "c": LINK_C},
        "authors": {"a": "U0ANNA", "b": "U0BEN"},
        "missing": {"product": ("U0PAT", "U0SAM")},
        "names": {"U0ANNA": "anna", "U0BEN": "ben", "U0PAT": "pat"},
    }
    values.update(overrides)
    return DigestData(**values)


def all_text(blocks: list[dict]) -> str:
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

    walk(blocks)
    return "\n".join(out)


def big_digest(teams: int = 40, objectives: int = 30, findings: int = 200) -> DigestData:
    """Return a digest far larger than any real week, with text that needs escaping everywhere."""
    names = tuple(f"team-{i:02d} <revenue & growth operations>" for i in range(teams))
    objs = tuple(
        Objective(f"obj-{j}", f"Objective {j}: a long title about <pipeline> & renewals " * 3, "why " * 400)
        for j in range(objectives)
    )
    # obj-0 gets a crowd of updates so its page must paginate.
    updates = tuple(
        AnalyzedUpdate(
            f"u{k}",
            names[k % teams],
            "Long <b> update & more " * 30,
            (objs[0 if k < 600 else k % objectives].key,),
            (names[(k + 1) % teams],),
        )
        for k in range(1200)
    )
    coverage = {o.key: {t: (j * 7 + i) % 13 for i, t in enumerate(names)} for j, o in enumerate(objs)}
    found = tuple(
        Finding(
            FINDING_ORDER[i % len(FINDING_ORDER)],
            objs[i % objectives].key if i % 2 else None,
            (names[i % teams], names[(i + 1) % teams]),
            tuple(f"u{i * 5 + x}" for x in range(6)),
            "A long <summary> & markup. " * 30,
        )
        for i in range(findings)
    )
    report = Report(objs, names, (), updates, coverage, found, 0.81, 0.33, {t: TeamScore(0.5, 0.25, 30) for t in names})
    return DigestData(
        workspace="Acme " * 80,
        week=WEEK,
        report=report,
        trend=tuple(WeekScore(f"2026-W{w}", (w % 7) / 7, (w % 5) / 5) for w in range(20, 48)),
        links={
            u.id: f"https://acme.slack.com/archives/C0123456/p{1700000000000000 + i}" for i, u in enumerate(updates)
        },
        authors={u.id: f"U{i:09d}" for i, u in enumerate(updates)},
        missing={t: tuple(f"U{i:09d}" for i in range(30)) for t in names},
    )


# --- small helpers ----------------------------------------------------------------------------


def test_change_in_points() -> None:
    assert change(0.75, None) == "first week"
    assert change(0.75, 0.6) == "▲ 15 pts"
    assert change(0.5, 0.51) == "▼ 1 pt"
    assert change(0.5, 0.5) == "no change"


def test_sparkline_rises_and_stays_flat_for_a_wobble() -> None:
    assert sparkline([0.1, 0.5, 0.9]) == "▁▅█"
    flat = sparkline([0.50, 0.51, 0.50])
    assert len(set(flat)) <= 2 and "▁" not in flat and "█" not in flat
    assert sparkline([]) == ""


# --- the message ------------------------------------------------------------------------------


def test_message_opens_with_header_scores_change_and_trend() -> None:
    message = digest_message(small())
    blocks = message["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"Alignment digest · {WEEK}", "emoji": True},
    }
    seen = all_text(blocks)
    assert "*Acme &amp; Co*" in seen
    assert "75%  (▲ 15 pts)" in seen and "25%  (▼ 5 pts)" in seen
    assert "`▁▄█`" in seen  # alignment over W46, W47 and this week
    assert "75%" in message["text"] and WEEK in message["text"] and len(message["text"]) <= 400
    assert validate_message(message["text"], blocks) == []


def test_first_week_says_so_without_a_sparkline() -> None:
    seen = all_text(digest_message(small(trend=()))["blocks"])
    assert "first week" in seen and "`" not in seen.split("*Coverage*")[0]


def test_trend_holding_this_week_is_not_compared_with_itself() -> None:
    trend = (WeekScore("2026-W47", 0.6, 0.3), WeekScore(WEEK, 0.75, 0.25))
    assert "▲ 15 pts" in all_text(digest_message(small(trend=trend))["blocks"])


def test_coverage_table_is_a_code_block_with_counts_and_legend() -> None:
    blocks = digest_message(small())["blocks"]
    table = next(b["text"]["text"] for b in blocks if "```" in b.get("text", {}).get("text", ""))
    rows = table.split("```")[1].splitlines()
    assert rows[0].split() == ["objective", "marketing", "sales", "product"]
    assert rows[1].split() == ["Build", "enterprise", "pipeline", "·", "1", "·"]
    assert rows[2].startswith("Win in &lt;financial&gt;") and rows[2].split()[-3:] == ["1", "1", "·"]
    assert "`·` means none" in all_text(blocks)


def test_findings_worst_first_with_emoji_links_and_good_news_last() -> None:
    seen = all_text(digest_message(small())["blocks"])
    unaligned = seen.index(":grey_question: 1 of marketing's 2 updates serves no stated objective")
    silent = seen.index(":mute: product sent no update this week.")
    joint = seen.index(":handshake: marketing and sales worked together")
    assert unaligned < silent < seen.index("*Working together*") < joint
    assert f"<{LINK_C}|view>" in seen[unaligned:silent]
    assert "&lt;signage&gt;" in seen and "<signage>" not in seen
    assert "Win in &lt;financial&gt; services &amp; banks" in seen


def test_finding_links_stop_at_three_then_count() -> None:
    many = Finding("unaligned_work", None, ("marketing",), ("a", "b", "c", "d", "e"), "Five loose updates.")
    report = analyze(ORG, UPDATES)
    report = replace(report, findings=(many,))
    links = {u: f"https://acme.slack.com/archives/C01/p{i}" for i, u in enumerate("abcde")}
    seen = all_text(digest_message(small(report=report, links=links))["blocks"])
    assert (
        f" view <{links['a']}|1> <{links['b']}|2> <{links['c']}|3> +2" in seen
        and links["d"] not in seen
        and "|view>" not in seen
    )


def test_who_has_not_checked_in_is_mentioned_per_team() -> None:
    seen = all_text(digest_message(small())["blocks"])
    # Names, never pings; someone Slack did not name shows as their id.
    assert "*Who has not checked in*\n*product*: pat, U0SAM" in seen and "<@" not in seen


def test_actions_offer_details_and_a_pick_of_objectives_and_teams() -> None:
    actions = digest_message(small())["blocks"][-1]
    button, select = actions["elements"]
    assert (button["action_id"], button["value"], button["text"]["text"]) == ("digest_details", WEEK, "Details")
    assert select["action_id"] == "digest_details_pick"
    values = [o["value"] for g in select["option_groups"] for o in g["options"]]
    assert values == [
        "objective:pipeline",
        "objective:finserv",
        "objective:retention",
        "team:marketing",
        "team:sales",
        "team:product",
    ]


def test_a_week_without_objectives_or_findings_still_reads_well() -> None:
    report = analyze(Org(), [])
    message = digest_message(DigestData("Acme", WEEK, report))
    seen = all_text(message["blocks"])
    assert "/objective add" in seen and "Nothing to flag this week." in seen
    assert validate(message["blocks"]) == []


def test_huge_org_stays_within_message_limits() -> None:
    data = big_digest()
    message = digest_message(data)
    blocks = message["blocks"]
    assert validate_message(message["text"], blocks) == []
    assert len(blocks) <= 50
    seen = all_text(blocks)
    assert "Showing the busiest 12 of 30 objectives and 8 of 40 teams" in seen
    assert "more findings — press Details." in seen
    assert "more teams — press Details." in seen
    assert "and 18 more" in seen  # 30 people missing in a team, 12 named
    select = blocks[-1]["elements"][1]
    assert sum(len(g["options"]) for g in select["option_groups"]) == 70


def test_more_pickable_things_than_slack_allows_are_capped_at_100() -> None:
    data = big_digest(teams=90, objectives=60, findings=10)
    select = digest_message(data)["blocks"][-1]["elements"][1]
    assert sum(len(g["options"]) for g in select["option_groups"]) == 100
    assert validate(digest_message(data)["blocks"]) == []


# --- the details modal ------------------------------------------------------------------------


def test_overview_lists_objectives_with_teams_counts_and_findings() -> None:
    view = details_modal(small())
    assert validate_view(view) == []
    assert (view["type"], view["callback_id"], view["title"]["text"]) == ("modal", "digest_details", f"Digest · {WEEK}")
    seen = all_text(view["blocks"])
    assert "*Win in &lt;financial&gt; services &amp; banks* — marketing 1 · sales 1" in seen
    assert "*Keep customers* — _no team this week_" in seen
    assert ":white_circle: No team worked on Keep customers this week." in seen
    assert "*Across objectives*" in seen and ":mute: product sent no update this week." in seen
    assert json.loads(view["private_metadata"]) == {"week": WEEK, "pick": None}


def test_objective_page_shows_its_updates_with_author_and_link() -> None:
    view = details_modal(small(), "objective:finserv")
    assert validate_view(view) == []
    seen = all_text(view["blocks"])
    assert "The vendor of choice for banks." in seen
    assert f"• *marketing* · anna · “Launched the bank webinar with sales” · <{LINK_A}|view>" in seen
    assert "• *sales* · ben · “Followed up on the webinar leads”" in seen
    assert ":handshake: marketing and sales worked together" in seen
    assert "Closed the Acme deal" not in seen
    select = view["blocks"][1]["elements"][1]
    assert select["initial_option"]["value"] == "objective:finserv"
    assert view["blocks"][1]["elements"][0]["text"]["text"] == "Overview"


def test_team_page_shows_scores_missing_people_updates_and_findings() -> None:
    seen = all_text(details_modal(small(), "team:sales")["blocks"])
    assert "*sales* — alignment 100% · interdependence 0% · 2 updates" in seen
    assert "• _Build enterprise pipeline_ · “Closed the Acme deal”" in seen
    assert "handed work to or asked for help from sales" in seen
    assert "Redesigned the office" not in seen
    silent = all_text(details_modal(small(), "team:product")["blocks"])
    assert "*product* — sent no update this week" in silent and "pat, U0SAM" in silent


def test_unknown_pick_falls_back_to_the_overview() -> None:
    view = details_modal(small(), "objective:gone")
    seen = all_text(view["blocks"])
    assert "not in this week's digest" in seen and "*Keep customers*" in seen
    assert json.loads(view["private_metadata"])["pick"] is None


@pytest.mark.parametrize(
    "pick", [None, "objective:obj-0", "objective:obj-7", "team:team-03 <revenue & growth operations>"]
)
def test_huge_org_details_stay_within_modal_limits(pick: str | None) -> None:
    view = details_modal(big_digest(), pick)
    assert validate_view(view) == []
    assert len(view["blocks"]) <= 100


def test_crowded_objective_page_says_how_many_updates_are_left_out() -> None:
    seen = all_text(details_modal(big_digest(), "objective:obj-0")["blocks"])
    assert "*Updates* (620)" in seen
    assert "more updates" in seen.splitlines()[-1]


# --- text -------------------------------------------------------------------------------------


def test_text_has_week_trend_report_and_missing_people() -> None:
    data = small()
    text = digest_text(data)
    lines = text.splitlines()
    assert lines[0] == f"Acme & Co · alignment digest · {WEEK}"
    assert lines[1] == "Trend since 2026-W47: alignment 75% (▲ 15 pts) ▁▄█ · interdependence 25% (▼ 5 pts) ▁█▆"
    assert data.report.to_text() in text
    # People by name where the digest knows them, else by id.
    assert text.endswith("Not checked in\n- product: pat, U0SAM\n")
    assert "first week" in digest_text(small(trend=()))


def test_two_hundred_teams_fit_one_screen_biggest_findings_first() -> None:
    teams = tuple(Team(f"team{n:03d}") for n in range(200))
    # Each team: one update, a pair of teams on each rival, and eight teams on the same zeta deck.
    updates = [
        Update(
            f"u{n}",
            teams[n].name,
            f"Built a battlecard against rival{n // 2} for zone{n // 2}",
            objectives=("pipeline",),
        )
        for n in range(192)
    ] + [
        Update(f"z{n}", teams[n].name, "Drafted the zeta pricing deck for omega accounts", objectives=("pipeline",))
        for n in range(192, 200)
    ]
    report = analyze(Org(teams=teams, objectives=ORG.objectives), updates)
    assert len(report.findings) <= len(updates)
    message = digest_message(DigestData("Acme", WEEK, report))
    blocks = message["blocks"]
    assert validate_message(message["text"], blocks) == []
    seen = all_text(blocks)
    lines = [line for line in seen.splitlines() if line.startswith(":twisted_rightwards_arrows:")]
    assert lines and "8 updates" in lines[0]  # the eight-team cluster leads its kind
    assert len([line for line in seen.splitlines() if line.startswith(":")]) <= 13  # a screen, not 97 findings
    assert f"and {len(report.findings) - 10} more findings — press Details." in seen


def test_mentions_in_quoted_text_show_as_names_and_ping_nobody() -> None:
    updates = [
        Update(
            "m1",
            "marketing",
            "Handed the <https://x.example/deck|deck> to <@U0CAL|cal> and <@U0ANNA> in <#C0SLS|sales>, <!here>",
        ),
        *UPDATES[1:],
    ]
    data = small(report=analyze(ORG, updates), authors={"m1": "U0ANNA"})
    seen = all_text(details_modal(data, "team:marketing")["blocks"])
    assert "Handed the deck to @cal and @anna in #sales, @here" in seen
    assert "<@" not in seen and "&lt;@" not in seen and "<!here>" not in seen


# --- questions still open, and guesses that stand -----------------------------------------------


def test_updates_waiting_for_an_answer_are_named_by_team_with_links_and_stay_within_limits() -> None:
    teams = tuple(Team(f"team-{n:03d} <ops & growth>") for n in range(120))
    org = Org(teams=teams, objectives=ORG.objectives)
    updates = [
        Update(f"w{n}", teams[n // 3].name, "Ran the partner summit", objectives=(), confident=False)
        for n in range(3 * len(teams))
    ]
    links = {u.id: f"https://acme.slack.com/archives/C0123456/p{1700000000000000 + n}" for n, u in enumerate(updates)}
    data = small(report=analyze(org, updates), links=links, missing={})
    message = digest_message(data)
    assert validate_message(message["text"], message["blocks"]) == []
    seen = all_text(message["blocks"])
    first = (
        "*team-000 &lt;ops &amp; growth&gt;*: 3 updates wait for their authors' answers on which objective they serve"
    )
    assert f"{first} view <{links['w0']}|1> <{links['w1']}|2> <{links['w2']}|3>" in seen
    assert "more teams — press Details" in seen
    assert validate_view(details_modal(data)) == []


def test_the_team_page_marks_an_update_counted_by_its_guess() -> None:
    updates = [*UPDATES, Update("g", "sales", "Ran the partner summit", objectives=(), confident=False)]
    data = small(report=analyze(ORG, updates, closed_teams={"sales"}))
    seen = all_text(details_modal(data, "team:sales")["blocks"])
    assert "• _no objective (guess: its author didn't answer)_ · “Ran the partner summit”" in seen
    assert "1 of sales's 3 updates serves no stated objective (guess: its author didn't answer)" in seen


GOAL_ORG = replace(
    ORG,
    teams=(
        Team("marketing", goals=(Goal("Brand <refresh> & tone", ()), Goal("Bank webinars", ("finserv",)))),
        Team("sales", goals=(Goal("Enterprise pipeline", ("pipeline",)),)),
        Team("product"),
    ),
)


def goals_digest() -> DigestData:
    report = analyze(GOAL_ORG, UPDATES, goals={"a": ["Bank webinars"]})
    return small(report=report, idle_goals=(IdleGoal("sales", "Enterprise <pipeline>"),))


def test_the_goals_section_names_each_goal_problem_once_escaped():
    message = digest_message(goals_digest())

    assert validate_message(message["text"], message["blocks"]) == []
    goals = [b for b in message["blocks"] if "text" in b and b["text"]["text"].startswith("*Goals*")]
    assert len(goals) == 1
    assert goals[0]["text"]["text"].split("\n") == [
        "*Goals*",
        ":dart: marketing's goal \u201cBrand &lt;refresh&gt; &amp; tone\u201d serves no business objective.",
        ":white_circle: No team has a goal that serves Keep customers.",
        ":zzz: No sales update served its goal \u201cEnterprise &lt;pipeline&gt;\u201d for four weeks.",
    ]
    # Goal problems live in their own section, not among the week's findings.
    rest = all_text([b for b in message["blocks"] if b is not goals[0]])
    assert "serves no business objective" not in rest and "has a goal" not in rest


def test_the_goals_section_in_text():
    text = digest_text(goals_digest())

    assert text.endswith(
        "\nGoals\n"
        "- marketing's goal \u201cBrand <refresh> & tone\u201d serves no business objective.\n"
        "- No team has a goal that serves Keep customers.\n"
        "- No sales update served its goal \u201cEnterprise <pipeline>\u201d for four weeks.\n"
    )
    assert text.count("serves no business objective") == 1


def test_no_goals_no_goals_section():
    data = small()

    assert "Goals" not in digest_text(data)
    assert "*Goals*" not in all_text(digest_message(data)["blocks"])
