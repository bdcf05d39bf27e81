"""Helpers for hardening tests: what a person sees after a slash command."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest


def shown(answer: dict[str, Any]) -> str:
    """Return everything a person sees in an answer: its text and its blocks."""
    return answer.get("text", "") + "\n" + json.dumps(answer.get("blocks", []), ensure_ascii=False)


@pytest.fixture
def answer(slack, fake_slack):
    """Send a signed slash command; return what the person was shown: ("ephemeral", payload) or ("modal", view)."""

    def answer(
        command: str, text: str, *, user: str = "U0ADMIN1", channel: str = "C0MKTG01", team: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        responses, views = len(fake_slack.responses()), len(fake_slack.calls_to("views.open"))
        sender = slack
        if team is not None:
            sender = type(slack)(slack.url, slack.signing_secret, team_id=team, response_urls=slack.response_urls)
        response = sender.command(command, text, user_id=user, channel_id=channel)
        assert response.status == 200, (command, text, response.status, response.body)
        if response.body:
            return "ephemeral", response.json()

        deadline = time.monotonic() + 30  # a bound, not a speed check: a loaded machine can take long
        while len(fake_slack.responses()) == responses and len(fake_slack.calls_to("views.open")) == views:
            assert time.monotonic() < deadline, f"no answer to {command} {text!r}"
            time.sleep(0.005)
        opened = fake_slack.calls_to("views.open")[views:]
        if opened:
            return "modal", opened[0].args["view"]
        return "ephemeral", fake_slack.responses()[responses]["body"]

    return answer


@pytest.fixture
def org(runtime, fake_slack):
    """Create marketing (C0MKTG01: U0MEMB01, U0MEMB02) and sales (C0SALES1: U0SELL01), prompts Monday 09:00 Berlin."""
    from storage import repositories
    from storage.models import Objective, Team, TeamMember

    fake_slack.add_user("U0MEMB02", name="mia")
    fake_slack.add_user("U0SELL01", name="sol")
    fake_slack.add_channel("C0SALES1", "sales", members=["U0SELL01"])
    with runtime.services.sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, fake_slack.team_id)
        workspace.leadership_channel_id = "C0LEAD01"
        teams = {}
        for name, channel, members in (
            ("marketing", "C0MKTG01", ["U0MEMB01", "U0MEMB02"]),
            ("sales", "C0SALES1", ["U0SELL01"]),
        ):
            team = Team(
                workspace_id=workspace.id,
                name=name,
                channel_id=channel,
                prompt_weekday=0,
                prompt_time="09:00",
                timezone="Europe/Berlin",
            )
            session.add(team)
            session.flush()
            session.add_all(TeamMember(workspace_id=workspace.id, team_id=team.id, user_id=u) for u in members)
            teams[name] = team.id
        session.add_all(
            [
                Objective(
                    workspace_id=workspace.id,
                    key="new-revenue",
                    title="Grow new-logo revenue",
                    description="Build qualified pipeline and close new customers.",
                ),
                Objective(workspace_id=workspace.id, key="margins", title="Increase margins"),
            ]
        )
    return teams
