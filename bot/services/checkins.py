"""Weekly check-ins: record answers (one per person per week), and what the forms show of them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.blocks import checkin as blocks
from bot.commandtext import strip_control
from bot.llm import Ask, combine
from bot.parsing import TeamRef
from bot.schedule import parse_week, shift_week, week_of
from bot.services.context import Contexts, Replied, WorkspaceContext
from bot.services.cycles import current_week, questions_of, team_cycle, team_zone
from bot.services.errors import CheckinError, NotFound, Refused, Repeated
from bot.services.handoffs import note_handoffs
from bot.services.model import ModelService, engine_objectives
from bot.services.sharing import Shareable, shareable, week_prompt
from bot.services.tagging import Tagging, served_goal
from bot.services.teams import resolve_team, team_names
from bot.settings import Settings
from storage import repositories
from storage.models import (
    CheckinCycle,
    Initiative,
    Objective,
    Team,
    TeamMember,
    Update,
    UpdateTag,
    Workspace,
    utcnow,
)

logger = logging.getLogger(__name__)

MAX_UPDATE_LENGTH = 4000
# Objectives offered when the tagger is unsure: one tap each, plus "None of them".
MAX_CANDIDATES = 4
MAX_UNPLACED = 8  # objectives offered when none scored at all


@dataclass(frozen=True)
class Recorded:
    """What a check-in answer became."""

    update_id: int
    team: str
    week: str
    replaced: bool
    by_hand: bool
    tags: tuple[blocks.TagLine, ...]
    # False when the tagger was unsure: the author is asked which of `candidates` (objective choices) it serves.
    confident: bool = True
    candidates: tuple[blocks.Choice, ...] = ()
    # The answer as its transaction stored it, for sharing it without reading it again.
    shareable: Shareable | None = None
    goal: blocks.ServedGoal | None = None  # the team goal the answer works toward, if the tagger found one
    # Tagged by the lexicon alone (`record(..., ask_model=False)`) where the model would be asked: `retag`,
    # in a queued job, is to follow before the answer is shared and confirmed.
    model_due: bool = False


@dataclass(frozen=True)
class Sent:
    """When an answer was given: when Slack sent it (Slack's clock, to the second), then when it was acked.

    Answers are ordered by it: a stored answer is replaced only by one sent later, so that a job a crash
    left behind never undoes newer work, and a job done again finds its own answer and does nothing
    (unless `again`).
    """

    at: datetime
    acked: datetime
    # The same work's attempt before failed: its own answer, if stored, is stored again (and confirmed).
    again: bool = False

    @classmethod
    def now(cls) -> Sent:
        """Return the order of an answer given now, outside Slack (the CLI, the demo)."""
        now = utcnow()
        return cls(now.replace(microsecond=0), now)


@dataclass(frozen=True)
class Answer:
    """An answer a person gives: who, in which workspace and conversation, for which team and week, and when.

    `team_id` and `week` None: the channel's team (else the person's own) and its current week.
    `objectives` given (even empty) are the person's own tags (keys); None asks the tagger.
    `from_form`: team and week came back from a form or button the client holds, so check the person may
    answer for that team and that the week is still open.
    `once` (an event id, or see errors.once_key) is claimed with the answer: the same key again raises Repeated.
    `answers`: the form's texts in the order of the team's questions, stored question by question.
    `thread_ts`: a reply in that thread of `channel_id`, an answer to the prompt there (if it is one).
    `sent`: when the answer was given (None: now), to order it against the person's others.
    """

    slack_team_id: str
    user_id: str
    text: str
    channel_id: str | None = None
    team_id: int | None = None
    week: str | None = None
    source: str = "command"
    partners: Sequence[int] = ()
    objectives: Sequence[str] | None = None
    message_ts: str | None = None
    initiative_id: int | None = None
    from_form: bool = False
    once: str | None = None
    answers: Sequence[str] | None = None
    thread_ts: str | None = None
    sent: Sent | None = None


class _Superseded(Exception):
    """The stored answer was sent later than this one (or is this one): nothing is to change."""


@dataclass(frozen=True)
class Withdrawn:
    """An answer taken back, and where its shared copy was (to delete it)."""

    update_id: int
    author: str
    shared_channel: str | None
    shared_ts: str | None


ONLY_AUTHOR = "Only the author of an update, its team's leads, or an Alignbot admin can change its tags."


class Checkins:
    """Record the weekly check-ins, and show a person their answers and forms."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], tagging: Tagging, model: ModelService | None = None
    ) -> None:
        self._model = model
        self._settings = settings
        self._sessions = sessions
        self._tagging = tagging
        self._contexts = Contexts()

    # --- answers ---------------------------------------------------------------------------

    def resolve_team(self, slack_team_id: str, user_id: str, channel_id: str | None) -> tuple[int, str]:
        """Return (team id, week) for a person answering now: the channel's team, else their own."""
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = _team_of(session, workspace.id, user_id, channel_id)
            zone = team_zone(team, workspace, self._settings)
            return team.id, current_week(team, zone, utcnow())

    def candidates(self, slack_team_id: str, user_id: str, channel_id: str | None) -> list[tuple[int, str, str]]:
        """Return (team id, name, week) of each team a person may be answering for here.

        In a team's channel that team alone; elsewhere every team they check in for, so that
        a person on several teams is asked rather than filed under one. Answered from the
        workspace context this process saw last, without a transaction: `record` reads it
        again and refuses to guess when the person turns out to be on several teams.
        """
        context = self._contexts.cached(slack_team_id)
        if context is None:
            with self._sessions.begin() as session:
                found = self._contexts.read(session, slack_team_id, create=True)
                assert found is not None
                context = found[1]
        team = context.by_channel.get(channel_id) if channel_id else None
        teams = [team] if team is not None else list(context.of_user.get(user_id, ()))
        now = utcnow()
        return [
            (t.id, t.name, current_week(t, t.timezone or context.timezone or self._settings.timezone, now))
            for t in teams
        ]

    def record(self, answer: Answer, *, ask_model: bool = True) -> Recorded | None:
        """Store a person's answer for its week, replacing their earlier one, and tag it.

        `ask_model` False: the lexicon alone tags it, for a caller that must not wait (before Slack's ack).
        None, and nothing stored, when their stored answer of that week was sent later, or is this one
        (its job done again after a crash; not when `sent.again`), or when `thread_ts` is no prompt's thread.
        """
        thread = (answer.channel_id, answer.thread_ts) if answer.channel_id and answer.thread_ts else None
        asked = self._model_answer(answer, thread) if ask_model else None
        learned: dict[tuple[int, str], int] = {}
        try:
            with self._sessions.begin() as session:
                found = self._contexts.read(session, answer.slack_team_id, create=thread is None, thread=thread)
                if found is None or (thread is not None and found[2] is None):
                    return None
                workspace, context, replied = found
                recorded = self._record(
                    session, workspace, context, learned, answer, replied, asked, model_later=not ask_model
                )
        except _Superseded:
            return None
        # Only once committed: a cycle created by a transaction that rolled back does not exist.
        context.cycles.update(learned)
        return recorded

    def _model_answer(self, answer: Answer, thread: tuple[str, str] | None) -> tuple[str, ...] | None:
        """Ask the model about an answer's text (never hand tags) before the transaction, which must not wait."""
        if answer.objectives is not None or self._model is None or self._model.config is None:
            return None
        with self._sessions() as session:
            found = self._contexts.read(session, answer.slack_team_id, thread=thread)
            if found is None or (thread is not None and found[2] is None):
                return None
            workspace, context, replied = found
            try:
                team = self._team_and_week(workspace, context, answer, replied, utcnow())[0]
                text = _answer_text(answer.text)
            except CheckinError:
                return None  # the transaction says why to the person
            rows = context.objectives
            versions = (workspace.config_version, workspace.examples_version)
            verdict = self._tagging.current_tagger(workspace.id, session, rows, versions)[0].judge(text, team.name)
        return self._model.answers(answer.slack_team_id, [(Ask(team.name, text), verdict)], engine_objectives(rows))[0]

    def _model_would_ask(self, workspace: Workspace, context: WorkspaceContext, tagged: _Tags) -> bool:
        """Say whether the model is to be asked about an answer the lexicon tagged so."""
        if self._model is None or tagged.by_hand or not context.objectives:
            return False
        return self._model.will_ask(workspace.model_off, tagged.confident)

    def retag(self, answer: Answer) -> Recorded | None:
        """Tag with the model, in a queued job, a form's answer that its ack stored with the lexicon alone.

        `answer` is the form's, as the ack recorded it (with `team_id`, `week` and `sent`). It is stored again in
        its own place, tagged as `record` tags any answer (a later answer of theirs still wins), and returned to
        share and confirm. None, and nothing changed, when the stored answer is no longer this one (another
        text, tags by hand, or sent later), or when this was done already (unless `sent.again`: the attempt
        before failed, so its work is done again).
        """
        assert answer.team_id is not None and answer.week is not None and answer.sent is not None
        text = _answer_text(answer.text)
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, answer.slack_team_id)
            row = (
                session.execute(
                    select(Update.text, Update.tags_by_hand, Update.sent_at, Update.acked_at, Update.created_at)
                    .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
                    .where(
                        Update.workspace_id == workspace.id,
                        CheckinCycle.team_id == answer.team_id,
                        CheckinCycle.week == answer.week,
                        Update.author_user_id == answer.user_id,
                    )
                ).first()
                if workspace is not None
                else None
            )
        # Sent to the second (Slack's timestamp; in Socket Mode, the ack's time): not after this job's request.
        if (
            row is None
            or row.text != text
            or row.tags_by_hand
            or row.sent_at is None
            or row.acked_at is None
            or row.sent_at > answer.sent.at
        ):
            return None
        again = replace(
            answer,
            from_form=False,  # the ack checked the person may answer for that team and week
            once=None if answer.sent.again else _retag_key(answer.once),
            # The ack's own order: the same answer stored again, unless a later one came in meanwhile.
            sent=Sent(row.sent_at, row.acked_at, again=True),
        )
        try:
            recorded = self.record(again)
        except Repeated:
            return None  # a replay of a job that did it
        # The ack replaced an earlier answer when that one was stored before this one was acked.
        return None if recorded is None else replace(recorded, replaced=row.created_at < row.acked_at)

    def _record(
        self,
        session: Session,
        workspace: Workspace,
        context: WorkspaceContext,
        learned: dict[tuple[int, str], int],
        answer: Answer,
        replied: Replied | None,
        asked: tuple[str, ...] | None = None,
        *,
        model_later: bool = False,
    ) -> Recorded:
        """Store and tag an answer in the caller's transaction, reading only what `context` does not know.

        `replied`: the prompt whose thread the answer is in. Raises _Superseded when the answer was not sent
        later than the stored one: the caller's transaction must then roll back. `model_later`: the model was
        not asked; say whether it is to be (Recorded.model_due).
        """
        now = utcnow()
        team, zone, week, prompt = self._team_and_week(workspace, context, answer, replied, now)
        text = _answer_text(answer.text)
        if answer.once and not repositories.claim_event(session, workspace.id, answer.once):
            raise Repeated()
        cycle_id = _cycle_id(session, workspace.id, context, learned, team, week, zone)
        partner_ids = _check_references(session, workspace.id, context, team, answer)
        tagged = self._tags(
            session, workspace, context, cycle_id, answer.user_id, answer.objectives, text, team.name, asked
        )
        prompt = prompt or _prompt_of(session, workspace.id, context, team.id, week)
        stored = _upsert(session, workspace.id, cycle_id, team, answer, text, tagged, now)
        repositories.replace_answer_links(session, stored, tagged.scored, partner_ids)
        note_handoffs(
            session,
            workspace.id,
            team,
            week,
            text,
            answer.user_id,
            update_id=stored.id,
            new=not stored.handoffs,
            known=lambda mentions: (context.org(with_members=mentions), {t.name: t.id for t in context.teams}),
        )
        return Recorded(
            stored.id,
            team.name,
            week,
            stored.created_at != now,
            tagged.by_hand,
            tagged.lines,
            confident=tagged.confident,
            candidates=tagged.candidates,
            goal=tagged.goal,
            model_due=model_later and self._model_would_ask(workspace, context, tagged),
            shareable=shareable(
                team,
                week,
                update_id=stored.id,
                author=answer.user_id,
                text=text,
                scored=[(o, score) for o, score, _ in tagged.scored],
                titles={o.id: o.title for o in context.objectives},
                by_hand=tagged.by_hand,
                shared=(stored.shared_channel_id, stored.shared_ts),
                prompt=prompt,
                source=answer.source,
                channel_id=answer.channel_id,
            ),
        )

    def _team_and_week(
        self, workspace: Workspace, context: WorkspaceContext, answer: Answer, replied: Replied | None, now: datetime
    ) -> tuple[Team, str, str, tuple[str, str] | None]:
        """Return (team, its zone, week, the channel prompt replied to) of an answer; refuse one not to be given."""
        team_id, week, prompt = answer.team_id, answer.week, None
        if replied is not None:
            if replied.team_id is None:
                raise CheckinError(
                    "This prompt is for several teams: press the button of the team your update "
                    "is for, or reply in that team's channel."
                )
            team_id, week = replied.team_id, replied.week
            channel_prompt = replied.kind == "prompt" and replied.status == "sent"
            if channel_prompt and answer.channel_id and answer.thread_ts:
                prompt = (answer.channel_id, answer.thread_ts)
        if team_id is not None:
            team = context.by_id.get(team_id)
            if team is None:
                raise CheckinError("That team no longer exists.")
        else:
            team = context.team_here_or_of(answer.user_id, answer.channel_id)
            if team is None:
                raise CheckinError(NOT_ON_A_TEAM)
            if team.channel_id != answer.channel_id and len(context.of_user.get(answer.user_id, ())) > 1:
                # The person joined another team since this process last looked: ask, as /checkin does.
                raise CheckinError(
                    "You check in for several teams: run `/checkin` again to pick the team this update is for."
                )
        zone = team_zone(team, workspace, self._settings)
        week = week or current_week(team, zone, now)
        if answer.from_form:
            _may_answer(team, context.is_member(team.id, answer.user_id), answer.channel_id, week, zone, now)
        return team, zone, week, prompt

    def _tags(
        self,
        session: Session,
        workspace: Workspace,
        context: WorkspaceContext,
        cycle_id: int,
        user_id: str,
        objectives: Sequence[str] | None,
        text: str,
        team: str,
        asked: tuple[str, ...] | None = None,
    ) -> _Tags:
        """Return an answer's tags: the person's own `objectives` (keys), else the tagger's (`team`'s goals count).

        `asked`: the model's answer (None: the lexicon's stands), combined with the tagger's verdict."""
        by_key = {o.key: o for o in context.objectives}
        if objectives is not None:
            keys = list(dict.fromkeys(objectives))
            lines = tuple(blocks.TagLine(by_key[k].title, None) for k in keys)
            return _Tags(True, True, lines, [(by_key[k].id, 1.0, "manual") for k in keys])
        tagger, taught = self._tagging.current_tagger(
            workspace.id, session, context.objectives, (workspace.config_version, workspace.examples_version)
        )
        if (cycle_id, user_id) in taught:
            # Reworded, the update stops being a labelled example before the tagger is rebuilt:
            # otherwise it would read its own new text as taught with its old tags.
            session.execute(
                update(Update)
                .where(
                    Update.workspace_id == workspace.id, Update.cycle_id == cycle_id, Update.author_user_id == user_id
                )
                .values(tags_by_hand=False)
            )
            tagger = self._tagging.tagger_for(workspace.id, session, context.objectives)
        verdict = combine(tagger.judge(text, team), asked)[0]
        matches = [m for m in verdict.matches if m.key in by_key]
        candidates = tuple(blocks.Choice(by_key[m.key].title, m.key) for m in verdict.candidates if m.key in by_key)[
            :MAX_CANDIDATES
        ]
        if not verdict.confident and not candidates:
            # Nothing scored, yet the text reads like real work (a long update nothing
            # places): the author picks among all the objectives, "Other…" past the first few.
            candidates = tuple(blocks.Choice(o.title, o.key) for o in context.objectives)[:MAX_UNPLACED]
        elif not verdict.confident and len(matches) > 1:
            # A guess of several objectives is often right only in part, and sometimes whole:
            # one tap confirms all of it, as one tap picks one.
            candidates = (blocks.whole_guess([m.key for m in matches]), *candidates)
        return _Tags(
            False,
            verdict.confident or not candidates,
            tuple(blocks.TagLine(by_key[m.key].title, m.score, m.why) for m in matches),
            [(by_key[m.key].id, m.score, "auto") for m in matches],
            candidates,
            served_goal(tagger, text, team, {m.key for m in matches}, by_key),
        )

    def teams_of(self, slack_team_id: str, user_id: str) -> list[tuple[int, str]]:
        """Return (id, name) of every team the person checks in for, by name."""
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None:
                return []
            return [(team.id, team.name) for team in repositories.teams_of_user(session, workspace.id, user_id)]

    def questions_for(self, slack_team_id: str, user_id: str, ref: TeamRef, is_admin: bool) -> blocks.TeamQuestions:
        """Return a team's check-in questions, for the form that changes them (admins)."""
        if not is_admin:
            raise Refused("Only Alignbot admins can change a team's check-in questions.")
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = resolve_team(session, workspace.id, ref)
            if team is None:
                raise NotFound(
                    f"There is no team called '{ref.name}'; "
                    f"{team_names(repositories.list_teams(session, workspace.id))}."
                )
            return blocks.TeamQuestions(team.id, team.name, questions_of(team))

    def set_questions(self, slack_team_id: str, team_id: int, questions: Sequence[str], is_admin: bool) -> str:
        """Store a team's check-in questions (the defaults are stored as none); return the team's name."""
        if not is_admin:
            raise Refused("Only Alignbot admins can change a team's check-in questions.")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = _team_by_id(session, workspace.id, team_id)
            chosen = [strip_control(q).strip()[: blocks.QUESTION_MAX] for q in questions]
            team.questions = None if tuple(chosen) == blocks.DEFAULT_QUESTIONS else chosen
            return team.name

    def thread_reply_changed(self, answer: Answer) -> Recorded | None:
        """Follow a Slack edit of a thread answer (the message `message_ts`); None if that message is no stored
        answer (or, as in `record`, a later one is stored)."""
        assert answer.channel_id is not None and answer.message_ts is not None
        with self._sessions() as session:
            found = _thread_answer(session, answer.slack_team_id, answer.channel_id, answer.message_ts)
            if found is None or found.author_user_id != answer.user_id:
                return None
            cycle = session.get(CheckinCycle, found.cycle_id)
            assert cycle is not None
            keys = None
            if found.tags_by_hand:
                # The author's own tags stay theirs: only the text changed.
                keys = list(
                    session.scalars(
                        select(Objective.key)
                        .join(UpdateTag, UpdateTag.objective_id == Objective.id)
                        .where(UpdateTag.update_id == found.id)
                    )
                )
            edited = replace(
                answer,
                team_id=found.team_id,
                week=cycle.week,
                source=found.source,
                partners=[p.team_id for p in found.partners],
                objectives=keys,
                initiative_id=found.initiative_id,
            )
        return self.record(edited)

    def thread_reply_deleted(self, slack_team_id: str, channel_id: str, message_ts: str) -> Withdrawn | None:
        """Withdraw the answer a deleted thread reply was; None if it was none."""
        with self._sessions.begin() as session:
            found = _thread_answer(session, slack_team_id, channel_id, message_ts)
            if found is None:
                return None
            withdrawn = Withdrawn(found.id, found.author_user_id, found.shared_channel_id, found.shared_ts)
            session.delete(found)
            return withdrawn

    def correct_tags(
        self, slack_team_id: str, user_id: str, update_id: int, keys: Sequence[str], *, is_admin: bool = False
    ) -> Recorded:
        """Replace an update's tags with a person's choice; it becomes a labelled example."""
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row = session.scalar(
                select(Update)
                .where(Update.workspace_id == workspace.id, Update.id == update_id)
                .options(selectinload(Update.tags))
            )
            if row is None:
                raise CheckinError("That update no longer exists.")
            if row.author_user_id != user_id and not is_admin:
                raise CheckinError(ONLY_AUTHOR)
            by_key = {o.key: o for o in repositories.list_objectives(session, workspace.id)}
            unknown = [k for k in keys if k not in by_key]
            if unknown:
                raise CheckinError(f"No objective with key `{unknown[0]}`; see `/objective list`.")
            row.tags = [UpdateTag(objective_id=by_key[k].id, score=1.0, source="manual") for k in dict.fromkeys(keys)]
            row.tags_by_hand = True
            row.updated_at = utcnow()
            team = session.get(Team, row.team_id)
            cycle = session.get(CheckinCycle, row.cycle_id)
            assert team is not None and cycle is not None
            return Recorded(
                row.id,
                team.name,
                cycle.week,
                False,
                True,
                tuple(blocks.TagLine(by_key[k].title, None) for k in dict.fromkeys(keys)),
            )

    def form_for(
        self, slack_team_id: str, user_id: str, team_id: int, week: str, channel_id: str | None = None
    ) -> blocks.CheckinForm:
        """Return what the check-in form shows a person for their team and week, with their answer."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = _team_by_id(session, workspace.id, team_id)
            _check_may_answer(
                session,
                workspace.id,
                team,
                user_id,
                channel_id,
                week,
                team_zone(team, workspace, self._settings),
                utcnow(),
            )
            objectives = repositories.list_objectives(session, workspace.id)
            others = session.scalars(
                select(Team).where(Team.workspace_id == workspace.id, Team.id != team.id).order_by(Team.name)
            ).all()
            existing = session.scalar(
                select(Update)
                .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
                .where(
                    Update.workspace_id == workspace.id,
                    CheckinCycle.team_id == team.id,
                    CheckinCycle.week == week,
                    Update.author_user_id == user_id,
                )
                .options(selectinload(Update.tags), selectinload(Update.partners))
            )
            keys = {o.id: o.key for o in objectives}
            moved, _, next_steps = (existing.text if existing else "").partition("\nNext: ")
            if existing and existing.answers and len(existing.answers) == 2:
                moved, next_steps = (str(a.get("answer") or "") for a in existing.answers)
            chosen = [keys[t.objective_id] for t in existing.tags if t.objective_id in keys] if existing else []
            # Tags the tagger chose are suggestions: sent back unchanged, they stay automatic.
            suggested = chosen if existing and not existing.tags_by_hand else []
            initiatives = repositories.list_initiatives(session, workspace.id, team_id=team.id)
            return blocks.CheckinForm(
                team_id=team.id,
                team=team.name,
                week=week,
                suggested=suggested,
                objectives=[blocks.Choice(o.title, o.key) for o in objectives],
                partner_teams=[blocks.Choice(t.name, str(t.id)) for t in others],
                initiatives=[blocks.Choice(f"#{i.id} {i.title}", str(i.id)) for i in initiatives],
                moved=moved,
                next_steps=next_steps,
                chosen_objectives=chosen,
                chosen_partners=[str(p.team_id) for p in existing.partners] if existing else (),
                chosen_initiative=str(existing.initiative_id) if existing and existing.initiative_id else None,
                questions=questions_of(team),
            )

    def person_week(self, slack_team_id: str, user_id: str) -> tuple[int, str, str, str | None] | None:
        """Return (team id, team name, week, their update text or None) for a person, or None if teamless."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            try:
                team = _team_of(session, workspace.id, user_id, None)
            except CheckinError:
                return None
            week = current_week(team, team_zone(team, workspace, self._settings), utcnow())
            return team.id, team.name, week, repositories.answer_text(session, workspace.id, team.id, week, user_id)

    def person_weeks(self, slack_team_id: str, user_id: str) -> list[tuple[int, str, str, str | None]]:
        """Return (team id, team name, week, their update text or None) for each team a person checks in for."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            result = []
            for team in repositories.teams_of_user(session, workspace.id, user_id):
                week = current_week(team, team_zone(team, workspace, self._settings), utcnow())
                result.append(
                    (team.id, team.name, week, repositories.answer_text(session, workspace.id, team.id, week, user_id))
                )
            return result

    def tags_for(self, slack_team_id: str, user_id: str, update_id: int, *, is_admin: bool = False) -> blocks.TagsForm:
        """Return what the tag editor shows of one update, to its author or (`is_admin`) someone who may fix
        its tags."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row = session.scalar(
                select(Update)
                .where(Update.workspace_id == workspace.id, Update.id == update_id)
                .options(selectinload(Update.tags))
            )
            if row is None:
                raise CheckinError("That update no longer exists.")
            if row.author_user_id != user_id and not is_admin:
                raise CheckinError(ONLY_AUTHOR)
            objectives = repositories.list_objectives(session, workspace.id)
            keys = {o.id: o.key for o in objectives}
            return blocks.TagsForm(
                row.id,
                row.text,
                [blocks.Choice(o.title, o.key) for o in objectives],
                [keys[t.objective_id] for t in row.tags if t.objective_id in keys],
            )


