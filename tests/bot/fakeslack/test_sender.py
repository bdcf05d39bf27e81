"""SlackSender signs Slack's requests correctly and drives a real Bolt app."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import ThreadingMixIn
from threading import Thread
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.fakeslack import FakeSlack, SlackSender

SECRET = "test-signing-secret"


class _Capture(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append((dict(self.headers), body.decode()))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"captured": true}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def capture() -> Iterator[tuple[SlackSender, list]]:
    """A bare HTTP endpoint that records what the sender posts."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    server.seen = []  # type: ignore[attr-defined]
    thread = Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    yield SlackSender(url, SECRET), server.seen  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def verified(seen: list, secret: str = SECRET) -> bool:
    headers, body = seen[-1]
    return SignatureVerifier(secret).is_valid_request(body, headers)


def test_signature_verifies_and_forgeries_do_not(capture) -> None:
    sender, seen = capture
    assert sender.command("/checkin", "shipped the launch").json() == {"captured": True}
    assert verified(seen)
    sender.command("/checkin", forge=True)
    assert not verified(seen)
    sender.command("/checkin", timestamp=time.time() - 301)
    assert not verified(seen)
    sender.command("/checkin", signing_secret="another-app")
    assert not verified(seen) and verified(seen, "another-app")


def test_command_is_form_encoded_like_slack(capture) -> None:
    sender, seen = capture
    sender.command("/initiative", "add Webinar #new-revenue", user_id="U0ANNA01", channel_id="C0MKTG01")
    headers, body = seen[-1]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields["command"] == "/initiative" and fields["text"] == "add Webinar #new-revenue"
    assert fields["user_id"] == "U0ANNA01" and fields["channel_id"] == "C0MKTG01" and fields["team_id"] == "T0000001"
    assert fields["trigger_id"] and fields["response_url"].startswith("https://")


def test_view_submission_builds_state_values(capture) -> None:
    sender, seen = capture
    sender.view_submission(
        "checkin",
        {"moved": {"text": "Shipped pricing page"}, "tags": {"objectives": ["new-revenue", "margins"]}},
        user_id="U0BEN02",
        private_metadata='{"week": "2024-W10"}',
    )
    payload = json.loads(parse_qs(seen[-1][1])["payload"][0])
    assert payload["type"] == "view_submission" and payload["user"]["id"] == "U0BEN02"
    view = payload["view"]
    assert view["callback_id"] == "checkin" and view["private_metadata"] == '{"week": "2024-W10"}'
    values = view["state"]["values"]
    assert values["moved"]["text"] == {"type": "plain_text_input", "value": "Shipped pricing page"}
    assert [o["value"] for o in values["tags"]["objectives"]["selected_options"]] == ["new-revenue", "margins"]


def test_event_envelope_and_retry_headers(capture) -> None:
    sender, seen = capture
    sender.event({"type": "app_mention", "user": "U0ANNA01", "text": "hi", "channel": "C0MKTG01"})
    sender.event({"type": "app_home_opened", "user": "U0ANNA01"}, event_id="Ev123", retry_num=1)
    (first_headers, first), (retry_headers, second) = seen
    first, second = json.loads(first), json.loads(second)
    assert first["type"] == "event_callback" and first["team_id"] == "T0000001"
    assert first["authorizations"][0]["is_bot"] is True and "event_ts" in first["event"]
    assert first["event_id"] != second["event_id"] == "Ev123"
    assert "X-Slack-Retry-Num" not in first_headers
    assert retry_headers["X-Slack-Retry-Num"] == "1" and retry_headers["X-Slack-Retry-Reason"] == "http_timeout"


