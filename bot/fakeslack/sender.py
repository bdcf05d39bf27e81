"""Sign and send Slack's requests (commands, interactions, events) to an app over HTTP.

Bodies follow Slack's wire formats: slash commands are form-encoded fields,
interactivity is a form with one ``payload`` field holding JSON, events are a
JSON ``event_callback`` envelope. Every request carries ``X-Slack-Request-Timestamp``
and a v0 ``X-Slack-Signature``; keyword knobs forge either for negative tests:

    sender.command("/checkin", forge=True)                    # wrong signature
    sender.command("/checkin", timestamp=time.time() - 301)   # stale request
    sender.command("/checkin", signing_secret="other")        # another app's secret

Give ``response_urls=fake.response_url`` so response_url values point at a
running FakeSlack (which records and applies what the app posts there).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

_VERIFICATION_TOKEN = "fake-verification-token"  # deprecated by Slack, still sent


@dataclass
class Response:
    """What the app answered."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def sign(signing_secret: str, timestamp: str, body: str) -> str:
    """Return Slack's v0 signature of a request body."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    """POST Slack-shaped, signed requests to an app's events URL."""

    def __init__(
        self,
        url: str,
        signing_secret: str,
        team_id: str = "T0000001",
        *,
        team_domain: str = "alignbot-demo",
        api_app_id: str = "A0000001",
        bot_user_id: str = "U0BOT0001",
        response_urls: Callable[..., str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.response_urls = response_urls
        self.timeout = timeout
        self._seq = itertools.count(1)

    # ------------------------------------------------------------------
    # transport
    # ------------------------------------------------------------------

    def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        signing_secret: str | None = None,
        timestamp: float | str | None = None,
        forge: bool = False,
    ) -> Response:
        """Sign and POST a raw body; return the app's answer, whatever the status."""
        ts = str(int(float(timestamp))) if timestamp is not None else str(int(time.time()))
        secret = signing_secret if signing_secret is not None else self.signing_secret
        signature = sign(secret, ts, body)
        if forge:
            # Same shape, wrong digest: flip the last hex digit.
            signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": signature,
                "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return Response(answer.status, answer.read().decode("utf-8", "replace"), dict(answer.headers))
        except urllib.error.HTTPError as error:
            with error:  # a refusal (401, 404...) is an answer too
                return Response(error.code, error.read().decode("utf-8", "replace"), dict(error.headers))

    def _form(self, fields: dict[str, str], **signing: Any) -> Response:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **signing)

    def _json(self, payload: dict, headers: dict[str, str] | None = None, **signing: Any) -> Response:
        return self.post(json.dumps(payload), "application/json", headers, **signing)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def trigger_id(self) -> str:
        """Mint a trigger_id shaped like Slack's."""
        n = next(self._seq)
        return f"{n}.{int(time.time())}.{hashlib.md5(str(n).encode()).hexdigest()[:20]}"  # noqa: S324

    def _response_url(self, channel_id: str | None, message_ts: str | None = None) -> str:
        if self.response_urls is not None:
            return self.response_urls(channel=channel_id, message_ts=message_ts)
        return f"https://hooks.slack.com/commands/{self.team_id}/{next(self._seq)}/fake"

    def _user(self, user_id: str, user_name: str | None) -> dict:
        name = user_name or user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _team(self) -> dict:
        return {"id": self.team_id, "domain": self.team_domain}

    # ------------------------------------------------------------------
    # slash commands
    # ------------------------------------------------------------------

    def command(
        self,
        command: str = "/checkin",
        text: str = "",
        *,
        user_id: str = "U0000001",
        channel_id: str = "C0000001",
        user_name: str | None = None,
        channel_name: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **signing: Any,
    ) -> Response:
        """Send a slash command, form-encoded like Slack."""
        fields = {
            "token": _VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name or ("directmessage" if channel_id.startswith("D") else channel_id.lower()),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._response_url(channel_id),
            "trigger_id": trigger_id or self.trigger_id(),
        }
        return self._form(fields, **signing)

    # ------------------------------------------------------------------
    # interactivity
    # ------------------------------------------------------------------

    def action(self, payload: dict, **signing: Any) -> Response:
        """Send any interactivity payload as Slack does: form field ``payload`` holding JSON."""
        return self._form({"payload": json.dumps(payload)}, **signing)

    def block_action(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = "U0000001",
        user_name: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
        message: dict | None = None,
        view: dict | None = None,
        block_id: str | None = None,
        action_type: str = "button",
        extra: dict | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
        **signing: Any,
    ) -> Response:
        """Send a block_actions payload for one element on a message or in a view.

        ``extra`` merges into the action (e.g. ``{"selected_option": {...}}``).
        """
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id or f"b-{action_id}",
            "type": action_type,
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
        action.update(extra or {})
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id, user_name),
            "api_app_id": self.api_app_id,
            "token": _VERIFICATION_TOKEN,
            "trigger_id": trigger_id or self.trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
            "actions": [action],
        }
        if message is not None:
            message_ts = message_ts or message.get("ts")
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["state"] = view.get("state", {"values": {}})
        elif message_ts is not None:
            payload["message"] = message or {"type": "message", "ts": message_ts, "text": ""}
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
            payload["response_url"] = response_url or self._response_url(channel_id, message_ts)
        return self.action(payload, **signing)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        *,
        user_id: str = "U0000001",
        user_name: str | None = None,
        private_metadata: str = "",
        view_id: str | None = None,
        blocks: list | None = None,
        title: str = "Alignbot",
        external_id: str = "",
        hash: str | None = None,  # noqa: A002 - Slack's field name
        trigger_id: str | None = None,
        **signing: Any,
    ) -> Response:
        """Send a view_submission; ``values`` is ``{block_id: {action_id: value}}``.

        A value may be Slack's full state dict, a str (a text input's value) or
        a list of str (a multi-select's selected option values).
        """
        view_id = view_id or f"V{next(self._seq):08d}"
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id, user_name),
            "api_app_id": self.api_app_id,
            "token": _VERIFICATION_TOKEN,
            "trigger_id": trigger_id or self.trigger_id(),
            "view": {
                "id": view_id,
                "team_id": self.team_id,
                "type": "modal",
                "blocks": blocks or [],
                "private_metadata": private_metadata,
                "callback_id": callback_id,
                "state": {"values": _state_values(values)},
                "hash": hash or f"{int(time.time())}.fakehash",
                "title": {"type": "plain_text", "text": title},
                "clear_on_close": False,
                "notify_on_close": False,
                "close": None,
                "submit": {"type": "plain_text", "text": "Submit"},
                "previous_view_id": None,
                "root_view_id": view_id,
                "app_id": self.api_app_id,
                "external_id": external_id,
                "app_installed_team_id": self.team_id,
                "bot_id": "B0000001",
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.action(payload, **signing)

    # ------------------------------------------------------------------
    # Events API
    # ------------------------------------------------------------------

    def event(
        self,
        event: dict,
        *,
        event_id: str | None = None,
        event_time: int | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        **signing: Any,
    ) -> Response:
        """Send an event_callback envelope; retry_num adds Slack's retry headers."""
        now = int(time.time())
        event = {"event_ts": f"{time.time():.6f}", **event}
        envelope = {
            "token": _VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{now:010d}{next(self._seq):04d}",
            "event_time": event_time if event_time is not None else now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self._json(envelope, headers, **signing)

    def url_verification(self, challenge: str, **signing: Any) -> Response:
        """Send the handshake Slack makes when the events URL is saved."""
        return self._json({"token": _VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}, **signing)


def _state_values(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Expand shorthand values into Slack's view.state.values shape."""
    state: dict[str, dict[str, Any]] = {}
    for block_id, actions in values.items():
        state[block_id] = {}
        for action_id, value in actions.items():
            if isinstance(value, dict):
                state[block_id][action_id] = value
            elif isinstance(value, list):
                state[block_id][action_id] = {
                    "type": "multi_static_select",
                    "selected_options": [
                        {"text": {"type": "plain_text", "text": str(v), "emoji": True}, "value": str(v)} for v in value
                    ],
                }
            else:
                state[block_id][action_id] = {"type": "plain_text_input", "value": value}
    return state
