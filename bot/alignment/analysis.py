"""One week's alignment analysis: coverage, findings and scores.

`analyze(org, updates, tags=...)` reads each update's objectives (a person's
hand tags when present, else the tagger's from `tags`), the teams it references
(see references.py), and reports the finding kinds of docs/analysis.md.
Teams that sent updates but are not in the org file count as teams that
checked in. Objective keys the org does not define are ignored.

Decisions the contract leaves open, read literally where it is literal:

- solo_objective: exactly one team worked on the objective, at least one other
  team (any team, org file or not) sent an update this week, and none of that
  team's updates on the objective references any other team.
- uncoordinated_objective: two or more teams worked on it and no update on it
  references any other team. joint_objective: two or more teams worked on it
  and an update on it references another of those teams. When the only
  references point at teams outside that group, neither is reported.
- one_way_handoff: one finding per (from, to) pair, carrying every update of
  `from` that references `to`. Its objective is named only when those updates
  share exactly one objective and `to` worked on it this week too (the handoff
  is then part of shared work); otherwise it is null.
- parallel_work: a pair of updates from different teams that describe the
  same piece of work (see similarity.py) where neither update references the
  other's team is similar; similar pairs that share an update join into one
  cluster, and each cluster is one finding listing its teams (sorted) and its
  updates (by team, then as given), so a piece of work done by ten teams is one
  finding, not 45. Its objective is the one objective all its updates share,
  else null; `similarity` and `shared_terms` describe its closest pair. Its
  updates still count in coverage and in the objective findings like any other.
- Scores: alignment is the share of updates that serve at least one objective;
  interdependence is the share of updates that reference another team. Per
  team the same, for teams that sent updates. Rounded to 2 decimals; 0.0 when
  there are no updates.

Findings come worst first, then the good news: unaligned_work, silent_team,
one_way_handoff, parallel_work, solo_objective, uncoordinated_objective,
uncovered_objective, unlinked_goal, objective_without_goal, joint_objective.
Within a kind, objective findings follow the org file's order and team findings
follow team names.

Team goals (only when the org file has some): each goal's `serves` is resolved by
the caller (stated, or suggested where the file gives none); `unlinked_goal` is a
goal serving no objective, `objective_without_goal` an objective no goal serves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.alignment.model import Objective, Org, Update
from bot.alignment.references import ReferenceFinder
from bot.alignment.similarity import Similarity, similar

__all__ = ["FINDING_ORDER", "AnalyzedUpdate", "Finding", "Report", "TeamScore", "analyze", "similar", "waiting_words"]

FINDING_ORDER = (
    "unaligned_work",
    "silent_team",
    "one_way_handoff",
    "parallel_work",
    "solo_objective",
    "uncoordinated_objective",
    "uncovered_objective",
    "unlinked_goal",
    "objective_without_goal",
    "joint_objective",
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Finding:
    """One thing leadership should know about the week, with the updates behind it."""

    kind: str
    objective: str | None
    teams: tuple[str, ...]
    updates: tuple[str, ...]
    summary: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's JSON shape, extra fields after the required ones."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "objective": self.objective,
            "teams": list(self.teams),
            "updates": list(self.updates),
            "summary": self.summary,
        }
        for key, value in self.extra.items():
            out.setdefault(key, value)
        return out


@dataclass(frozen=True)
class AnalyzedUpdate:
    """An update as the analysis read it: its team, objectives and the teams it references."""

    id: str
    team: str
    text: str
    objectives: tuple[str, ...]
    references: tuple[str, ...]
    confident: bool = True
    kind: str = "update"  # update | initiative
    # The tagger's guess stands: its author did not answer before the team's check-in closed.
    guess: bool = False
    # Titles of the team goals it works toward; None when the org file has no goals.
    goals: tuple[str, ...] | None = None

    @property
    def aligned(self) -> bool:
        return bool(self.objectives)

    @property
    def unconfirmed(self) -> bool:
        """True for a guess that it serves nothing while its author may still say otherwise."""
        return not self.objectives and not self.confident and not self.guess

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team": self.team,
            "objectives": list(self.objectives),
            "references": list(self.references),
            "aligned": self.aligned,
            **({"goals": list(self.goals)} if self.goals is not None else {}),
        }


@dataclass(frozen=True)
class TeamScore:
    """A team's share of aligned updates and of updates that reference another team."""

    alignment: float
    interdependence: float
    updates: int


