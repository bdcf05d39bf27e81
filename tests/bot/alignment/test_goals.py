"""Suggested goal links: what `alignbot goals` says a team goal serves when the org file does not."""

from __future__ import annotations

from bot.alignment.goals import GoalLink, link_goals
from bot.alignment.model import Goal, Objective, Org, Team
from bot.alignment.tagger import Tagger

# Made-up companies: their words are not in the development sets.
BISTRO = (  # a restaurant group
    Objective("covers", "More covers per night", "Fill every table twice on weeknights at our restaurants."),
    Objective("food-cost", "Food cost under 28%", "Less waste and better buying."),
    Objective("young", "Win diners under 30", "Students and young professionals."),
)
LEDGERLY = (  # payroll software
    Objective("churn", "Keep our customers", "Gross retention above 92%: fewer cancellations, faster onboarding."),
    Objective("deal-size", "Bigger deals", "Sell the payroll module with every plan and push two-year contracts."),
    Objective("smb", "Win small businesses", "Companies under 50 employees."),
)
SAVES = ("Save call with every account that asks to cancel", "Onboard every new customer in 14 days")


def links(objectives: tuple[Objective, ...], *goals: Goal) -> dict[str, GoalLink]:
    """Link one team's goals; return each goal's link by title."""
    return {link.title: link for link in link_goals(Org((Team("ops", goals=goals),), objectives))}


def test_a_segment_named_in_passing_earns_no_suggestion():
    got = links(BISTRO, Goal("New aprons and menus at all 5 restaurants"), Goal("Partner with 4 universities"))
    # "at our restaurants" says where all the work happens, not what this goal is for.
    assert got["New aprons and menus at all 5 restaurants"] == GoalLink(
        "ops", "New aprons and menus at all 5 restaurants", (), True, True
    )
    # The audience an objective is named after still makes it the nearest, unsure.
    assert got["Partner with 4 universities"].serves == ("young",)
    assert not got["Partner with 4 universities"].confident


def test_work_scores_leave_out_a_segment_named_in_passing():
    tagger = Tagger(BISTRO)
    assert tagger.judge("New aprons and menus at all 5 restaurants").candidates[0].key == "covers"
    assert tagger.work_scores("New aprons and menus at all 5 restaurants").get("covers", 0.0) < 0.1
    assert tagger.work_scores("Partner with 4 universities")["young"] > 0.3
    assert tagger.work_scores("") == {}


def test_goals_the_tagger_is_sure_of_teach_it_the_companys_own_words():
    sure = "Cut food waste 20%: every kitchen weighs its Tallyo bins nightly"
    got = links(BISTRO, Goal(sure), Goal("Tallyo bins at the 3 new sites by March"), Goal("Weekly supplier bids"))
    assert got[sure].serves == ("food-cost",) and got[sure].confident
    # "Tallyo" means nothing to the knowledge; the sure goal says what it is for.
    assert got["Tallyo bins at the 3 new sites by March"].serves == ("food-cost",)
    assert not got["Tallyo bins at the 3 new sites by March"].confident
    assert got["Weekly supplier bids"].serves == ()


def test_an_unsure_goal_gets_the_objective_fewer_sure_goals_already_carry():
    # Alone, the goal reads as both; unsure, it gets one link, the better-scoring one.
    tagger = Tagger(LEDGERLY)
    verdict = tagger.judge("Upsell add-ons on 30% of renewals")
    assert [m.key for m in verdict.matches] == ["churn", "deal-size"] and not verdict.confident
    assert links(LEDGERLY, Goal("Upsell add-ons on 30% of renewals"))["Upsell add-ons on 30% of renewals"].serves == (
        "churn",
    )
    got = links(LEDGERLY, *(Goal(t) for t in SAVES), Goal("Upsell add-ons on 30% of renewals"))
    assert [got[t].serves for t in SAVES] == [("churn",), ("churn",)]
    # Two sure goals already keep customers: the renewals say less than the upsell.
    assert got["Upsell add-ons on 30% of renewals"] == GoalLink(
        "ops", "Upsell add-ons on 30% of renewals", ("deal-size",), True, False
    )


def test_goals_people_linked_count_as_carrying_their_objectives():
    got = links(
        LEDGERLY,
        Goal("Quarterly check-ins with our 20 largest accounts", ("churn",)),
        Goal("Kick-off calls for new logos", ("churn",)),
        Goal("Upsell add-ons on 30% of renewals"),
    )
    assert got["Upsell add-ons on 30% of renewals"].serves == ("deal-size",)
    assert got["Kick-off calls for new logos"] == GoalLink(
        "ops", "Kick-off calls for new logos", ("churn",), False, True
    )


def test_a_goal_in_an_objectives_own_words_keeps_that_link_as_well():
    got = links(LEDGERLY, *(Goal(t) for t in SAVES), Goal("Faster onboarding for the payroll module"))
    # "Faster onboarding" is the retention objective's own phrase: no sure goal explains it away.
    assert got["Faster onboarding for the payroll module"].serves == ("deal-size", "churn")
    assert not got["Faster onboarding for the payroll module"].confident
    assert Tagger(LEDGERLY).own_word_scores("Faster onboarding for the payroll module")["churn"] >= 0.4
