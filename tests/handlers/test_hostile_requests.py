"""Unsigned and malformed requests into the real app: refused before anything runs, logged as one line."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from bot.fakeslack.sender import sign
from storage.models import Workspace
from tests.conftest import SIGNING_SECRET


def post(url: str, body: bytes | str, content_type: str, headers: dict[str, str]) -> int:
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SIGNING_SECRET, ts, body)}


def interaction(response_url: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0000001"},
        "user": {"id": "U0ADMIN1"},
        "response_url": response_url,
        "trigger_id": "1.2.3",
        "actions": [{"action_id": "digest_details", "value": "2019-W01"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def command(response_url: str) -> str:
    return urlencode(
        {
            "command": "/alignment",
            "text": "report",
            "team_id": "T0000001",
            "user_id": "U0ADMIN1",
            "channel_id": "C0MKTG01",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


@pytest.mark.parametrize("timestamp", ["notanumber", "", "1e9", "-1", " 1", "1" * 40])
@pytest.mark.parametrize("make_body", [interaction, command])
def test_a_bad_timestamp_is_refused_and_nothing_is_posted_anywhere(app_url, fake_slack, runtime, timestamp, make_body):
    body = make_body(fake_slack.response_url("C0MKTG01"))
    fake_slack.reset_calls()
    status = post(
        f"{app_url}/slack/events",
        body,
        "application/x-www-form-urlencoded",
        {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + "0" * 64},
    )
    assert status == 401
    time.sleep(0.3)  # a listener would run in a thread after the answer
    assert fake_slack.responses() == []
    assert fake_slack.calls == []
    with runtime.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Workspace)) == 0


@pytest.mark.parametrize("signature", ["", "v0=", "v1=" + "0" * 64, "v0=" + "Z" * 64, "v0=" + "0" * 64])
def test_a_bad_signature_is_refused(app_url, fake_slack, signature):
    body = command(fake_slack.response_url("C0MKTG01"))
    fake_slack.reset_calls()
    status = post(
        f"{app_url}/slack/events",
        body,
        "application/x-www-form-urlencoded",
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": signature},
    )
    assert status == 401
    time.sleep(0.2)
    assert fake_slack.responses() == [] and fake_slack.calls == []


# Not Slack's at all: every request of Slack's is a JSON object, or a form (with a `payload` that is one).
NOT_SLACKS = [
    ("application/x-www-form-urlencoded", "payload=notjson"),
    ("application/x-www-form-urlencoded", "payload=%5B%5D"),
    ("application/x-www-form-urlencoded", "payload=%22x%22"),
    ("application/json", "{"),
    ("application/json", '"x"'),
    ("application/json", "[]"),
    ("application/json", "[" * 100_000),
    ("application/json", b"\xff\xfe{}"),
]
# Signed objects without what Bolt and the listeners read: answered 200 (Slack retries what fails) and ignored,
# before Bolt or a listener trips on them.
UNUSABLE = [
    ("application/json", '{"type": "event_callback", "team_id": "T0000001", "event": "member_joined_channel"}'),
    (
        "application/json",
        '{"type": "event_callback", "team_id": "T0000001", "event": {"type": 1}, "authorizations": ["x"]}',
    ),
    ("application/x-www-form-urlencoded", "payload=" + json.dumps({"type": "view_submission", "view": "x"})),
    ("application/x-www-form-urlencoded", "payload=" + json.dumps({"type": "block_actions", "actions": "x"})),
    ("application/x-www-form-urlencoded", "command=%2Fcheckin&text=x&user_id=U0MEMB01"),
    (
        "application/x-www-form-urlencoded",
        "payload="
        + json.dumps(
            {
                "type": "view_submission",
                "team": {"id": "T0000001"},
                "user": {"id": "U0MEMB01"},
                "view": {"callback_id": "checkin_submit"},
            }
        ),
    ),
    (
        "application/x-www-form-urlencoded",
        "payload="
        + json.dumps(
            {
                "type": "block_actions",
                "team": {"id": "T0000001"},
                "user": {},
                "trigger_id": "1.2",
                "actions": [{"action_id": "checkin_edit_tags"}],
            }
        ),
    ),
    (
        "application/x-www-form-urlencoded",
        "payload="
        + json.dumps(
            {
                "type": "block_actions",
                "team": {"id": "T0000001"},
                "user": {"id": "U0MEMB01"},
                "trigger_id": "1.2",
                "actions": [{"action_id": "handoff_picked_up", "value": ["1"]}],
            }
        ),
    ),
    ("application/json", '{"type": "event_callback", "team_id": "T0000001", "event": {"type": "app_home_opened"}}'),
]


@pytest.mark.parametrize(
    "content_type, body, status", [*((c, b, 400) for c, b in NOT_SLACKS), *((c, b, 200) for c, b in UNUSABLE)]
)
def test_a_malformed_body_is_refused_unsigned_and_does_nothing_signed(
    app_url, fake_slack, runtime, caplog, content_type, body, status
):
    url = f"{app_url}/slack/events"
    text = body.decode("latin-1") if isinstance(body, bytes) else body
    fake_slack.reset_calls()
    with caplog.at_level(logging.INFO):
        assert post(url, body, content_type, {}) == 401
        ts = str(int(time.time()))
        raw = body if isinstance(body, bytes) else body.encode()
        digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
        assert (
            post(url, body, content_type, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"})
            == status
        )
    time.sleep(0.2)  # a listener would run in a thread after the answer
    assert fake_slack.calls == [] and fake_slack.responses() == []
    with runtime.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Workspace)) == 0
    assert not any(r.exc_info for r in caplog.records), "no traceback"
    assert not any(text[:50] in r.getMessage() for r in caplog.records if len(text) > 3)


def test_many_malformed_requests_log_one_line(app_url, caplog):
    with caplog.at_level(logging.INFO):
        for _ in range(50):
            body = "{"
            assert post(f"{app_url}/slack/events", body, "application/json", signed(body)) == 400
    lines = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(lines) == 1
    assert not any(r.exc_info for r in caplog.records)


def test_an_oversized_body_is_refused_unread(app_url):
    host, port = urlsplit(app_url).hostname, urlsplit(app_url).port
    with socket.create_connection((host, port), timeout=10) as sock:
        # Announce 2 MB and send none of it: the answer must come without waiting for the body.
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"X-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=\r\n"
            + f"Content-Length: {2 << 20}\r\n\r\n".encode()
        )
        assert b" 413 " in sock.recv(100).split(b"\r\n")[0]


def test_refused_requests_are_not_logged_with_their_body(app_url, fake_slack, caplog):
    body = command(fake_slack.response_url("C0MKTG01")).replace("report", "top+secret+plans")
    with caplog.at_level(logging.DEBUG):
        assert (
            post(
                f"{app_url}/slack/events",
                body,
                "application/x-www-form-urlencoded",
                {"X-Slack-Request-Timestamp": "notanumber", "X-Slack-Signature": "v0="},
            )
            == 401
        )
    assert not any("secret" in r.getMessage() and "plans" in r.getMessage() for r in caplog.records)


def test_a_signed_well_formed_request_still_works(slack):
    assert slack.command("/objective", "help").status == 200