@dataclass(frozen=True)
class Report:
    """One week's analysis; `to_dict` is the contract's JSON, `to_text` a readable report."""

    objectives: tuple[Objective, ...]
    teams: tuple[str, ...]
    silent: tuple[str, ...]
    updates: tuple[AnalyzedUpdate, ...]
    coverage: Mapping[str, Mapping[str, int]]
    findings: tuple[Finding, ...]
    alignment: float
    interdependence: float
    team_scores: Mapping[str, TeamScore]

    @property
    def unconfirmed(self) -> tuple[AnalyzedUpdate, ...]:
        """Return the updates the tagger found no objective for but was unsure: not counted as unaligned work yet."""
        return tuple(u for u in self.updates if u.unconfirmed)

    def waiting_by_team(self) -> dict[str, tuple[AnalyzedUpdate, ...]]:
        """Return the unconfirmed updates by team, teams in the report's order."""
        waiting: dict[str, list[AnalyzedUpdate]] = {}
        for update in self.unconfirmed:
            waiting.setdefault(update.team, []).append(update)
        order = {team: i for i, team in enumerate(self.teams)}
        return {team: tuple(waiting[team]) for team in sorted(waiting, key=lambda t: (order.get(t, len(order)), t))}

    def to_dict(self) -> dict[str, Any]:
        """Return the `alignbot analyze --format json` object (with `unconfirmed` only when there are some)."""
        out: dict[str, Any] = {
            "updates": [u.to_dict() for u in self.updates],
            "coverage": {key: dict(counts) for key, counts in self.coverage.items()},
            "findings": [f.to_dict() for f in self.findings],
            "scores": {
                "alignment": self.alignment,
                "interdependence": self.interdependence,
                "teams": {
                    team: {"alignment": s.alignment, "interdependence": s.interdependence}
                    for team, s in self.team_scores.items()
                },
            },
        }
        if self.unconfirmed:
            # Guesses that an update serves nothing, waiting for their author: kept out of unaligned_work.
            out["unconfirmed"] = [u.id for u in self.unconfirmed]
        return out

    def to_text(self) -> str:
        """Return a plain-text report: header, scores, coverage table, findings."""
        checked_in = [t for t in self.teams if t not in self.silent]
        lines = [
            "Alignment report",
            f"{count_work(self.updates)} from {_count(len(checked_in), 'team')}"
            + (f"; no update from {_join(self.silent)}" if self.silent else ""),
            "",
            f"Alignment {self.alignment:.2f}   (share of updates that serve an objective)",
            f"Interdependence {self.interdependence:.2f}   (share of updates that involve another team)",
        ]
        if self.team_scores:
            width = max(len(t) for t in self.team_scores)
            for team, score in self.team_scores.items():
                lines.append(
                    f"  {team:<{width}}  alignment {score.alignment:.2f}  "
                    f"interdependence {score.interdependence:.2f}  ({_count(score.updates, 'update')})"
                )
        lines += ["", "Coverage (updates per objective and team)"]
        lines += _table(self.objectives, self.teams, self.coverage)
        lines += ["", "Findings"]
        if self.findings:
            lines += [f"- {f.summary}" for f in self.findings]
        else:
            lines.append("- None.")
        for team, waiting in self.waiting_by_team().items():
            lines.append(f"- {team}: {waiting_words(len(waiting))} (not counted as unaligned work yet).")
        return "\n".join(lines) + "\n"


def waiting_words(n: int) -> str:
    """Return "2 updates wait for their authors' answers on which objective they serve"."""
    if n == 1:
        return "1 update waits for its author's answer on which objective it serves"
    return f"{n} updates wait for their authors' answers on which objective they serve"


