"""Helpers for slash-command tests: send a signed command, return what the user saw."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Team, TeamMember, Workspace


def shown(answer: dict[str, Any]) -> str:
    """Return everything a person sees in an answer: its text and its blocks."""
    return answer.get("text", "") + "\n" + json.dumps(answer.get("blocks", []), ensure_ascii=False)


@pytest.fixture
def ask(slack, fake_slack):
    """Send a slash command; return the ephemeral answer, from the ack or from the response_url."""

    def ask(command: str, text: str = "", *, user: str = "U0ADMIN1", channel: str = "C0MKTG01", **extra: Any) -> dict:
        before = len(fake_slack.responses())
        response = slack.command(command, text, user_id=user, channel_id=channel, **extra)
        assert response.status == 200, response.body
        if response.body:
            return response.json()
        answer = fake_slack.wait_for_responses(before + 1)[before]["body"]
        assert answer.get("response_type") == "ephemeral"
        return answer

    return ask


@pytest.fixture
def sales_channel(fake_slack):
    fake_slack.add_user("U0SELL01", name="sol")
    fake_slack.add_user("U0SELL02", name="sam")
    fake_slack.add_channel("C0SALES1", "sales", members=["U0SELL01", "U0SELL02"])
    return "C0SALES1"


@pytest.fixture
def teams(ask, sales_channel):
    """Map marketing (C0MKTG01) and sales (C0SALES1) through the real command."""
    assert "now team" in shown(ask("/alignment", "team marketing", channel="C0MKTG01"))
    assert "now team" in shown(ask("/alignment", "team sales", channel=sales_channel))
    return {"marketing": "C0MKTG01", "sales": sales_channel}


def team_rows(runtime) -> dict[str, tuple[str | None, list[str]]]:
    """Return {team name: (channel, sorted member ids)} from the database."""
    with runtime.services.sessions() as session:
        out = {}
        for team in session.scalars(select(Team)):
            members = sorted(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id)))
            out[team.name] = (team.channel_id, members)
        return out


def workspace_row(runtime, slack_team_id: str) -> Workspace | None:
    with runtime.services.sessions() as session:
        return session.scalar(select(Workspace).where(Workspace.slack_team_id == slack_team_id))