NOT_ON_A_TEAM = (
    "You're not on a team yet: run `/checkin` in your team's channel, "
    "or ask an admin to map it with `/alignment team <name>`."
)


def _retag_key(once: str | None) -> str | None:
    """Return the key that makes the model's step of a form's answer (claimed with `once`) be done once."""
    return f"model:{once}"[:64] if once else None


def _answer_text(text: str) -> str:
    """Return an answer's text as stored, or refuse an empty or overlong one."""
    text = strip_control(text).strip()
    if not text:
        raise CheckinError("Your update is empty: write what moved forward this week.")
    if len(text) > MAX_UPDATE_LENGTH:
        raise CheckinError(f"Your update is {len(text)} characters; keep it under {MAX_UPDATE_LENGTH}.")
    return text


def _team_of(session: Session, workspace_id: int, user_id: str, channel_id: str | None) -> Team:
    team = repositories.team_here_or_of(session, workspace_id, user_id, channel_id)
    if team is None:
        raise CheckinError(NOT_ON_A_TEAM)
    return team


def _check_may_answer(
    session: Session,
    workspace_id: int,
    team: Team,
    user_id: str,
    channel_id: str | None,
    week: str,
    zone: str,
    now: datetime,
) -> None:
    """Refuse an answer for a team the person is not on, or for a week that is no longer open."""
    member = session.scalar(
        select(TeamMember.id).where(
            TeamMember.workspace_id == workspace_id, TeamMember.team_id == team.id, TeamMember.user_id == user_id
        )
    )
    _may_answer(team, member is not None, channel_id, week, zone, now)