def _guess_note(guessed: int, loose: int) -> str:
    """Return how many of a team's updates on no objective are the tagger's guess, their question unanswered."""
    if not guessed:
        return ""
    authors = "its author didn't answer" if guessed == 1 else "their authors didn't answer"
    return f" (guess: {authors})" if guessed == loose else f" ({guessed} a guess: {authors})"


def _table(
    objectives: Sequence[Objective], teams: Sequence[str], coverage: Mapping[str, Mapping[str, int]]
) -> list[str]:
    if not objectives:
        return ["  (no objectives)"]
    names = [_clip(o.title, 40) for o in objectives]
    first = max(len("objective"), *(len(n) for n in names))
    header = "  " + "objective".ljust(first) + "".join(f"  {t:>{max(len(t), 3)}}" for t in teams)
    rows = [header]
    for objective, name in zip(objectives, names):
        counts = coverage.get(objective.key, {})
        cells = "".join(f"  {(str(counts[t]) if counts.get(t) else '.'):>{max(len(t), 3)}}" for t in teams)
        rows.append("  " + name.ljust(first) + cells)
    return rows


# --------------------------------------------------------------------------- analysis


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def _share(part: int, whole: int) -> float:
    return _round(part / whole) if whole else 0.0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def count_work(updates: Sequence[AnalyzedUpdate]) -> str:
    """Return "3 updates and 2 initiatives": check-in answers and logged initiatives counted apart."""
    initiatives = sum(1 for u in updates if u.kind == "initiative")
    answers = len(updates) - initiatives
    if initiatives and not answers:
        return _count(initiatives, "initiative")
    return _count(answers, "update") + (f" and {_count(initiatives, 'initiative')}" if initiatives else "")


def _join(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _quote(text: str) -> str:
    return f"\u201c{_clip(text, 70).rstrip('.!?;:,')}\u201d"


def _keys(value: Any) -> list[str]:
    """Accept objective keys, or tagger matches carrying a `.key`."""
    return [getattr(v, "key", v) for v in value or ()]


@dataclass
class _Cluster:
    """Updates joined by similar pairs, and the strongest pair among them."""

    members: list[int]
    share: float
    terms: tuple[str, ...]


def _clusters(pairs: Sequence[tuple[int, int, float, tuple[str, ...]]]) -> list[_Cluster]:
    """Join similar pairs into groups of the same work (connected components), members in input order."""
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _, _ in pairs:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, _Cluster] = {}
    for i, _, share, terms in pairs:
        group = groups.setdefault(root(i), _Cluster([], -1.0, ()))
        if share > group.share:
            group.share, group.terms = share, terms
    for i in sorted(parent):
        groups[root(i)].members.append(i)
    return list(groups.values())


def _parallel_finding(group: Sequence[AnalyzedUpdate], cluster: _Cluster, titles: Mapping[str, str]) -> Finding:
    """Return one parallel_work finding for a group of updates about the same work."""
    group = sorted(group, key=lambda u: u.team)  # stable: input order within a team
    teams = sorted({u.team for u in group})
    shared = set(group[0].objectives)
    for u in group[1:]:
        shared &= set(u.objectives)
    objective = next(iter(shared)) if len(shared) == 1 else None
    about = f" for {titles[objective]}" if objective else ""
    if len(group) == 2:
        a, b = group
        summary = (
            f"{a.team} and {b.team} look to be doing the same work{about} without talking "
            f"to each other: {_quote(a.text)} and {_quote(b.text)}."
        )
    else:
        named = _join(teams) if len(teams) <= 4 else ", ".join(teams[:3]) + f" and {len(teams) - 3} other teams"
        summary = (
            f"{named} look to be doing the same work{about} without talking to each other "
            f"({_count(len(group), 'update')}): {_quote(group[0].text)} and similar."
        )
    return Finding(
        kind="parallel_work",
        objective=objective,
        teams=tuple(teams),
        updates=tuple(u.id for u in group),
        summary=summary,
        extra={"similarity": cluster.share, "shared_terms": list(cluster.terms)},
    )


