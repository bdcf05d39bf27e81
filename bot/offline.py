"""Offline tagging and analysis (`alignbot tag`, `alignbot analyze`): files in, JSON out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.alignment.analysis import Report, analyze
from bot.alignment.goals import goal_examples, linked_goals
from bot.alignment.model import Example, Match, Org, Update, Verdict
from bot.alignment.tagger import CALIBRATE_MIN, Tagger, sure_margin
from bot.llm import Ask, ModelConfig, ModelTagger, combine


def model_tagger(settings: Any, org: Org) -> ModelTagger | None:
    """Return the model to consult for this org, or None when ALIGNBOT_LLM_URL is unset."""
    config = ModelConfig.from_settings(settings)
    if config is None:
        return None
    goals = {team.name: [goal.title for goal in team.goals] for team in org.teams if team.goals}
    return ModelTagger(config, org.objectives, goals or None)


def tag_updates(
    org: Org, updates: Sequence[Update], learn: bool = False, model: ModelTagger | None = None
) -> list[dict[str, Any]]:
    """Tag each update in order; hand-set objectives replace the automatic ones.

    With `learn`, a hand-tagged update also teaches the tagger for the updates after it,
    as a person's tag does in Slack. With `model`, the updates its mode names are asked about.
    """
    tagger = _tagger(org, updates)
    decided = consult_model(model, updates, judge_updates(org, updates, learn, tagger))
    lines = [_tag_line(u, v, by) for u, (v, by) in zip(updates, decided)]
    for update, line in zip(updates, lines):
        team = org.team(update.team)
        # Only where the org file gives the update's team goals: a file without goals prints what it always did.
        if team is not None and team.goals:
            scores = tagger.goal_scores(update.text, team.name)
            line["goals"] = [{"title": goal.title, "score": round(score, 2)} for goal, score in scores]
    return lines


def consult_model(
    model: ModelTagger | None, updates: Sequence[Update], verdicts: Sequence[Verdict]
) -> list[tuple[Verdict, str]]:
    """Return each verdict with who decided it: "hand", "lexicon", or "model" where the model answered."""
    asked = [] if model is None else [i for i, (u, v) in enumerate(zip(updates, verdicts)) if _wants(model, u, v)]
    answers = model.answer([Ask(updates[i].team, updates[i].text) for i in asked]) if model and asked else []
    by_index = dict(zip(asked, answers))
    return [
        (v, "hand") if u.objectives is not None else combine(v, by_index.get(i))
        for i, (u, v) in enumerate(zip(updates, verdicts))
    ]


def _wants(model: ModelTagger, update: Update, verdict: Verdict) -> bool:
    return update.objectives is None and model.wants(verdict)


def _tagger(org: Org, updates: Sequence[Update]) -> Tagger:
    goals = linked_goals(org) if org.has_goals else None
    # A goal is also a lead's own words for the objectives it serves: it teaches like an example.
    return Tagger(
        org.objectives, goal_examples(goals or {}), corpus=[u.text for u in updates], calibrate=False, goals=goals
    )


def judge_updates(
    org: Org, updates: Sequence[Update], learn: bool = False, tagger: Tagger | None = None
) -> list[Verdict]:
    """Return each update's verdict, unsure of at most ASK_SHARE of the lines nobody tagged.

    The cut-off is set on the lines themselves once all are judged (not on a sample, as
    the app does): those closest to flipping are asked about, however the tagger learned
    along the way. Fewer than CALIBRATE_MIN lines keep the tagger's own cut-off.
    """
    tagger = tagger or _tagger(org, updates)
    verdicts = []
    for update in updates:
        verdicts.append(verdict_for(tagger, update))
        if learn and update.objectives is not None:
            tagger.learn(Example(update.text, tuple(update.objectives)))
    margins = sorted(v.margin for u, v in zip(updates, verdicts) if u.objectives is None)
    if len(updates) < CALIBRATE_MIN or not margins:
        return verdicts  # a handful of lines say too little of the workspace: the tagger's own cut-off stands
    sure = sure_margin(margins)
    return [
        v if u.objectives is not None else replace(v, confident=v.margin >= sure) for u, v in zip(updates, verdicts)
    ]


def verdict_for(tagger: Tagger, update: Update) -> Verdict:
    """Return what an update serves: a person's tags (always sure) if any, else the tagger's verdict."""
    if update.objectives is not None:
        hand = tuple(Match(key, 1.0, ("set by hand",)) for key in dict.fromkeys(update.objectives))
        return Verdict(hand, True, hand)
    return tagger.judge(update.text, update.team)


def _tag_line(update: Update, verdict: Verdict, by: str) -> dict[str, Any]:
    objectives = [{"key": m.key, "score": round(m.score, 2)} for m in verdict.matches]
    return {
        "id": update.id,
        "objectives": objectives,
        "aligned": bool(objectives),
        "confident": verdict.confident,
        "by": by,
    }


def analyze_updates(org: Org, updates: Sequence[Update], model: ModelTagger | None = None) -> Report:
    """Tag the updates nobody tagged by hand (asking `model` where its mode says), then analyze the week.

    With goals, each update's goals too.
    """
    tagger = _tagger(org, updates)
    verdicts = [v for v, _ in consult_model(model, updates, judge_updates(org, updates, tagger=tagger))]
    goals = None
    if org.has_goals:
        linked = linked_goals(org)
        org = replace(org, teams=tuple(replace(t, goals=linked.get(t.name, ())) for t in org.teams))
        goals = {u.id: [g.title for g, _ in tagger.goal_scores(u.text, u.team)] for u in updates}
    tags = {u.id: [m.key for m in v.matches] for u, v in zip(updates, verdicts) if u.objectives is None}
    # An update the tagger is unsure of is a guess, not unaligned work; hand-tagged lines are always sure.
    judged = [u if u.objectives is not None else replace(u, confident=v.confident) for u, v in zip(updates, verdicts)]
    return analyze(org, judged, tags=tags, goals=goals)
