"""Fixtures: a running FakeSlack with a small workspace, and a WebClient on it; error_of."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.fakeslack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U0ANNA01", "anna", is_admin=True)
        server.add_user("U0BEN02", "ben", tz="Europe/Berlin")
        server.add_user("U0CARL03", "carl")
        server.add_channel("C0MKTG01", "marketing", ["U0ANNA01", "U0BEN02"])
        server.add_channel("C0SALES1", "sales", ["U0CARL03"], is_member=False)
        server.add_channel("C0OLD001", "old-news", ["U0ANNA01"], is_archived=True)
        server.add_channel("C0SECRET", "secret", ["U0ANNA01"], is_private=True, is_member=False)
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.base_url, timeout=5)


def error_of(call) -> tuple[str, dict]:
    """Run a client call expected to fail; return (error, response data)."""
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"], info.value.response.data