def _read_updates(
    org: Org,
    updates: Sequence[Update],
    tags: Mapping[str, Sequence[str]],
    closed_teams: Collection[str] = (),
    goals: Mapping[str, Sequence[str]] | None = None,
) -> list[AnalyzedUpdate]:
    """Resolve each update's team, objectives (its own or the tagger's) and the teams it references."""
    known = {o.key for o in org.objectives}
    base = ReferenceFinder(org)
    extra = sorted({u.team.strip() for u in updates if base.canonical(u.team) is None})
    finder = ReferenceFinder(org, extra) if extra else base
    analyzed: list[AnalyzedUpdate] = []
    for update in updates:
        wanted = update.objectives if update.objectives is not None else _keys(tags.get(update.id, ()))
        analyzed.append(
            AnalyzedUpdate(
                id=update.id,
                team=finder.canonical(update.team) or update.team.strip(),
                text=update.text,
                objectives=tuple(dict.fromkeys(k for k in wanted if k in known)),
                references=tuple(finder.find(update)),
                confident=update.confident,
                kind=update.kind,
                guess=not update.confident and update.team in closed_teams,
                goals=tuple(goals.get(update.id, ())) if goals is not None else None,
            )
        )
    return analyzed


def week_scores(
    org: Org, updates: Sequence[Update], *, tags: Mapping[str, Sequence[str]] | None = None
) -> tuple[float, float]:
    """Return (alignment, interdependence) of a week, as `analyze` scores it, without its findings.

    The digest's trend needs only these two figures for earlier weeks; the findings'
    pairwise search for parallel work is the costly part of a full analysis.
    """
    analyzed = _read_updates(org, updates, tags or {})
    return (
        _share(sum(u.aligned for u in analyzed), len(analyzed)),
        _share(sum(bool(u.references) for u in analyzed), len(analyzed)),
    )


def _unaligned_work(reporting: Sequence[str], by_team: Mapping[str, Sequence[AnalyzedUpdate]]) -> list[Finding]:
    """Return one finding per team, with every update of it that surely serves no objective."""
    found: list[Finding] = []
    for team in reporting:
        loose = [u for u in by_team[team] if not u.aligned and not u.unconfirmed]
        if not loose:
            continue
        quotes = "; ".join(_quote(u.text) for u in loose[:2]) + ("; \u2026" if len(loose) > 2 else "")
        verb = "serves" if len(loose) == 1 else "serve"
        guessed = tuple(u.id for u in loose if u.guess)
        found.append(
            Finding(
                kind="unaligned_work",
                objective=None,
                teams=(team,),
                updates=tuple(u.id for u in loose),
                summary=(
                    f"{len(loose)} of {team}'s {count_work(by_team[team])} {verb} "
                    f"no stated objective{_guess_note(len(guessed), len(loose))}: {quotes}."
                ),
                extra={"guessed": list(guessed)} if guessed else {},
            )
        )
    return found


def _silent_teams(silent: Sequence[str]) -> list[Finding]:
    """Return one finding per team of the org that sent no update."""
    return [
        Finding(
            kind="silent_team",
            objective=None,
            teams=(team,),
            updates=(),
            summary=f"{team} sent no update this week.",
        )
        for team in silent
    ]