def _may_answer(team: Team, member: bool, channel_id: str | None, week: str, zone: str, now: datetime) -> None:
    """Refuse an answer for a team the person is not a `member` of, or for a week that is no longer open."""
    # Anyone in the team's channel may answer there, as /checkin in that channel allows.
    if not member and (not channel_id or channel_id != team.channel_id):
        raise CheckinError(f"You're not on team {team.name}, so you can't check in for it.")
    this_week = week_of(now, zone)
    if week in (this_week, current_week(team, zone, now)):
        return
    try:
        still_open = week == shift_week(this_week, -1) and now < team_cycle(team, week, zone).deadline_at
    except ValueError:
        still_open = False
    if not still_open:
        raise CheckinError(f"The check-in for {week[:10]} is closed; answer this week's ({this_week}) instead.")


def _thread_answer(session: Session, slack_team_id: str, channel_id: str, message_ts: str) -> Update | None:
    workspace = repositories.find_workspace(session, slack_team_id)
    if workspace is None:
        return None
    return session.scalar(
        select(Update).where(
            Update.workspace_id == workspace.id,
            Update.source.in_(("thread", "dm")),
            Update.channel_id == channel_id,
            Update.message_ts == message_ts,
        )
    )


def _team_by_id(session: Session, workspace_id: int, team_id: int) -> Team:
    team = session.scalar(select(Team).where(Team.workspace_id == workspace_id, Team.id == team_id))
    if team is None:
        raise CheckinError("That team no longer exists.")
    return team


