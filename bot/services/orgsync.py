"""Objectives as code: import an org file into a workspace, export a workspace as an org file.

Import is all-or-nothing, in one transaction. An objective whose key exists is
updated (and restored if archived); a new key is added; keys in the database but
not in the file are left alone and reported. Teams are matched by name: aliases
are set from the file; channel and members only when the file gives them (they
usually come from Slack); teams missing from the file are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.alignment import model
from bot.alignment.goals import GoalLink, link_goals
from bot.commandtext import KEYWORD_MAX, KEYWORDS_MAX, TITLE_MAX, validate_examples
from bot.goallinks import lexicon_verdict, with_answer
from bot.llm import Ask
from bot.orgfile import MAX_GOALS, OrgFileError
from bot.parsing import (
    Invalid,
    validate_description,
    validate_team_name,
    validate_title,
)
from bot.services.errors import NotFound
from bot.services.model import ModelService
from bot.services.teams import look_alike
from storage import repositories
from storage.models import Goal, Objective, Team


@dataclass
class ImportReport:
    """What an import changed, and what it left alone."""

    objectives_created: list[str] = field(default_factory=list)
    objectives_updated: list[str] = field(default_factory=list)
    objectives_restored: list[str] = field(default_factory=list)
    objectives_unchanged: list[str] = field(default_factory=list)
    objectives_left_alone: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    teams_updated: list[str] = field(default_factory=list)
    teams_unchanged: list[str] = field(default_factory=list)
    teams_left_alone: list[str] = field(default_factory=list)
    goals_created: list[str] = field(default_factory=list)
    goals_updated: list[str] = field(default_factory=list)
    goals_unchanged: list[str] = field(default_factory=list)
    goals_left_alone: list[str] = field(default_factory=list)
    # Goals added or changed whose suggested links Alignbot is unsure of: their leads are asked.
    unsure_goals: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return a short human summary, one line per kind of change."""
        out = []
        for label, names in (
            ("objectives added", self.objectives_created),
            ("objectives updated", self.objectives_updated),
            ("objectives restored from the archive", self.objectives_restored),
            ("objectives unchanged", self.objectives_unchanged),
            ("teams added", self.teams_created),
            ("teams updated", self.teams_updated),
            ("teams unchanged", self.teams_unchanged),
            ("goals added", self.goals_created),
            ("goals updated", self.goals_updated),
            ("goals unchanged", self.goals_unchanged),
        ):
            if names:
                out.append(f"{label}: {len(names)} ({', '.join(names)})")
        if self.objectives_left_alone:
            out.append(
                f"left alone (in the database, not in the file): objectives {', '.join(self.objectives_left_alone)}"
                " (archive them with /objective archive <key> if they are gone)"
            )
        if self.teams_left_alone:
            out.append(f"left alone (in the database, not in the file): teams {', '.join(self.teams_left_alone)}")
        if self.goals_left_alone:
            out.append(
                f"left alone (in the database, not in the file): goals {', '.join(self.goals_left_alone)}"
                " (archive them with /goal archive <id> if they are gone)"
            )
        return out or ["nothing to do"]


