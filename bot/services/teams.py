"""Teams: map channels to teams, keep their members in step with Slack, set schedules."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.settings import SettingsForm
from bot.parsing import WEEKDAYS, Invalid, ScheduleRequest, TeamRef, TeamSettings, parse_timezone
from bot.services.errors import INVITE_HINT, NotFound, UserError, slack_problem
from bot.services.permissions import Permissions
from bot.settings import Settings
from bot.slack import SlackClients
from bot.slacktext import skeleton
from storage import repositories
from storage.models import Team

logger = logging.getLogger(__name__)

MEMBERS_PAGE = 200


@dataclass(frozen=True)
class TeamView:
    """A team as people see it in lists."""

    id: int
    name: str
    aliases: tuple[str, ...]
    channel_id: str | None
    weekday: int
    time: str
    timezone: str
    members: tuple[str, ...]
    problem: str | None
    prompt_mode: str = "both"
    deadline_hours: int = 24
    reminder_hours: int = 4
    local_time: bool = False
    leads: tuple[str, ...] = ()

    @property
    def schedule(self) -> str:
        """Return e.g. "Mondays 10:00 (Europe/Berlin), in the channel and by DM, due after 24 h"."""
        where = {"channel": "in the channel", "dm": "by DM", "both": "in the channel and by DM"}[self.prompt_mode]
        remind = f", reminder {self.reminder_hours} h before" if 0 < self.reminder_hours < self.deadline_hours else ""
        zone = f"each member's own time zone; the channel {self.timezone}" if self.local_time else self.timezone
        return f"{WEEKDAYS[self.weekday]}s {self.time} ({zone}), {where}, due after {self.deadline_hours} h{remind}"


@dataclass(frozen=True)
class Mapped:
    """What `/alignment team` did."""

    team: str
    created: bool
    moved_from: str | None
    already: bool
    members: int


@dataclass(frozen=True)
class Overview:
    """Every team of a workspace and the leadership channel."""

    teams: tuple[TeamView, ...]
    leadership_channel_id: str | None


def team_names(teams: list[Team]) -> str:
    """Return "a, b, c" (or a hint when there are none) for messages that list the teams."""
    if not teams:
        return "there are no teams yet (an admin maps one with `/alignment team <name>` in its channel)"
    names = [t.name for t in teams]
    shown = ", ".join(names[:15])
    return shown + (f" and {len(names) - 15} more" if len(names) > 15 else "")


def look_alike(teams: Iterable[Team], name: str) -> tuple[Team, str] | None:
    """Return a team, and its name or alias, that looks like `name` without being it (see slacktext.skeleton).

    "ѕales" with a Cyrillic letter would be a second team that every reader takes for sales.
    """
    wanted = skeleton(name)
    for team in teams:
        for word in (team.name, *(team.aliases or ())):
            if skeleton(word) == wanted and word.casefold() != name.casefold():
                return team, word
    return None


def resolve_team(session: Session, workspace_id: int, ref: TeamRef) -> Team | None:
    """Find the team a person meant: by channel when they mentioned one, else by name or alias."""
    if ref.channel_id:
        team = repositories.find_team_by_channel(session, workspace_id, ref.channel_id)
        if team is not None:
            return team
    team = repositories.find_team(session, workspace_id, ref.name)
    if team is None and ref.name.casefold().endswith(" team"):
        team = repositories.find_team(session, workspace_id, ref.name[: -len(" team")].strip())
    if team is None and ref.name.casefold().startswith("the "):
        team = resolve_team(session, workspace_id, TeamRef(ref.name[4:].strip()))
    return team


class TeamsService:
    """Teams, their channels, members and schedules."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], clients: SlackClients, permissions: Permissions
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._clients = clients
        self._permissions = permissions

    # ------------------------------------------------------------------ admin commands

    def map_channel(self, slack_team_id: str, user_id: str, channel_id: str, name: str) -> Mapped:
        """Make `channel_id` team `name`'s check-in channel: create the team or move it here."""
        self._permissions.require_admin(slack_team_id, user_id, "map channels to teams")
        self._check_channel_id(channel_id)
        with self._sessions.begin() as session:
            self._check_mapping(session, slack_team_id, channel_id, name)
        client = self._clients.for_team(slack_team_id)
        self._ensure_in_channel(client, channel_id)
        bot = self._bot_user_id(client)
        members = [m for m in self._channel_members(client, channel_id) if m != bot]
        with self._sessions.begin() as session:
            # Checked again: an admin in another channel may have raced us.
            team, moved_from, already = self._check_mapping(session, slack_team_id, channel_id, name)
            created = team is None
            if team is None:
                workspace = repositories.ensure_workspace(session, slack_team_id)
                team = Team(workspace_id=workspace.id, name=name, aliases=[])
                session.add(team)
                session.flush()
            team.channel_id = channel_id
            team.problem = None
            if created:
                # The channel only suggests the first members; after that, admins and leads choose them.
                repositories.set_members(session, team, members)
            count = len(repositories.member_ids(session, team.workspace_id, team.id))
            return Mapped(team.name, created, moved_from, already, count)

    def _check_mapping(
        self, session: Session, slack_team_id: str, channel_id: str, name: str
    ) -> tuple[Team | None, str | None, bool]:
        workspace = repositories.ensure_workspace(session, slack_team_id)
        team = repositories.find_team(session, workspace.id, name)
        owner = repositories.find_team_by_channel(session, workspace.id, channel_id)
        if owner is not None and (team is None or owner.id != team.id):
            raise UserError(
                f"This channel is already team *{owner.name}*'s check-in channel. To use it for *{name}*, "
                f"first map *{owner.name}* to its own channel (run `/alignment team {owner.name}` there)."
            )
        if team is None:
            similar = look_alike(repositories.list_teams(session, workspace.id), name)
            if similar is not None:
                raise UserError(
                    f"'{name}' looks like team *{similar[0].name}*: pick a name people can tell apart, "
                    f"or run `/alignment team {similar[0].name}` to move that team here."
                )
            return None, None, False
        already = team.channel_id == channel_id
        moved_from = team.channel_id if team.channel_id and not already else None
        return team, moved_from, already

    def set_leadership(self, slack_team_id: str, user_id: str, channel_id: str) -> str | None:
        """Make `channel_id` the leadership channel; return the previous one, if any."""
        self._permissions.require_admin(slack_team_id, user_id, "choose the leadership channel")
        self._check_channel_id(channel_id)
        self._ensure_in_channel(self._clients.for_team(slack_team_id), channel_id)
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            previous = workspace.leadership_channel_id
            workspace.leadership_channel_id = channel_id
            return previous if previous != channel_id else None

    def schedule(self, slack_team_id: str, user_id: str, request: ScheduleRequest) -> TeamView:
        """Set when a team's check-in prompt goes out; the zone defaults to the caller's."""
        self._permissions.require_admin(slack_team_id, user_id, "set check-in schedules")
        zone = request.timezone
        if zone is None:
            found = parse_timezone(self._permissions.timezone_of(slack_team_id, user_id) or "")
            zone = found if not isinstance(found, Invalid) else self._settings.timezone
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = resolve_team(session, workspace.id, TeamRef(request.team))
            if team is None:
                teams = repositories.list_teams(session, workspace.id)
                raise NotFound(f"There is no team called '{request.team}'; {team_names(teams)}.")
            team.prompt_weekday = request.weekday
            team.prompt_time = request.time
            team.local_time = request.local
            if not request.local or team.timezone is None:
                # A local-time team keeps its zone for its channel prompt and its weeks.
                team.timezone = zone
            return self._view(session, team)

    def configure_prompts(
        self,
        slack_team_id: str,
        user_id: str,
        team_name: str,
        *,
        mode: str | None = None,
        deadline_hours: int | None = None,
        reminder_hours: int | None = None,
    ) -> TeamView:
        """Set where a team's prompt goes, and when answers are due and reminded."""
        self._permissions.require_admin(slack_team_id, user_id, "change check-in prompts")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = resolve_team(session, workspace.id, TeamRef(team_name))
            if team is None:
                teams = repositories.list_teams(session, workspace.id)
                raise NotFound(f"There is no team called '{team_name}'; {team_names(teams)}.")
            if mode is not None:
                team.prompt_mode = mode
            if deadline_hours is not None:
                team.deadline_hours = deadline_hours
                if reminder_hours is None and team.reminder_hours >= deadline_hours:
                    team.reminder_hours = 0
            if reminder_hours is not None:
                team.reminder_hours = reminder_hours
            return self._view(session, team)

    # ------------------------------------------------------------------ the settings form

    def settings_form(
        self, slack_team_id: str, user_id: str, team_name: str | None = None, team_id: int | None = None
    ) -> tuple[int, SettingsForm]:
        """Return (team id, what the settings form shows) for a team named or picked by id (admins)."""
        self._permissions.require_admin(slack_team_id, user_id, "change team settings")
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = (
                repositories.get_team(session, workspace.id, team_id)
                if team_id is not None
                else resolve_team(session, workspace.id, TeamRef(team_name or ""))
            )
            if team is None:
                teams = repositories.list_teams(session, workspace.id)
                raise NotFound(f"There is no team called '{team_name or team_id}'; {team_names(teams)}.")
            view = self._view(session, team)
            # Imported here: the goals service finds teams through this module.
            from bot.services.goals import goal_views

            return team.id, SettingsForm(
                team=view.name,
                channel_id=view.channel_id,
                weekday=view.weekday,
                time=view.time,
                timezone=view.timezone,
                local_time=view.local_time,
                deadline_hours=view.deadline_hours,
                reminder_hours=view.reminder_hours,
                mode=view.prompt_mode,
                members=view.members,
                leads=view.leads,
                share=team.share_answers,
                goals=tuple(goal_views(session, workspace.id, team.id)),
            )

    def apply_settings(self, slack_team_id: str, user_id: str, team_id: int, settings: TeamSettings) -> TeamView:
        """Save every setting of the form in one transaction (admins); a new channel is checked first."""
        self._permissions.require_admin(slack_team_id, user_id, "change team settings")
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = repositories.get_team(session, workspace.id, team_id)
            if team is None:
                raise NotFound("That team no longer exists.")
            moving = team.channel_id != settings.channel_id
        if moving:
            self._ensure_in_channel(self._clients.for_team(slack_team_id), settings.channel_id)
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = repositories.get_team(session, workspace.id, team_id)
            if team is None:
                raise NotFound("That team no longer exists.")
            owner = repositories.find_team_by_channel(session, workspace.id, settings.channel_id)
            if owner is not None and owner.id != team.id:
                raise UserError(f"<#{settings.channel_id}> is team *{owner.name}*'s check-in channel; pick another.")
            if moving:
                team.channel_id, team.problem = settings.channel_id, None
            team.prompt_weekday, team.prompt_time = settings.weekday, settings.time
            team.local_time = settings.timezone is None
            if settings.timezone is not None:
                team.timezone = settings.timezone
            team.deadline_hours, team.reminder_hours = settings.deadline_hours, settings.reminder_hours
            team.prompt_mode = settings.mode
            if settings.share is not None:
                team.share_answers = settings.share
            if settings.members is not None:
                repositories.set_members(session, team, list(settings.members))
            repositories.set_leads(session, team, list(settings.leads))
            session.flush()
            return self._view(session, team)

    # ------------------------------------------------------------------ reading

    def overview(self, slack_team_id: str) -> Overview:
        """Return every team with its channel, schedule and members."""
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            teams = tuple(self._view(session, t) for t in repositories.list_teams(session, workspace.id))
            return Overview(teams, workspace.leadership_channel_id)

    def _view(self, session: Session, team: Team) -> TeamView:
        workspace_zone = team.timezone or self._settings.timezone
        return TeamView(
            id=team.id,
            name=team.name,
            aliases=tuple(team.aliases or ()),
            channel_id=team.channel_id,
            weekday=team.prompt_weekday,
            time=team.prompt_time,
            timezone=workspace_zone,
            members=tuple(repositories.member_ids(session, team.workspace_id, team.id)),
            problem=team.problem,
            prompt_mode=team.prompt_mode,
            deadline_hours=team.deadline_hours,
            reminder_hours=team.reminder_hours,
            local_time=team.local_time,
            leads=tuple(repositories.lead_ids(session, team.workspace_id, team.id)),
        )

    # ------------------------------------------------------------------ members

    def refresh_members(self, slack_team_id: str) -> int:
        """Check every team channel can still be read, noting or clearing its problem; return how many can.

        Members are not taken from the channel: admins and leads choose them after the team is made.
        """
        with self._sessions.begin() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None:
                return 0
            channels = {t.id: t.channel_id for t in repositories.list_teams(session, workspace.id) if t.channel_id}
        client = self._clients.for_team(slack_team_id)
        refreshed = 0
        for team_id, channel_id in channels.items():
            assert channel_id is not None
            try:
                self._channel_members(client, channel_id)
                problem = None
            except UserError as error:
                problem = error.message[:200]
            with self._sessions.begin() as session:
                team = repositories.get_team(session, workspace.id, team_id)
                if team is None or team.channel_id != channel_id:
                    continue  # remapped meanwhile
                team.problem = problem
                refreshed += problem is None
        return refreshed

    def member_joined(self, slack_team_id: str, channel_id: str, user_id: str, bot_user_id: str | None) -> bool:
        """Clear the problem of a team whose channel the bot joined; people joining change no team."""
        if not bot_user_id or user_id != bot_user_id:
            return False
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = repositories.find_team_by_channel(session, workspace.id, channel_id)
            if team is None:
                return False
            team.problem = None
            return True

    def member_left(self, slack_team_id: str, channel_id: str, user_id: str, bot_user_id: str | None) -> bool:
        """Note the problem when the bot itself left a team's channel; people leaving change no team."""
        if not bot_user_id or user_id != bot_user_id:
            return False
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = repositories.find_team_by_channel(session, workspace.id, channel_id)
            if team is None:
                return False
            team.problem = "Alignbot was removed from the channel: " + INVITE_HINT
            return True

    # ------------------------------------------------------------------ Slack

    @staticmethod
    def _check_channel_id(channel_id: str) -> None:
        if not channel_id or channel_id[0] not in "CG":
            raise UserError("Run this in a channel (not in a direct message), so I know which channel you mean.")

    @staticmethod
    def _ensure_in_channel(client: WebClient, channel_id: str) -> None:
        """Join a public channel the bot is not in, or say how to invite it."""
        try:
            channel = client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError as error:
            raise slack_problem(error) from error
        if channel.get("is_archived"):
            raise UserError("This channel is archived; use a channel that is still in use.")
        if channel.get("is_im") or channel.get("is_mpim"):
            raise UserError("Run this in a channel, not in a direct or group message.")
        if channel.get("is_member"):
            return
        if channel.get("is_private"):
            raise UserError("I'm not in this private channel: " + INVITE_HINT + ".")
        try:
            client.conversations_join(channel=channel_id)
        except SlackApiError as error:
            raise slack_problem(error) from error

    @staticmethod
    def _bot_user_id(client: WebClient) -> str | None:
        try:
            return client.auth_test().get("user_id")
        except SlackApiError as error:
            raise slack_problem(error) from error

    @staticmethod
    def _channel_members(client: WebClient, channel_id: str) -> list[str]:
        """Return a channel's members, every page, the bot included."""
        members: list[str] = []
        cursor: str | None = None
        try:
            while True:
                page = client.conversations_members(channel=channel_id, limit=MEMBERS_PAGE, cursor=cursor)
                members.extend(page.get("members") or [])
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as error:
            raise slack_problem(error) from error
        return list(dict.fromkeys(members))