@dataclass(frozen=True)
class _Tags:
    """An answer's tags as stored and as shown to its author."""

    by_hand: bool
    confident: bool
    lines: tuple[blocks.TagLine, ...]
    # (objective id, score, "manual" or "auto") of each tag.
    scored: list[tuple[int, float, str]]
    candidates: tuple[blocks.Choice, ...] = ()
    goal: blocks.ServedGoal | None = None


def _cycle_id(
    session: Session,
    workspace_id: int,
    context: WorkspaceContext,
    learned: dict[tuple[int, str], int],
    team: Team,
    week: str,
    zone: str,
) -> int:
    """Return the id of a team's cycle of `week`, adding it (into `learned`) when it is new."""
    cycle_id = context.cycles.get((team.id, week))
    if cycle_id is None:
        cycle = team_cycle(team, week, zone)
        cycle_id = repositories.cycle_id(
            session,
            workspace_id,
            team.id,
            week,
            monday=date.fromisocalendar(*parse_week(week), 1),
            prompt_at=cycle.prompt_at,
            deadline_at=cycle.deadline_at,
        )
        learned[(team.id, week)] = cycle_id
    return cycle_id


def _check_references(
    session: Session, workspace_id: int, context: WorkspaceContext, team: Team, answer: Answer
) -> list[int]:
    """Refuse an answer naming an unknown objective or initiative; return the ids of its partner teams."""
    keys = {o.key for o in context.objectives}
    unknown = [k for k in answer.objectives or () if k not in keys]
    if unknown:
        raise CheckinError(f"No objective with key `{unknown[0]}`; see `/objective list`.")
    partner_ids = [p for p in dict.fromkeys(answer.partners) if p in context.by_id and p != team.id]
    if (
        answer.initiative_id is not None
        and session.scalar(
            select(Initiative.id).where(Initiative.workspace_id == workspace_id, Initiative.id == answer.initiative_id)
        )
        is None
    ):
        raise CheckinError("That initiative no longer exists; pick another or none.")
    return partner_ids