def _line_of(text: str, pattern: str) -> int | None:
    """Return the 1-based line of the first match of `pattern` in the file, for error messages."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _team_line(text: str, name: str) -> int | None:
    value = rf"[\"']?{re.escape(name)}[\"']?\s*(#.*)?$"
    return _line_of(text, rf"^\s*-\s*(name:\s*)?{value}") or _line_of(text, rf"name:\s*{value}")


def _key_line(text: str, key: str) -> int | None:
    return _line_of(text, rf"key:\s*[\"']?{re.escape(key)}[\"']?\s*(#.*)?$")


def check_org(org: model.Org, text: str, source: str) -> None:
    """Apply the rules an org file must meet to be imported (names, title and keyword limits); raise OrgFileError."""

    def fail(reason: str, line: int | None) -> OrgFileError:
        return OrgFileError(reason, source=source, line=line)

    for team in org.teams:
        checked = validate_team_name(team.name)
        if isinstance(checked, Invalid) or checked != team.name:
            reason = checked.message if isinstance(checked, Invalid) else "has characters a team name cannot have"
            raise fail(f"team '{team.name[:40]}': {reason}", _team_line(text, team.name))
    for objective in org.objectives:
        line = _key_line(text, objective.key)
        title = validate_title(objective.title, limit=TITLE_MAX)
        if isinstance(title, Invalid):
            raise fail(f"objective '{objective.key}': {title.message}", line)
        description = validate_description(objective.description)
        if isinstance(description, Invalid):
            raise fail(f"objective '{objective.key}': {description.message}", line)
        if len(objective.keywords) > KEYWORDS_MAX:
            raise fail(f"objective '{objective.key}' has more than {KEYWORDS_MAX} keywords", line)
        long = next((k for k in objective.keywords if len(k) > KEYWORD_MAX), None)
        if long is not None:
            raise fail(f"objective '{objective.key}' keyword '{long[:20]}…' is longer than {KEYWORD_MAX}", line)
        examples = validate_examples(objective.examples)
        if isinstance(examples, Invalid):
            raise fail(f"objective '{objective.key}': {examples.message}", line)


class OrgSync:
    """Import and export a workspace's teams and objectives."""

    def __init__(self, sessions: sessionmaker[Session], model: ModelService | None = None) -> None:
        self._sessions = sessions
        self._model = model

    def import_org(self, slack_team_id: str, org: model.Org, text: str, source: str) -> ImportReport:
        """Apply an org file to a workspace in one transaction; raise OrgFileError naming the line."""

        def fail(reason: str, line: int | None) -> OrgFileError:
            return OrgFileError(reason, source=source, line=line)

        check_org(org, text, source)
        links = self._ask_model(slack_team_id, org, link_goals(org))
        report = ImportReport()
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            self._import_teams(session, workspace.id, org, text, fail, report)
            self._import_objectives(session, workspace.id, org, report)
            session.flush()
            _import_goals(session, workspace.id, org, links, text, fail, report)
        return report

    def _ask_model(self, slack_team_id: str, org: model.Org, links: list[GoalLink]) -> list[GoalLink]:
        """Ask the model (when on) about the suggested links, before the transaction, which must not wait for it.

        A goal whose links a lead stated in Slack keeps them: it is not asked about.
        """
        if self._model is None or self._model.config is None or not any(link.suggested for link in links):
            return links
        with self._sessions.begin() as session:
            # The model's answers and requests are kept per workspace: a first import needs the workspace.
            workspace = repositories.ensure_workspace(session, slack_team_id)
            stated = {
                (team.name.casefold(), goal.title.casefold())
                for team in repositories.list_teams(session, workspace.id)
                for goal in repositories.list_goals(session, workspace.id, team.id, include_archived=True)
                if not goal.suggested
            }
        asked = [
            i
            for i, link in enumerate(links)
            if link.suggested and (link.team.casefold(), link.title.casefold()) not in stated
        ]
        pairs = [(Ask(links[i].team, links[i].title), lexicon_verdict(links[i])) for i in asked]
        answers = dict(zip(asked, self._model.answers(slack_team_id, pairs, org.objectives))) if asked else {}
        return [with_answer(link, answers.get(i)) for i, link in enumerate(links)]

    @staticmethod
    def _import_teams(
        session: Session, workspace_id: int, org: model.Org, text: str, fail, report: ImportReport
    ) -> None:
        existing = {t.name.casefold(): t for t in repositories.list_teams(session, workspace_id)}
        touched: set[int] = set()
        for entry in org.teams:
            team = existing.get(entry.name.casefold())
            if team is None:
                similar = look_alike(existing.values(), entry.name)
                if similar is not None:
                    raise fail(
                        f"team '{entry.name}' looks like team '{similar[0].name}'; give names people can tell apart",
                        _team_line(text, entry.name),
                    )
                team = Team(workspace_id=workspace_id, name=entry.name, aliases=list(entry.aliases))
                session.add(team)
                session.flush()
                existing[entry.name.casefold()] = team
                report.teams_created.append(entry.name)
                changed = False
            else:
                changed = list(team.aliases or []) != list(entry.aliases)
                team.aliases = list(entry.aliases)
            if entry.channel and team.channel_id != entry.channel:
                changed = True
                team.channel_id = entry.channel
            if entry.members:
                current = repositories.member_ids(session, workspace_id, team.id)
                if sorted(current) != sorted(entry.members):
                    changed = True
                    repositories.set_members(session, team, list(entry.members))
            touched.add(team.id)
            if entry.name not in report.teams_created:
                (report.teams_updated if changed else report.teams_unchanged).append(team.name)
        session.flush()
        # The file is consistent in itself (the reader checks); it must also fit the teams it leaves alone.
        words: dict[str, Team] = {}
        channels: dict[str, Team] = {}
        for team in sorted(existing.values(), key=lambda t: (t.id not in touched, t.name)):
            for word in [team.name, *(team.aliases or [])]:
                owner = words.setdefault(word.casefold(), team)
                if owner.id != team.id:
                    raise fail(
                        f"'{word}' would name both team '{owner.name}' and team '{team.name}'",
                        _team_line(text, team.name if team.id in touched else owner.name)
                        or _line_of(text, re.escape(word)),
                    )
            if team.channel_id:
                owner = channels.setdefault(team.channel_id, team)
                if owner.id != team.id:
                    named = owner if owner.id in touched else team
                    raise fail(
                        f"channel {team.channel_id} would belong to both team '{owner.name}' and team '{team.name}'",
                        _line_of(text, re.escape(team.channel_id)) or _team_line(text, named.name),
                    )
        report.teams_left_alone = sorted(t.name for t in existing.values() if t.id not in touched)

    @staticmethod
    def _import_objectives(session: Session, workspace_id: int, org: model.Org, report: ImportReport) -> None:
        rows = {o.key: o for o in repositories.list_objectives(session, workspace_id, include_archived=True)}
        for entry in org.objectives:
            row = rows.get(entry.key)
            if row is None:
                session.add(
                    Objective(
                        workspace_id=workspace_id,
                        key=entry.key,
                        title=entry.title,
                        description=entry.description,
                        keywords=list(entry.keywords),
                        examples=list(entry.examples),
                    )
                )
                report.objectives_created.append(entry.key)
                continue
            restored = row.archived_at is not None
            changed = (row.title, row.description or "", list(row.keywords or []), list(row.examples or [])) != (
                entry.title,
                entry.description,
                list(entry.keywords),
                list(entry.examples),
            )
            row.title, row.description, row.keywords = entry.title, entry.description, list(entry.keywords)
            row.examples = list(entry.examples)
            row.archived_at = None
            if restored:
                report.objectives_restored.append(entry.key)
            elif changed:
                report.objectives_updated.append(entry.key)
            else:
                report.objectives_unchanged.append(entry.key)
        in_file = {o.key for o in org.objectives}
        report.objectives_left_alone = [
            key for key, row in rows.items() if key not in in_file and row.archived_at is None
        ]

    def export_org(self, slack_team_id: str) -> model.Org:
        """Return a workspace's teams and active objectives as an Org (archived objectives stay out)."""
        with self._sessions.begin() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None:
                raise NotFound(f"there is no workspace {slack_team_id} in the database")
            rows = repositories.list_objectives(session, workspace.id)
            objectives = tuple(
                model.Objective(o.key, o.title, o.description or "", tuple(o.keywords or ()), tuple(o.examples or ()))
                for o in rows
            )
            goals = _engine_goals(session, workspace.id, {o.id: o.key for o in rows})
            teams = tuple(
                model.Team(
                    name=t.name,
                    aliases=tuple(t.aliases or ()),
                    channel=t.channel_id,
                    members=tuple(repositories.member_ids(session, workspace.id, t.id)),
                    goals=goals.get(t.id, ()),
                )
                for t in repositories.list_teams(session, workspace.id)
            )
            return model.Org(teams=teams, objectives=objectives)


