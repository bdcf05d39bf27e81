"""Handoff detection: handing work over or asking counts; merely naming a team does not."""

from __future__ import annotations

import pytest

from bot.alignment.handoffs import HandoffFinder, find_handoffs
from bot.alignment.model import Org, Team, Update
from bot.alignment.references import ReferenceFinder

ORG = Org(
    teams=(
        Team("marketing", aliases=("mktg",)),
        Team("sales", aliases=("AEs",), channel="C0SALES1", members=("U0SELL01",)),
        Team("operations", aliases=("ops", "dispatch")),
    )
)


def targets(text: str, team: str = "marketing") -> list[tuple[str, str]]:
    return [(h.target, h.kind) for h in HandoffFinder(ORG).find(Update("u1", team, text))]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("handed the webinar leads to sales", [("sales", "handoff")]),
        ("need sales to review the battlecard", [("sales", "ask")]),
        ("sent ops the new rate card", [("operations", "handoff")]),
        ("Built a Routewise battlecard: their pricing. Sent it to sales.", [("sales", "handoff")]),
        ("Scored the leads and handed the 40 best to the sales team with notes", [("sales", "handoff")]),
        ("Flyer for the AEs: add-a-stop pricing", [("sales", "handoff")]),
        ("14 leads to sales from the trade show", [("sales", "handoff")]),
        ("waiting on dispatch for the new routes", [("operations", "ask")]),
        ("need sign-off from ops before launch", [("operations", "ask")]),
        ("Passed the list to <#C0SALES1>", [("sales", "handoff")]),
        ("Handed the renewal list to <@U0SELL01>", [("sales", "handoff")]),
        ("Sent sales the deck and asked ops for a pickup window", [("operations", "ask"), ("sales", "handoff")]),
        ("Sent sales' feedback to ops", [("operations", "handoff")]),
        ("Released the pricing page so sales can point prospects at it", [("sales", "handoff")]),
    ],
)
def test_handing_over_or_asking_is_a_handoff(text, expected):
    assert targets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "joined the sales team dinner",
        "sales had a record week",
        "Reworked the battlecard with what the sales team heard in the demo",
        "Planning the next webinar with sales: they pick the target accounts",
        "Talked to sales about pricing",
        "sales sent us the list of accounts",
        "Following up on marketing's webinar leads",
        "did not send sales the deck yet",
        "Weekly pipeline review w/ ops",
        "Sent the newsletter to 4,000 subscribers. Sales liked it",
        "Gave a talk at the sales kickoff, and a talk to the sales team offsite",
        "Will send sales the deck on Friday",
        "Still need to send sales the deck",
        "Shipped the deck\nNext: hand the leads to sales",
        "Sent the recap to the sales channel",
        "Presented Q3 results to sales leadership",
    ],
)
def test_naming_a_team_is_not_a_handoff(text):
    assert targets(text) == []


def test_a_team_handing_work_to_itself_is_no_handoff():
    assert targets("handed the list to sales", team="sales") == []


def test_one_handoff_per_receiving_team_and_its_phrase_in_the_authors_words():
    [handoff] = HandoffFinder(ORG).find(Update("u7", "marketing", "Sent the AEs the deck. Then handed sales the FAQ"))
    assert (handoff.update, handoff.source, handoff.target) == ("u7", "marketing", "sales")
    assert handoff.phrase == "Sent the AEs the"
    assert handoff.to_dict() == {
        "update": "u7",
        "from": "marketing",
        "to": "sales",
        "kind": "handoff",
        "phrase": "Sent the AEs the",
    }


def test_teams_only_seen_in_updates_count_too():
    found = find_handoffs(Org(), [Update("a", "finance", "x"), Update("b", "legal", "sent the contract to finance")])
    assert [(h.update, h.target) for h in found] == [("b", "finance")]


def test_reference_spans_point_at_the_words_and_mentions():
    text = "Asked mktg and <#C0SALES1> for help"
    spans = ReferenceFinder(ORG).spans(text)
    assert [(text[a:b], team) for a, b, team in spans] == [("mktg", "marketing"), ("<#C0SALES1>", "sales")]