# -- against a real Bolt app on the fake -------------------------------------------


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def bolt(fake: FakeSlack) -> Iterator[SlackSender]:
    """A small Bolt app served over HTTP, talking to the fake; yields a sender for it."""
    app = App(signing_secret=SECRET, client=WebClient(token=fake.bot_token, base_url=fake.base_url))

    @app.command("/checkin")
    def checkin(ack, respond, command, client) -> None:
        ack()
        if command["text"]:
            respond(f"Recorded: {command['text']}")
        else:
            client.views_open(
                trigger_id=command["trigger_id"],
                view={
                    "type": "modal",
                    "callback_id": "checkin",
                    "title": {"type": "plain_text", "text": "Check-in"},
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}],
                },
            )

    @app.event("app_mention")
    def mention(event, say) -> None:
        say(text="Hello!", thread_ts=event["ts"])

    @app.action("approve")
    def approve(ack, respond, body) -> None:
        ack()
        respond(text=f"Approved by {body['user']['id']}", replace_original=True)

    @app.view("checkin")
    def submitted(ack, view) -> None:
        if len(view["state"]["values"]["moved"]["text"]["value"]) < 3:
            ack(response_action="errors", errors={"moved": "Too short"})
        else:
            ack()

    server = make_server(
        "127.0.0.1", 0, SlackRequestHandler(app), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield SlackSender(f"http://127.0.0.1:{server.server_port}/slack/events", SECRET, response_urls=fake.response_url)
    server.shutdown()
    server.server_close()


def test_bolt_command_respond_goes_to_the_fake(fake: FakeSlack, bolt: SlackSender) -> None:
    assert bolt.command("/checkin", "shipped it", user_id="U0ANNA01", channel_id="C0MKTG01").status == 200
    [response] = fake.wait_for_responses()
    assert response["body"]["text"] == "Recorded: shipped it"


def test_bolt_command_opens_a_modal(fake: FakeSlack, bolt: SlackSender) -> None:
    bolt.command("/checkin", user_id="U0ANNA01", channel_id="C0MKTG01", trigger_id="42.42.abc")
    [call] = fake.wait_for("views.open")
    assert call.status == 200 and call.args["trigger_id"] == "42.42.abc"


def test_bolt_event_reply_lands_in_the_thread(fake: FakeSlack, bolt: SlackSender) -> None:
    ts = fake.post_user_message("C0MKTG01", "U0ANNA01", "<@U0BOT0001> hi")
    event = {"type": "app_mention", "user": "U0ANNA01", "text": "<@U0BOT0001> hi", "channel": "C0MKTG01", "ts": ts}
    assert bolt.event(event).status == 200
    fake.wait_for("chat.postMessage")
    assert [m["text"] for m in fake.thread("C0MKTG01", ts)] == ["<@U0BOT0001> hi", "Hello!"]


def test_bolt_block_action_replaces_the_original(fake: FakeSlack, bolt: SlackSender) -> None:
    client = WebClient(token=fake.bot_token, base_url=fake.base_url)
    ts = client.chat_postMessage(channel="C0MKTG01", text="Approve the plan?")["ts"]
    message = fake.messages("C0MKTG01")[0]
    assert bolt.block_action("approve", "yes", user_id="U0BEN02", channel_id="C0MKTG01", message=message).status == 200
    fake.wait_for_responses()
    assert fake.messages("C0MKTG01")[0]["text"] == "Approved by U0BEN02" and fake.messages("C0MKTG01")[0]["ts"] == ts


def test_bolt_view_submission_ack_with_errors(bolt: SlackSender) -> None:
    answer = bolt.view_submission("checkin", {"moved": {"text": "no"}}, user_id="U0ANNA01")
    assert answer.status == 200 and answer.json() == {"response_action": "errors", "errors": {"moved": "Too short"}}
    assert bolt.view_submission("checkin", {"moved": {"text": "plenty"}}, user_id="U0ANNA01").body == ""


def test_bolt_rejects_forged_and_stale_requests(fake: FakeSlack, bolt: SlackSender) -> None:
    assert bolt.command("/checkin", "x", forge=True).status == 401
    assert bolt.command("/checkin", "x", timestamp=time.time() - 301).status == 401
    assert bolt.url_verification("abc123").json() == {"challenge": "abc123"}
    time.sleep(0.05)  # nothing is posted for refused requests
    assert fake.responses() == []
