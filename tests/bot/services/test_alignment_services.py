"""Services for teams, objectives, initiatives, permissions and the org file, called directly."""

from __future__ import annotations

import pytest

from bot.orgfile import OrgFileError, load_org
from bot.parsing import InitiativeDraft, ObjectiveDraft
from bot.services.errors import Refused, UserError
from bot.services.initiatives import InitiativesService
from bot.services.model import ModelService
from bot.services.objectives import ObjectivesService
from bot.services.orgsync import OrgSync
from bot.services.permissions import Permissions
from bot.services.tagging import Tagging
from bot.slack import SlackClients


@pytest.fixture
def permissions(settings):
    return Permissions(settings, SlackClients(settings))


@pytest.fixture
def objective_service(sessions, permissions):
    return ObjectivesService(sessions, permissions)


def test_admin_cache_expires(settings, fake_slack):
    now = [0.0]
    permissions = Permissions(settings, SlackClients(settings), ttl=60, clock=lambda: now[0])
    assert permissions.is_admin(fake_slack.team_id, "U0ADMIN1")
    fake_slack.add_user("U0ADMIN1", name="ada", is_admin=False)
    assert permissions.is_admin(fake_slack.team_id, "U0ADMIN1")  # cached
    now[0] = 61
    assert not permissions.is_admin(fake_slack.team_id, "U0ADMIN1")
    assert len(fake_slack.calls_to("users.info")) == 2


def test_owners_are_admins_and_unknown_users_are_not(permissions, fake_slack):
    fake_slack.add_user("U0OWNER1", is_owner=True)
    assert permissions.is_admin(fake_slack.team_id, "U0OWNER1")
    assert not permissions.is_admin(fake_slack.team_id, "U0NOBODY")
    with pytest.raises(Refused, match="U0BOSS01"):
        permissions.require_admin(fake_slack.team_id, "U0MEMB01", "do it")


def test_cache_is_keyed_by_workspace(permissions, fake_slack):
    permissions.is_admin(fake_slack.team_id, "U0ADMIN1")
    permissions.is_admin("T0OTHER01", "U0ADMIN1")
    assert len(fake_slack.calls_to("users.info")) == 2


def test_same_key_in_two_workspaces(objective_service, engine):
    a = objective_service.add("T0AAAAA01", "U0BOSS01", ObjectiveDraft("Grow revenue", "a"))
    b = objective_service.add("T0BBBBB01", "U0BOSS01", ObjectiveDraft("Grow revenue", "b"))
    assert a.key == b.key == "grow-revenue"
    assert [o.description for o in objective_service.list("T0AAAAA01").objectives] == ["a"]
    objective_service.archive("T0BBBBB01", "U0BOSS01", "grow-revenue")
    assert len(objective_service.list("T0AAAAA01").objectives) == 1


def test_initiative_needs_a_team(sessions, permissions, settings, engine):
    model = ModelService(settings, sessions, SlackClients(settings), permissions)
    service = InitiativesService(sessions, permissions, Tagging(sessions), model)
    with pytest.raises(UserError, match="not in a team"):
        service.add("T0AAAAA01", "U0MEMB01", None, InitiativeDraft("Webinar"))


ORG = """\
teams:
  - name: marketing
    aliases: [mktg]
    channel: C0MKTG01
    members: [U0ANNA01, U0BEN02]
  - sales
objectives:
  - key: new-revenue
    title: Grow new-logo revenue
    keywords: [pipeline]
  - key: margins
    title: Increase margins
"""


def test_import_then_export_round_trips(sessions, engine):
    sync = OrgSync(sessions)
    report = sync.import_org("T0AAAAA01", load_org(ORG), ORG, "org.yaml")
    assert report.objectives_created == ["new-revenue", "margins"] and report.teams_created == ["marketing", "sales"]
    exported = sync.export_org("T0AAAAA01")
    assert exported == load_org(ORG)
    again = sync.import_org("T0AAAAA01", exported, ORG, "org.yaml")
    assert again.objectives_unchanged == ["new-revenue", "margins"] and again.teams_unchanged == ["marketing", "sales"]


def test_import_updates_restores_and_leaves_alone(sessions, permissions, engine):
    sync = OrgSync(sessions)
    objectives = ObjectivesService(sessions, permissions)
    sync.import_org("T0AAAAA01", load_org(ORG), ORG, "org.yaml")
    objectives.add("T0AAAAA01", "U0BOSS01", ObjectiveDraft("Extra", ""))
    objectives.archive("T0AAAAA01", "U0BOSS01", "margins")
    text = ORG.replace("Grow new-logo revenue", "Grow revenue")
    report = sync.import_org("T0AAAAA01", load_org(text), text, "org.yaml")
    assert report.objectives_updated == ["new-revenue"]
    assert report.objectives_restored == ["margins"]
    assert report.objectives_left_alone == ["extra"]
    assert any("left alone" in line and "extra" in line for line in report.lines())
    keys = [o.key for o in objectives.list("T0AAAAA01").objectives]
    assert keys == ["new-revenue", "margins", "extra"]


def test_import_conflicting_with_the_database_is_refused_whole_with_a_line(sessions, engine):
    sync = OrgSync(sessions)
    sync.import_org("T0AAAAA01", load_org(ORG), ORG, "org.yaml")
    text = """\
teams:
  - name: growth
    channel: C0MKTG01
objectives:
  - key: brand-new
    title: Something new
"""
    with pytest.raises(OrgFileError) as raised:
        sync.import_org("T0AAAAA01", load_org(text), text, "org.yaml")
    assert raised.value.line == 3 and "C0MKTG01" in str(raised.value)
    exported = sync.export_org("T0AAAAA01")
    assert [t.name for t in exported.teams] == ["marketing", "sales"]
    assert [o.key for o in exported.objectives] == ["new-revenue", "margins"]


def test_import_validates_titles_with_the_line(sessions, engine):
    text = "objectives:\n  - key: a\n    title: ok\n  - key: b\n    title: " + "x" * 151 + "\n"
    with pytest.raises(OrgFileError) as raised:
        OrgSync(sessions).import_org("T0AAAAA01", load_org(text), text, "org.yaml")
    assert raised.value.line == 4 and "150" in str(raised.value)
