"""Offline tagging and analysis (`alignbot tag`, `alignbot analyze`): files in, JSON out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from bot.alignment.analysis import Report, analyze
from bot.alignment.model import Match, Org, Update
from bot.alignment.tagger import Tagger


def tag_updates(org: Org, updates: Sequence[Update]) -> list[dict[str, Any]]:
    """Tag each update; hand-set objectives replace the automatic ones."""
    tagger = Tagger(org.objectives)
    return [_tag_line(update, tags_for(tagger, update)) for update in updates]


def tags_for(tagger: Tagger, update: Update) -> list[Match]:
    """Return the objectives an update serves: a person's tags if any, else the tagger's."""
    if update.objectives is not None:
        return [Match(key, 1.0, ("set by hand",)) for key in dict.fromkeys(update.objectives)]
    return tagger.tag(update.text)


def _tag_line(update: Update, matches: Iterable[Match]) -> dict[str, Any]:
    objectives = [{"key": m.key, "score": round(m.score, 2)} for m in matches]
    return {"id": update.id, "objectives": objectives, "aligned": bool(objectives)}


def analyze_updates(org: Org, updates: Sequence[Update]) -> Report:
    """Tag the updates nobody tagged by hand, then analyze the week."""
    tagger = Tagger(org.objectives)
    verdicts = {u.id: tagger.judge(u.text) for u in updates if u.objectives is None}
    tags = {key: [m.key for m in verdict.matches] for key, verdict in verdicts.items()}
    # An update the tagger is unsure of is a guess, not unaligned work; hand-tagged lines are always sure.
    judged = [replace(u, confident=verdicts[u.id].confident) if u.id in verdicts else u for u in updates]
    return analyze(org, judged, tags=tags)
