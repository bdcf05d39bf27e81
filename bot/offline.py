"""Offline tagging and analysis (`alignbot tag`, `alignbot analyze`): files in, JSON out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.alignment.analysis import Report, analyze
from bot.alignment.model import Example, Match, Org, Update, Verdict
from bot.alignment.tagger import Tagger


def tag_updates(org: Org, updates: Sequence[Update], learn: bool = False) -> list[dict[str, Any]]:
    """Tag each update in order; hand-set objectives replace the automatic ones.

    With `learn`, a hand-tagged update also teaches the tagger for the updates after it,
    as a person's tag does in Slack.
    """
    tagger = Tagger(org.objectives, corpus=[u.text for u in updates], exact=True)
    lines = []
    for update in updates:
        verdict = verdict_for(tagger, update)
        lines.append(_tag_line(update, verdict))
        if learn and update.objectives is not None:
            tagger.learn(Example(update.text, tuple(update.objectives)))
    return lines


def verdict_for(tagger: Tagger, update: Update) -> Verdict:
    """Return what an update serves: a person's tags (always sure) if any, else the tagger's verdict."""
    if update.objectives is not None:
        hand = tuple(Match(key, 1.0, ("set by hand",)) for key in dict.fromkeys(update.objectives))
        return Verdict(hand, True, hand)
    return tagger.judge(update.text)


def _tag_line(update: Update, verdict: Verdict) -> dict[str, Any]:
    objectives = [{"key": m.key, "score": round(m.score, 2)} for m in verdict.matches]
    return {"id": update.id, "objectives": objectives, "aligned": bool(objectives), "confident": verdict.confident}


def analyze_updates(org: Org, updates: Sequence[Update]) -> Report:
    """Tag the updates nobody tagged by hand, then analyze the week."""
    tagger = Tagger(org.objectives, corpus=[u.text for u in updates], exact=True)
    verdicts = {u.id: tagger.judge(u.text) for u in updates if u.objectives is None}
    tags = {key: [m.key for m in verdict.matches] for key, verdict in verdicts.items()}
    # An update the tagger is unsure of is a guess, not unaligned work; hand-tagged lines are always sure.
    judged = [replace(u, confident=verdicts[u.id].confident) if u.id in verdicts else u for u in updates]
    return analyze(org, judged, tags=tags)