def _one_way_handoffs(
    analyzed: Sequence[AnalyzedUpdate],
    by_team: Mapping[str, Sequence[AnalyzedUpdate]],
    reporting: Sequence[str],
    titles: Mapping[str, str],
    picked_up: Collection[tuple[str, str]],
) -> list[Finding]:
    """Return the handoffs where `source` points at `target`, who checked in yet never points back."""
    reporting_set = set(reporting)
    answers = {team: {r for u in by_team[team] for r in u.references} for team in reporting}
    worked_on = {team: {k for u in by_team[team] for k in u.objectives} for team in reporting}
    handoffs: dict[tuple[str, str], list[AnalyzedUpdate]] = defaultdict(list)
    for u in analyzed:
        for target in u.references:
            if (
                target in reporting_set
                and target != u.team
                and u.team not in answers[target]
                and (u.id, target) not in picked_up
            ):
                handoffs[(u.team, target)].append(u)
    found: list[Finding] = []
    for (source, target), group in sorted(handoffs.items(), key=lambda kv: kv[0]):
        common = set(group[0].objectives)
        for u in group[1:]:
            common &= set(u.objectives)
        common &= worked_on[target]
        objective = next(iter(common)) if len(common) == 1 else None
        about = f" on {titles[objective]}" if objective else ""
        what = _quote(group[0].text) if len(group) == 1 else _count(len(group), "update")
        found.append(
            Finding(
                kind="one_way_handoff",
                objective=objective,
                teams=(source, target),
                updates=tuple(u.id for u in group),
                summary=(
                    f"{source} handed work to or asked for help from {target}{about} ({what}), "
                    f"but no {target} update this week mentions {source}."
                ),
            )
        )
    return found


def _parallel_work(
    org: Org, analyzed: Sequence[AnalyzedUpdate], reporting: Sequence[str], titles: Mapping[str, str]
) -> list[Finding]:
    """Return the same piece of work in two or more teams that do not mention each other."""
    org_teams = {t.name for t in org.teams}
    extra = [t for t in reporting if t not in org_teams]
    team_words = [t.name for t in org.teams] + [a for t in org.teams for a in t.aliases] + extra
    similarity = Similarity(org, [u.text for u in analyzed], team_words)
    pairs = [
        (i, j, share, terms)
        for i, j, share, terms in similarity.pairs([u.team for u in analyzed])
        if analyzed[j].team not in analyzed[i].references and analyzed[i].team not in analyzed[j].references
    ]
    found = [_parallel_finding([analyzed[i] for i in c.members], c, titles) for c in _clusters(pairs)]
    found.sort(key=lambda f: (f.teams, f.updates))
    return found


def _unlinked_goals(org: Org) -> list[Finding]:
    """Return one finding per team goal that serves no objective, teams by name, goals as written."""
    return [
        Finding(
            kind="unlinked_goal",
            objective=None,
            teams=(team.name,),
            updates=(),
            summary=f"{team.name}'s goal {_quote(goal.title)} serves no business objective.",
            extra={"goal": goal.title},
        )
        for team in sorted(org.teams, key=lambda t: t.name)
        for goal in team.goals
        if not goal.serves
    ]


def _objectives_without_goal(org: Org) -> list[Finding]:
    """Return one finding per objective no team goal serves, when the org file has goals at all."""
    if not org.has_goals:
        return []
    served = {key for team in org.teams for goal in team.goals for key in goal.serves or ()}
    return [
        Finding(
            kind="objective_without_goal",
            objective=o.key,
            teams=(),
            updates=(),
            summary=f"No team has a goal that serves {o.title}.",
        )
        for o in org.objectives
        if o.key not in served
    ]


def _objective_finding(
    key: str, title: str, on_it: Sequence[AnalyzedUpdate], several_reporting: bool
) -> Finding | None:
    """Return how the teams worked on one objective: uncovered, solo, joint or uncoordinated."""
    teams = sorted({u.team for u in on_it})
    ids = tuple(u.id for u in on_it)
    n = _count(len(on_it), "update")
    if not teams:
        return Finding(
            kind="uncovered_objective",
            objective=key,
            teams=(),
            updates=(),
            summary=f"No team worked on {title} this week.",
        )
    if len(teams) == 1:
        if several_reporting and not any(u.references for u in on_it):
            return Finding(
                kind="solo_objective",
                objective=key,
                teams=(teams[0],),
                updates=ids,
                summary=f"Only {teams[0]} worked on {title} this week ({n}), without involving another team.",
            )
        return None
    group = set(teams)
    if any(set(u.references) & (group - {u.team}) for u in on_it):
        return Finding(
            kind="joint_objective",
            objective=key,
            teams=tuple(teams),
            updates=ids,
            summary=f"{_join(teams)} worked together on {title} ({n}).",
        )
    if not any(u.references for u in on_it):
        return Finding(
            kind="uncoordinated_objective",
            objective=key,
            teams=tuple(teams),
            updates=ids,
            summary=(
                f"{_join(teams)} {'both' if len(teams) == 2 else 'all'} worked on {title} ({n}), "
                "but no update on it mentions another team."
            ),
        )
    return None