def _engine_goals(session: Session, workspace_id: int, keys: dict[int, str]) -> dict[int, tuple[model.Goal, ...]]:
    """Return each team's live goals by team id as the org file states them: suggested links are left out."""
    goals: dict[int, list[model.Goal]] = {}
    for row in repositories.list_goals(session, workspace_id):
        serves = None if row.suggested else tuple(keys[s.objective_id] for s in row.serves if s.objective_id in keys)
        goals.setdefault(row.team_id, []).append(model.Goal(row.title, serves))
    return {team_id: tuple(team_goals) for team_id, team_goals in goals.items()}


def _import_goals(
    session: Session, workspace_id: int, org: model.Org, linked: list[GoalLink], text: str, fail, report: ImportReport
) -> None:
    """Store the goals of each team the file names, matched by title; a suggestion never replaces a stated link."""
    ids = {o.key: o.id for o in repositories.list_objectives(session, workspace_id)}
    links = iter(linked)
    unsure: list[Goal] = []
    for entry in org.teams:
        team = repositories.find_team(session, workspace_id, entry.name)
        assert team is not None  # imported just before
        rows = {
            g.title.casefold(): g
            for g in repositories.list_goals(session, workspace_id, team.id, include_archived=True)
        }
        named = f"{entry.name}: "
        for goal in entry.goals:
            link = next(links)
            row = rows.pop(goal.title.casefold(), None)
            if row is None:
                row = Goal(workspace_id=workspace_id, team_id=team.id, title=goal.title)
                session.add(row)
                report.goals_created.append(named + goal.title)
            elif row.archived_at is None and (link.suggested and not row.suggested or _same(row, link, ids)):
                report.goals_unchanged.append(named + goal.title)
                continue
            else:
                report.goals_updated.append(named + goal.title)
            if row.id is not None and link.suggested and not row.suggested:
                row.archived_at, row.title = None, goal.title  # restored; the lead's links stand
                continue
            row.title, row.archived_at = goal.title, None
            row.suggested, row.confident, row.by_model = link.suggested, link.confident, link.by_model
            repositories.set_goal_serves(row, [ids[key] for key in link.serves])
            if link.suggested and not link.confident:
                unsure.append(row)
        report.goals_left_alone += [named + g.title for g in rows.values() if g.archived_at is None]
        session.flush()
        if repositories.count_goals(session, workspace_id, team.id) > MAX_GOALS:
            raise fail(
                f"team '{entry.name}' would have more than {MAX_GOALS} goals with the ones already stored",
                _team_line(text, entry.name),
            )
    report.unsure_goals = [row.id for row in unsure]


def _same(row: Goal, link: GoalLink, ids: dict[str, int]) -> bool:
    """Say whether a stored goal already serves what the file's goal does, stated or suggested alike, as surely."""
    return (row.title, row.suggested, row.confident, row.by_model, [s.objective_id for s in row.serves]) == (
        link.title,
        link.suggested,
        link.confident,
        link.by_model,
        [ids[key] for key in link.serves],
    )
