"""Which other teams an update refers to: partners, words, channels and members."""

from __future__ import annotations

import pytest

from bot.alignment.model import Org, Team, Update
from bot.alignment.references import ReferenceFinder, references

ORG = Org(
    teams=(
        Team("marketing", aliases=("mktg", "demand gen"), channel="C0MKTG01", members=("U0ANNA01",)),
        Team("sales", aliases=("SDR", "AM"), channel="C0SALES1", members=("U0SAM001", "U0SUE002")),
        Team("IT"),
        Team("Customer Success", aliases=("CS",)),
    )
)


def refs(text: str, team: str = "product", partners: tuple[str, ...] = ()) -> list[str]:
    return references(ORG, Update("u", team, text, partners=partners))


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Sent the pricing sheet to the sales team.", ["sales"]),
        ("Handed to Sales on Friday", ["sales"]),
        ("Followed up on marketing's roundtable contacts", ["marketing"]),
        ("Reviewed Sales's forecast and the sales' notes", ["sales"]),
        ("Trained the SDRs on the new sequence", ["sales"]),
        ("Asked demand gen for more MQLs", ["marketing"]),
        ("The demand-gen folks helped", ["marketing"]),
        ("MKTG shared the list", ["marketing"]),
        ("Paired with the customer success team and sales", ["Customer Success", "sales"]),
        ("Waiting on <#C0SALES1|sales-team> for a reply", ["sales"]),
        ("Waiting on <#C0MKTG01>", ["marketing"]),
        ("Thanks <@U0ANNA01> for the deck", ["marketing"]),
        ("Synced with <@U0SUE002|sue>", ["sales"]),
        ("Asked IT for laptops", ["IT"]),
        ("AM team took it over", ["sales"]),
    ],
)
def test_text_references(text: str, want: list[str]) -> None:
    assert refs(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "Moved our CRM to Salesforce",  # a longer word is not the team
        "Wrote it up; it went well",  # "IT" only in capitals
        "I am presenting tomorrow",  # "AM" only in capitals
        "Pinged <@U0NOBODY> and <#C0OTHER1|marketing-ideas>",  # unknown people and channels
        "Premarketing research on wholesale",
    ],
)
def test_text_without_references(text: str) -> None:
    assert refs(text) == []


def test_own_team_is_never_a_reference() -> None:
    assert refs("Marketing team offsite, then sent notes to sales", team="Marketing") == ["sales"]
    assert refs("mktg planning", team="marketing") == []
    assert refs("Pinged <@U0ANNA01>", team="mktg") == []


def test_partners_name_teams_by_name_or_alias_any_case() -> None:
    assert refs("Did a thing", partners=("SALES",)) == ["sales"]
    assert refs("Did a thing", partners=("mktg", "cs")) == ["Customer Success", "marketing"]
    assert refs("Did a thing", team="sales", partners=("sales",)) == []
    # A partner the org does not list is still a team the author worked with.
    assert refs("Did a thing", partners=("legal",)) == ["legal"]


def test_finder_knows_teams_seen_only_in_updates() -> None:
    finder = ReferenceFinder(ORG, extra_teams=["finance", "Mktg"])
    assert finder.find(Update("u", "sales", "Asked finance for budget")) == ["finance"]
    assert finder.canonical("MKTG") == "marketing"
    assert finder.canonical("Finance") == "finance"
    assert finder.canonical("legal") is None


def test_results_are_sorted_and_unique() -> None:
    got = refs("sales, Sales, marketing and <@U0SAM001>", partners=("sales",))
    assert got == ["marketing", "sales"]
