"""Slack's real request shapes, replayed signed into the real app: always 2xx, and what the app does not use
is ignored. Slack retries a request that fails and turns event delivery off for an app that fails too often."""

from __future__ import annotations

import time

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select

from storage import repositories
from storage.models import Job, ProcessedEvent, Workspace
from storage.slack_tables import slack_metadata
from tests.conftest import SIGNING_SECRET
from tests.handlers import slack_shapes
from tests.handlers.slack_shapes import ENTERPRISE, NAMES, shapes


def shape(name: str) -> tuple[str, str]:
    [(content_type, body)] = [(c, b) for n, c, b in shapes() if n == name]
    return content_type, body


def count(runtime, model) -> int:
    with runtime.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("name", NAMES)
def test_a_real_shape_gets_200_and_nothing_is_stored_or_posted(slack, runtime, fake_slack, name):
    fake_slack.reset_calls()
    content_type, body = shape(name)
    response = slack.post(body, content_type)
    assert response.status == 200, (name, response.status, response.body)
    assert response.body == ""
    time.sleep(0.2)  # a listener would run in the worker after the answer
    assert fake_slack.calls == [] and fake_slack.responses() == []
    assert count(runtime, Workspace) == 0 and count(runtime, ProcessedEvent) == 0


@pytest.mark.parametrize(
    "content_type, body",
    [
        (slack_shapes.JSON, "{"),
        (slack_shapes.JSON, "[]"),
        (slack_shapes.FORM, "payload=%5B%5D"),
        (slack_shapes.FORM, "payload=notjson"),
    ],
)
def test_a_body_that_is_not_slacks_still_gets_400(slack, content_type, body):
    assert slack.post(body, content_type).status == 400


class TestOAuth:
    @pytest.fixture
    def settings(self, fake_slack, database_url):
        from bot.settings import Settings

        return Settings(
            _env_file=None,
            SLACK_CLIENT_ID="111.222",
            SLACK_CLIENT_SECRET="client-secret",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake_slack.base_url,
            DATABASE_URL=database_url,
        )

    @pytest.fixture
    def installed(self, runtime, fake_slack):
        """The fake's workspace, two workspaces of the Grid org E0000001 installed one by one, and the org itself."""
        store = runtime.installation_store
        for enterprise, team in [(None, fake_slack.team_id), (ENTERPRISE, "T0GRID001"), (ENTERPRISE, "T0GRID002")]:
            store.save(
                Installation(
                    app_id=fake_slack.app_id,
                    enterprise_id=enterprise,
                    team_id=team,
                    user_id="U0ADMIN1",
                    bot_id=fake_slack.bot_id,
                    bot_user_id=fake_slack.bot_user_id,
                    bot_token=fake_slack.bot_token,
                    bot_scopes="chat:write",
                )
            )
            with runtime.services.sessions.begin() as session:
                repositories.ensure_workspace(session, team)
        store.save(
            Installation(
                app_id=fake_slack.app_id,
                enterprise_id=ENTERPRISE,
                team_id=None,
                is_enterprise_install=True,
                user_id="U0ADMIN1",
                bot_id=fake_slack.bot_id,
                bot_user_id=fake_slack.bot_user_id,
                bot_token=fake_slack.bot_token,
                bot_scopes="chat:write",
            )
        )
        return store

    @pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith(("org-wide app_", "org-wide tokens_"))])
    def test_a_real_shape_gets_200_and_changes_nothing(self, slack, runtime, installed, fake_slack, name):
        stored = self.installations(runtime)
        fake_slack.reset_calls()
        content_type, body = shape(name)
        response = slack.post(body, content_type)
        assert response.status == 200, (name, response.status, response.body)
        time.sleep(0.2)
        assert self.posted(fake_slack) == [] and fake_slack.responses() == []
        assert self.installations(runtime) == stored
        assert self.uninstalled(runtime) == []
        assert count(runtime, Job) == 0

    @pytest.mark.parametrize("name", ["org-wide app_uninstalled", "org-wide tokens_revoked"])
    def test_an_org_wide_uninstall_removes_the_installs_of_that_enterprise(
        self, slack, runtime, installed, fake_slack, name
    ):
        assert len(self.installations(runtime)) == 4
        content_type, body = shape(name)
        assert slack.post(body, content_type).status == 200
        assert self.installations(runtime) == [(None, fake_slack.team_id)]
        assert installed.find_bot(enterprise_id=ENTERPRISE, team_id="T0GRID001") is None
        assert self.uninstalled(runtime) == ["T0GRID001", "T0GRID002"]

        # No sends to its workspaces any more: the scheduler no longer works for them.
        with runtime.services.sessions() as session:
            assert repositories.installed_workspaces(session) == [fake_slack.team_id]

        # Slack's retry of it changes nothing more.
        assert (
            slack.post(body, content_type, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}).status
            == 200
        )
        assert self.installations(runtime) == [(None, fake_slack.team_id)]
        assert self.uninstalled(runtime) == ["T0GRID001", "T0GRID002"]

    @staticmethod
    def posted(fake_slack) -> list:
        # Bolt asks auth.test about an installation's token; anything else would be the app acting.
        return [call for call in fake_slack.calls if call.method != "auth.test"]

    @staticmethod
    def installations(runtime) -> list[tuple[str | None, str | None]]:
        table = slack_metadata.tables["slack_installations"]
        with runtime.engine.connect() as connection:
            rows = connection.execute(select(table.c.enterprise_id, table.c.team_id)).all()
        return sorted(((e, t) for e, t in rows), key=lambda row: (row[0] or "", row[1] or ""))

    @staticmethod
    def uninstalled(runtime) -> list[str]:
        with runtime.services.sessions() as session:
            return sorted(session.scalars(select(Workspace.slack_team_id).where(Workspace.uninstalled_at.is_not(None))))
