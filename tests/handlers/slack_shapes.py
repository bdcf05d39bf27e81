"""Requests Slack really sends that Alignbot does not use, written after the examples in Slack's API docs.

Each is (name, content type, body) with the ids of the tests' fake workspace (T0000001) and of an
Enterprise Grid org (E0000001). Events carry a fresh event id and time per call of shapes().
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

TEAM = "T0000001"
ENTERPRISE = "E0000001"
APP = "A0000001"
BOT_USER = "U0BOT0001"
_ids = itertools.count(1)


def _event(event: dict[str, Any], **envelope: Any) -> str:
    """An Events API envelope; `envelope` replaces or adds outer fields."""
    body = {
        "token": "XXYYZZ",
        "team_id": TEAM,
        "api_app_id": APP,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev0SHAPE{next(_ids):04d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }
    body.update(envelope)
    return json.dumps({k: v for k, v in body.items() if v is not _DROP})


def _org_wide(event: dict[str, Any], **envelope: Any) -> str:
    """An event of an org-wide (Enterprise Grid) install: enterprise_id and no team_id."""
    authorization = {
        "enterprise_id": ENTERPRISE,
        "team_id": None,
        "user_id": BOT_USER,
        "is_bot": True,
        "is_enterprise_install": True,
    }
    return _event(event, enterprise_id=ENTERPRISE, authorizations=[authorization], **envelope)


def _interaction(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


_DROP = object()
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

_FUNCTION = {
    "execution_id": "Fx0SHAPE0001",
    "function": {"callback_id": "approve_request"},
    "inputs": {"request": "New laptop"},
}
_INTERACTIVITY = {
    "interactor": {"id": "U0MEMB01", "secret": "c2VjcmV0"},
    "interactivity_pointer": "1234567890.1234567890.abcdef",
}
_VIEW = {
    "id": "V0SHAPE01",
    "team_id": TEAM,
    "type": "modal",
    "blocks": [],
    "private_metadata": "",
    "callback_id": "approve_request_modal",
    "state": {"values": {}},
    "hash": "1700000000.abcdef",
    "title": {"type": "plain_text", "text": "Approve"},
    "clear_on_close": False,
    "notify_on_close": True,
    "close": None,
    "submit": None,
    "previous_view_id": None,
    "root_view_id": "V0SHAPE01",
    "app_id": APP,
    "external_id": "",
    "app_installed_team_id": TEAM,
    "bot_id": "B0000001",
}


def org_uninstalled() -> tuple[str, str, str]:
    return "org-wide app_uninstalled", JSON, _org_wide({"type": "app_uninstalled"}, team_id=_DROP)


def org_tokens_revoked() -> tuple[str, str, str]:
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN1"], "bot": [BOT_USER]}}
    return "org-wide tokens_revoked", JSON, _org_wide(event, team_id=None)


def shapes() -> list[tuple[str, str, str]]:
    """Return the requests, fresh: the ones Alignbot ignores, then the org-wide uninstall and revocation."""
    interactions = [
        (
            "block_actions from a workflow function",
            {
                "type": "block_actions",
                "team": {"id": TEAM, "domain": "alignbot-demo"},
                "enterprise": {"id": ENTERPRISE, "name": "Acme"},
                "api_app_id": APP,
                "token": "XXYYZZ",
                "container": {
                    "type": "message",
                    "message_ts": "1700000000.000100",
                    "channel_id": "C0MKTG01",
                    "is_ephemeral": False,
                },
                "trigger_id": "1.2.3",
                "channel": {"id": "C0MKTG01", "name": "marketing"},
                "message": {"type": "message", "ts": "1700000000.000100", "text": "Approve?"},
                "state": {"values": {}},
                "function_data": _FUNCTION,
                "interactivity": _INTERACTIVITY,
                "bot_access_token": "xwfp-not-a-real-token",
                "actions": [
                    {
                        "action_id": "approve",
                        "block_id": "approval",
                        "type": "button",
                        "value": "yes",
                        "action_ts": "1700000001.000200",
                    }
                ],
            },
        ),
        (
            "view_submission from a workflow function",
            {
                "type": "view_submission",
                "team": {"id": TEAM, "domain": "alignbot-demo"},
                "enterprise": {"id": ENTERPRISE, "name": "Acme"},
                "api_app_id": APP,
                "token": "XXYYZZ",
                "view": _VIEW,
                "function_data": _FUNCTION,
                "interactivity": _INTERACTIVITY,
                "bot_access_token": "xwfp-not-a-real-token",
            },
        ),
        (
            "legacy dialog_submission",
            {
                "type": "dialog_submission",
                "token": "XXYYZZ",
                "action_ts": "1700000002.000300",
                "team": {"id": TEAM, "domain": "alignbot-demo"},
                "user": {"id": "U0MEMB01", "name": "mo"},
                "channel": {"id": "C0MKTG01", "name": "marketing"},
                "submission": {"loc_origin": "Lisbon"},
                "callback_id": "ride_request",
                "response_url": "https://hooks.slack.com/app/T0000001/1/x",
                "state": "Limo",
            },
        ),
        (
            "legacy dialog_cancellation",
            {
                "type": "dialog_cancellation",
                "token": "XXYYZZ",
                "action_ts": "1700000003.000400",
                "team": {"id": TEAM, "domain": "alignbot-demo"},
                "user": {"id": "U0MEMB01", "name": "mo"},
                "channel": {"id": "C0MKTG01", "name": "marketing"},
                "callback_id": "ride_request",
                "response_url": "https://hooks.slack.com/app/T0000001/2/x",
                "state": "Limo",
            },
        ),
        (
            "view_closed",
            {
                "type": "view_closed",
                "team": {"id": TEAM, "domain": "alignbot-demo"},
                "user": {"id": "U0MEMB01", "name": "mo"},
                "view": _VIEW,
                "api_app_id": APP,
                "token": "XXYYZZ",
                "is_cleared": False,
            },
        ),
        (
            "view_closed of an org-wide install",
            {
                "type": "view_closed",
                "team": None,
                "enterprise": {"id": ENTERPRISE, "name": "Acme"},
                "is_enterprise_install": True,
                "user": {"id": "U0MEMB01", "name": "mo", "team_id": TEAM},
                "view": _VIEW,
                "api_app_id": APP,
                "token": "XXYYZZ",
                "is_cleared": True,
            },
        ),
    ]
    team_access = {"team_ids": [TEAM, "T0000002"]}
    events = [
        ("org-wide team_access_granted", _org_wide({"type": "team_access_granted", **team_access}, team_id=None)),
        ("org-wide team_access_revoked", _org_wide({"type": "team_access_revoked", **team_access}, team_id=None)),
        # The docs' other rendering of the same two: the org-wide envelope nested in an outer one.
        (
            "nested team_access_granted",
            _event(
                {
                    "team_id": None,
                    "enterprise_id": ENTERPRISE,
                    "api_app_id": APP,
                    "event": {"type": "team_access_granted", **team_access},
                }
            ),
        ),
        (
            "nested team_access_revoked",
            _event(
                {
                    "team_id": None,
                    "enterprise_id": ENTERPRISE,
                    "api_app_id": APP,
                    "event": {"type": "team_access_revoked", **team_access},
                }
            ),
        ),
        ("event without a type", _event({"user": "U0MEMB01", "channel": "C0MKTG01", "event_ts": "1700000004.5"})),
    ]
    return (
        [(name, FORM, _interaction(payload)) for name, payload in interactions]
        + [(name, JSON, body) for name, body in events]
        + [org_uninstalled(), org_tokens_revoked()]
    )


NAMES = [name for name, _, _ in shapes()]