def _objective_findings(
    org: Org, by_objective: Mapping[str, Sequence[AnalyzedUpdate]], reporting: Sequence[str]
) -> list[Finding]:
    """Return the findings on each objective, in the org file's order."""
    found = (
        _objective_finding(o.key, o.title, by_objective.get(o.key, []), len(reporting) > 1) for o in org.objectives
    )
    return [f for f in found if f is not None]


def analyze(
    org: Org,
    updates: Sequence[Update],
    *,
    tags: Mapping[str, Sequence[str]] | None = None,
    picked_up: Collection[tuple[str, str]] = (),
    closed_teams: Collection[str] = (),
    goals: Mapping[str, Sequence[str]] | None = None,
) -> Report:
    """Analyze one week's updates against `org`; `tags` gives the objectives of untagged updates.

    `picked_up` holds (update id, team) of handoffs the receiving team said it picked up:
    those are answered, so they are no one_way_handoff. `closed_teams` are the teams whose
    check-in has closed: an unsure update of theirs whose author never answered counts as
    the tagger guessed, marked as a guess, instead of waiting apart. `goals` gives each
    update's team goals (titles) when the org file has goals, whose `serves` the caller resolved.
    """
    titles = {o.key: o.title for o in org.objectives}
    analyzed = _read_updates(org, updates, tags or {}, closed_teams, goals)

    org_teams = [t.name for t in org.teams]
    reporting = sorted({u.team for u in analyzed})
    reporting_set = set(reporting)
    silent = tuple(t for t in org_teams if t not in reporting_set)
    all_teams = tuple(org_teams + [t for t in reporting if t not in set(org_teams)])

    by_team: dict[str, list[AnalyzedUpdate]] = defaultdict(list)
    by_objective: dict[str, list[AnalyzedUpdate]] = defaultdict(list)
    for u in analyzed:
        by_team[u.team].append(u)
        for key in u.objectives:
            by_objective[key].append(u)

    coverage: dict[str, dict[str, int]] = {}
    for objective in org.objectives:
        counts: dict[str, int] = defaultdict(int)
        for u in by_objective.get(objective.key, ()):
            counts[u.team] += 1
        coverage[objective.key] = {t: counts[t] for t in sorted(counts)}

    found = [
        *_unaligned_work(reporting, by_team),
        *_silent_teams(silent),
        *_one_way_handoffs(analyzed, by_team, reporting, titles, picked_up),
        *_parallel_work(org, analyzed, reporting, titles),
        *_objective_findings(org, by_objective, reporting),
        *_unlinked_goals(org),
        *_objectives_without_goal(org),
    ]
    team_scores = {
        team: TeamScore(
            alignment=_share(sum(u.aligned for u in by_team[team]), len(by_team[team])),
            interdependence=_share(sum(bool(u.references) for u in by_team[team]), len(by_team[team])),
            updates=len(by_team[team]),
        )
        for team in reporting
    }
    return Report(
        objectives=tuple(org.objectives),
        teams=all_teams,
        silent=silent,
        updates=tuple(analyzed),
        coverage=coverage,
        findings=tuple(f for kind in FINDING_ORDER for f in found if f.kind == kind),
        alignment=_share(sum(u.aligned for u in analyzed), len(analyzed)),
        interdependence=_share(sum(bool(u.references) for u in analyzed), len(analyzed)),
        team_scores=team_scores,
    )
