"""Team goals: the objectives each goal serves, stated in the org file or suggested.

A goal whose `serves` the org file leaves out is read like an update against the
objectives; what it serves is suggested from that reading and from the company's
other goals. The goals the tagger is sure of teach it the company's own words for
the ones it could place nowhere. A goal it is unsure of gets one suggestion, the
objective fewer sure goals already carry, and is asked about. A goal title is short
and written to serve something, so where no objective reaches the cut-off, the
nearest one is suggested all the same, marked unsure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.alignment.model import Example, Goal, Org, Verdict
from bot.alignment.tagger import Tagger
from bot.alignment.weights import GOAL_SUGGEST_MIN, THRESHOLD

__all__ = ["GoalLink", "goal_examples", "link_goals", "linked_goals"]


@dataclass(frozen=True)
class GoalLink:
    """A team goal and the objectives it serves; `suggested` when Alignbot chose them."""

    team: str
    title: str
    serves: tuple[str, ...]
    suggested: bool
    confident: bool
    by_model: bool = False  # the opt-in model's answer chose `serves`

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
    corpus = [goal.title for _, goal in goals]
    tagger = Tagger(org.objectives, stated, corpus=corpus)
    open_titles = list(dict.fromkeys(goal.title for _, goal in goals if goal.serves is None))
    verdicts = {title: (tagger, tagger.judge(title)) for title in open_titles}
    sure = [Example(t, tuple(m.key for m in v.matches)) for t, (_, v) in verdicts.items() if v.confident and v.matches]
    unplaced = [t for t, (_, v) in verdicts.items() if not v.matches]
    if sure and unplaced:
        # Self-training: the goals the tagger is sure of teach it this company's words
        # ("DD" beside "debit"), then it reads again the goals it could place nowhere.
        taught = Tagger(org.objectives, [*stated, *sure], corpus=corpus)
        verdicts.update({title: (taught, taught.judge(title)) for title in unplaced})
    # How many goals people linked, or the tagger is sure of, already serve each objective.
    carried = Counter(key for example in [*stated, *sure] for key in example.objectives)
    links = []
    for team, goal in goals:
        if goal.serves is not None:
            links.append(GoalLink(team, goal.title, goal.serves, False, True))
            continue
        reader, verdict = verdicts[goal.title]
        if verdict.confident and verdict.matches:
            links.append(GoalLink(team, goal.title, tuple(m.key for m in verdict.matches), True, True))
            continue
        serves = _best_guess(reader, goal.title, verdict, carried)
        # A guess is always unsure; no guess is as sure as the verdict that nothing fits.
        links.append(GoalLink(team, goal.title, serves, True, verdict.confident and not serves))
    return links


def _best_guess(tagger: Tagger, title: str, verdict: Verdict, carried: Counter[str]) -> tuple[str, ...]:
    """Return the objectives to suggest for a goal the tagger is unsure of: mostly one, or none.

    A lead writes a goal to serve something, so where no objective reaches the cut-off
    the nearest is suggested, if what it rests on says what the work is, not only where
    it happens. Of several, each goal the company is already sure serves an objective
    explains away more of an unsure goal's likeness to it: the objective fewer sure
    goals carry is the likelier reading, and the others are dropped, unless the goal
    says enough of an objective's own words to be tagged with it on them alone.
    """
    options = list(verdict.matches)
    if not options:
        work = tagger.work_scores(title)
        options = [m for m in verdict.candidates if min(m.score, work.get(m.key, 0.0)) >= GOAL_SUGGEST_MIN]
    if len(options) < 2:
        return tuple(m.key for m in options)
    best = max(options, key=lambda m: (m.score / (1 + carried[m.key]), -options.index(m)))
    said = tagger.own_word_scores(title)
    return tuple(m.key for m in options if m is best or m in verdict.matches and said.get(m.key, 0.0) >= THRESHOLD)


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
