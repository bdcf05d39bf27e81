"""Services: what handlers, the scheduler and the CLI call. They own transactions."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.services.checkins import Checkins
from bot.services.deliveries import Deliveries
from bot.services.digests import Digests
from bot.services.export import Export
from bot.services.goals import GoalsService
from bot.services.handoffs import Handoffs
from bot.services.history import History
from bot.services.initiatives import InitiativesService
from bot.services.installs import Installs
from bot.services.model import ModelService
from bot.services.objectives import ObjectivesService
from bot.services.orgsync import OrgSync
from bot.services.people import PeopleService
from bot.services.permissions import Permissions
from bot.services.prompts import Prompts
from bot.services.sharing import Sharing
from bot.services.tagging import Tagging
from bot.services.teams import TeamsService
from bot.settings import Settings
from bot.slack import SlackClients
from storage import repositories


@dataclass
class Services:
    """The bot's services, built once by the composition root and passed down."""

    settings: Settings
    sessions: sessionmaker[Session]
    clients: SlackClients
    permissions: Permissions = field(init=False)
    teams: TeamsService = field(init=False)
    objectives: ObjectivesService = field(init=False)
    initiatives: InitiativesService = field(init=False)
    orgsync: OrgSync = field(init=False)
    tagging: Tagging = field(init=False)
    model: ModelService = field(init=False)
    deliveries: Deliveries = field(init=False)
    checkins: Checkins = field(init=False)
    prompts: Prompts = field(init=False)
    digests: Digests = field(init=False)
    installs: Installs = field(init=False)
    handoffs: Handoffs = field(init=False)
    people: PeopleService = field(init=False)
    sharing: Sharing = field(init=False)
    export: Export = field(init=False)
    history: History = field(init=False)
    goals: GoalsService = field(init=False)

    def __post_init__(self) -> None:
        self.permissions = Permissions(self.settings, self.clients)
        self.teams = TeamsService(self.settings, self.sessions, self.clients, self.permissions)
        self.tagging = Tagging(self.sessions)
        self.objectives = ObjectivesService(self.sessions, self.permissions, self.tagging)
        self.deliveries = Deliveries(self.sessions)
        self.model = ModelService(self.settings, self.sessions, self.clients, self.permissions)
        self.initiatives = InitiativesService(
            self.sessions, self.permissions, self.tagging, self.model, self.settings.timezone
        )
        self.orgsync = OrgSync(self.sessions, self.model)
        self.checkins = Checkins(self.settings, self.sessions, self.tagging, self.model)
        self.prompts = Prompts(self.settings, self.sessions, self.clients, self.deliveries)
        self.handoffs = Handoffs(self.settings, self.sessions, self.clients, self.deliveries, self.permissions)
        self.digests = Digests(self.settings, self.sessions, self.clients, self.deliveries, self.handoffs)
        self.sharing = Sharing(self.sessions, self.permissions)
        self.export = Export(self.sessions)
        self.history = History(self.settings, self.sessions, self.permissions)
        self.installs = Installs(self.sessions, self.clients.installation_store)
        self.people = PeopleService(self.settings, self.sessions, self.clients, self.permissions, self.deliveries)
        self.goals = GoalsService(self.sessions, self.people, self.model, admins=self.settings.admin_ids)
        self.prompts.user_zone = self.permissions.timezone_of

    def __deepcopy__(self, memo: dict[int, object]) -> Services:
        # Bolt copies a request's context for its lazy listeners: the services are shared, never copied.
        return self

    def event_done(self, slack_team_id: str, event_id: str) -> bool:
        """Say whether an event was already handled (Slack is retrying it)."""
        with self.sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            return workspace is not None and repositories.event_done(session, workspace.id, event_id)

    def release_event(self, slack_team_id: str, event_id: str) -> None:
        """Forget that an event was handled: its listener claimed it with its work, then failed to answer."""
        with self.sessions.begin() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is not None:
                repositories.release_event(session, workspace.id, event_id)

    def claim_event(self, slack_team_id: str, event_id: str) -> bool:
        """Record an event as handled (once its work succeeded, or before work that stores nothing);
        say False when another delivery of it already was."""
        with self.sessions.begin() as session:
            # Never creates a workspace: a listener that did nothing for an unknown one leaves nothing.
            workspace = repositories.find_workspace(session, slack_team_id)
            return workspace is None or repositories.claim_event(session, workspace.id, event_id)
