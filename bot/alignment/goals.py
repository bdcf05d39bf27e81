"""Team goals: the objectives each goal serves, stated in the org file or suggested.

A goal whose `serves` the org file leaves out is read like an update against the
objectives; what it serves is suggested from that reading. A goal title is short
and written to serve something, so where no objective reaches the cut-off, the
nearest one is suggested all the same, marked unsure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.alignment.model import Example, Goal, Org
from bot.alignment.tagger import Tagger
from bot.alignment.weights import GOAL_SUGGEST_MIN

__all__ = ["GoalLink", "goal_examples", "link_goals", "linked_goals"]


@dataclass(frozen=True)
class GoalLink:
    """A team goal and the objectives it serves; `suggested` when Alignbot chose them."""

    team: str
    title: str
    serves: tuple[str, ...]
    suggested: bool
    confident: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the `alignbot goals` JSON line."""
        return {
            "team": self.team,
            "title": self.title,
            "serves": list(self.serves),
            "suggested": self.suggested,
            "confident": self.confident,
        }


def link_goals(org: Org) -> list[GoalLink]:
    """Return every team goal in the org file's order, with the objectives it serves."""
    goals = [(team.name, goal) for team in org.teams for goal in team.goals]
    if not any(goal.serves is None for _, goal in goals):
        return [GoalLink(team, goal.title, goal.serves or (), False, True) for team, goal in goals]
    # The goals people linked teach how this company's leads word an objective.
    stated = [Example(goal.title, goal.serves) for _, goal in goals if goal.serves is not None]
    tagger = Tagger(org.objectives, stated, corpus=[goal.title for _, goal in goals])
    links = []
    for team, goal in goals:
        if goal.serves is not None:
            links.append(GoalLink(team, goal.title, goal.serves, False, True))
            continue
        verdict = tagger.judge(goal.title)
        serves = tuple(m.key for m in verdict.matches)
        confident = verdict.confident
        if not serves and verdict.candidates and verdict.candidates[0].score >= GOAL_SUGGEST_MIN:
            serves, confident = (verdict.candidates[0].key,), False
        links.append(GoalLink(team, goal.title, serves, True, confident))
    return links


def linked_goals(org: Org) -> dict[str, tuple[Goal, ...]]:
    """Return each team's goals by team name, every `serves` stated or suggested."""
    links = iter(link_goals(org))
    return {
        team.name: tuple(replace(goal, serves=next(links).serves) for goal in team.goals)
        for team in org.teams
        if team.goals
    }


def goal_examples(goals: Mapping[str, Sequence[Goal]]) -> list[Example]:
    """Return each goal as a labelled example: a lead's own words for the objectives it serves."""
    return [Example(goal.title, goal.serves or ()) for own in goals.values() for goal in own]