def _upsert(
    session: Session,
    workspace_id: int,
    cycle_id: int,
    team: Team,
    answer: Answer,
    text: str,
    tagged: _Tags,
    now: datetime,
) -> Row[Any]:
    """Store an answer, replacing the person's answer of the week unless that was sent later (_Superseded)."""
    sent = answer.sent or Sent.now()
    values = {
        "team_id": team.id,
        "text": text,
        "source": answer.source,
        "channel_id": answer.channel_id,
        "message_ts": answer.message_ts,
        "initiative_id": answer.initiative_id,
        "tags_by_hand": tagged.by_hand,
        "tags_confident": tagged.confident,
        "updated_at": now,
        "sent_at": sent.at,
        "acked_at": sent.acked,
        "answers": (
            [{"question": q, "answer": strip_control(a).strip()} for q, a in zip(questions_of(team), answer.answers)]
            if answer.answers
            else None
        ),
    }
    key = (workspace_id, cycle_id, answer.user_id)
    stored = repositories.upsert_answer(session, key, values, created_at=now, again=sent.again)
    if stored is None:
        raise _Superseded()
    return stored


def _prompt_of(
    session: Session, workspace_id: int, context: WorkspaceContext, team_id: int, week: str
) -> tuple[str, str] | None:
    """Return (channel, ts) of a team's channel prompt of `week`, remembered in `context` once found."""
    prompt = context.prompts.get((team_id, week)) or week_prompt(session, workspace_id, team_id, week)
    if prompt is not None:
        context.prompts[(team_id, week)] = prompt
    return prompt
