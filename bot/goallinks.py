"""Goal links asked of the model: a goal title is sent as one update line with its team.

The lexicon suggests what a goal serves (bot.alignment.goals); where the model answers, its
answer is the suggestion, confident unless it disagrees with a lexicon that was sure (then
the lead is asked, as an author is about an update). No answer leaves the lexicon's link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.alignment.goals import GoalLink
from bot.alignment.model import Match, Verdict
from bot.llm import Ask, ModelTagger, combine


def lexicon_verdict(link: GoalLink) -> Verdict:
    """Return a suggested link as the lexicon's verdict on the goal's title."""
    matches = tuple(Match(key, 1.0, ()) for key in link.serves)
    return Verdict(matches, link.confident, matches)


def with_answer(link: GoalLink, answer: tuple[str, ...] | None) -> GoalLink:
    """Return the link the model's answer makes of a suggested one; a stated link or no answer stays."""
    if answer is None or not link.suggested:
        return link
    verdict, _ = combine(lexicon_verdict(link), answer)
    serves = tuple(m.key for m in verdict.matches)
    return replace(link, serves=serves, confident=verdict.confident, by_model=True)


def model_links(model: ModelTagger | None, links: Sequence[GoalLink]) -> list[GoalLink]:
    """Ask the model about the suggested links its mode names; return every link, answered or as it was."""
    if model is None:
        return list(links)
    asked = [i for i, link in enumerate(links) if link.suggested and model.wants(lexicon_verdict(link))]
    answers = dict(zip(asked, model.answer([Ask(links[i].team, links[i].title) for i in asked]))) if asked else {}
    return [with_answer(link, answers.get(i)) for i, link in enumerate(links)]
