"""FakeSlack's injected faults: errors, 429s with Retry-After, slow answers, rate limits."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.fakeslack import FakeSlack
from tests.bot.fakeslack.conftest import error_of


def test_rate_limit_retry_handler_retries_after_429(
    fake: FakeSlack, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.random.random", lambda: 0.0)  # no jitter wait
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.fail("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C0MKTG01", text="eventually")["ok"] is True
    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response == {"ok": False, "error": "ratelimited"}
    assert len(fake.messages("C0MKTG01")) == 1


def test_429_without_retry_handler_surfaces_retry_after(fake: FakeSlack) -> None:
    bare = WebClient(token=fake.bot_token, base_url=fake.base_url, retry_handlers=[])
    fake.fail("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        bare.chat_postMessage(channel="C0MKTG01", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"


def test_server_errors_and_ok_false_errors_are_one_shot(fake: FakeSlack) -> None:
    bare = WebClient(token=fake.bot_token, base_url=fake.base_url, retry_handlers=[])
    fake.fail("auth.test", status=500)
    fake.fail("auth.test", error="fatal_error")
    with pytest.raises(SlackApiError) as info:
        bare.auth_test()
    assert info.value.response.status_code == 500
    assert error_of(bare.auth_test)[0] == "fatal_error"
    assert bare.auth_test()["ok"] is True
    assert [c.status for c in fake.calls] == [500, 200, 200]


def test_wildcard_fault_until_cleared(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("*", error="team_access_not_granted", times=None)
    assert error_of(client.auth_test)[0] == "team_access_not_granted"
    assert error_of(client.team_info)[0] == "team_access_not_granted"
    fake.clear_faults()
    assert client.auth_test()["ok"] is True


def test_delay_times_the_client_out_but_the_post_still_lands(fake: FakeSlack) -> None:
    impatient = WebClient(token=fake.bot_token, base_url=fake.base_url, timeout=0.2, retry_handlers=[])
    fake.delay("chat.postMessage", 0.6)
    with pytest.raises(Exception) as info:  # urllib raises TimeoutError (or URLError wrapping it)
        impatient.chat_postMessage(channel="C0MKTG01", text="slow")
    assert "timed out" in str(info.value)
    fake.wait_for("chat.postMessage", timeout=3)
    assert [m["text"] for m in fake.messages("C0MKTG01")] == ["slow"]


def test_per_channel_rate_limit(fake: FakeSlack) -> None:
    bare = WebClient(token=fake.bot_token, base_url=fake.base_url, retry_handlers=[])
    fake.rate_limit(per_channel_per_second=1.0)
    bare.chat_postMessage(channel="C0MKTG01", text="one")
    with pytest.raises(SlackApiError) as info:
        bare.chat_postMessage(channel="C0MKTG01", text="two")
    assert info.value.response.status_code == 429 and info.value.response.headers["Retry-After"] == "1"
    bare.chat_postMessage(channel="U0ANNA01", text="other channel is fine")
    fake.rate_limit(None)
    bare.chat_postMessage(channel="C0MKTG01", text="limit off")
    assert [m["text"] for m in fake.messages("C0MKTG01")] == ["one", "limit off"]


def test_per_workspace_rate_limit_counts_each_token_s_workspace(fake: FakeSlack) -> None:
    one, two = (
        WebClient(token=fake.workspace_token(team), base_url=fake.base_url, retry_handlers=[])
        for team in ("T0ONE0001", "T0TWO0001")
    )
    fake.workspace_rate_limit(0.5, burst=2)
    one.chat_postMessage(channel="C0MKTG01", text="one")
    one.chat_postMessage(channel="U0ANNA01", text="two")
    with pytest.raises(SlackApiError) as info:
        one.chat_postMessage(channel="U0BEN02", text="three")
    assert info.value.response.status_code == 429 and info.value.response.headers["Retry-After"] == "2"
    two.chat_postMessage(channel="U0BEN02", text="another workspace is fine")
    assert [(c.team, c.status) for c in fake.calls_to("chat.postMessage")] == [
        ("T0ONE0001", 200),
        ("T0ONE0001", 200),
        ("T0ONE0001", 429),
        ("T0TWO0001", 200),
    ]
    assert fake.rejected == 1
    fake.workspace_rate_limit(None)
    one.chat_postMessage(channel="U0BEN02", text="limit off")
