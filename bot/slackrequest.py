"""Read Slack's request bodies as Slack writes them, and build Bolt's requests from them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context

JSON = "application/json"


def read_body(raw: str, content_type: str | None) -> Any:
    """Return what a body carries: its JSON, a form's `payload` field decoded, or the form's fields.

    Raise ValueError on JSON that does not parse.
    """
    # Bolt's own reading takes any form containing the word "payload" for an interaction and finds
    # nothing in it, so a slash command whose text said "payload" reached no listener.
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == JSON or raw.startswith("{"):
        return json.loads(raw)
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" in fields:
        return json.loads(fields["payload"])
    return fields


def bolt_request(
    raw: str,
    *,
    headers: dict[str, Any],
    query: str | dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> BoltRequest:
    """Build Bolt's request for a raw HTTP body (kept as is for its signature), read by `read_body`.

    Raise ValueError on JSON that does not parse.
    """
    request = BoltRequest(body="", query=query, headers=headers, context=context)
    body = read_body(raw, request.content_type)
    request.raw_body = raw
    request.body = body if isinstance(body, dict) else {}
    request.context = build_context(request.context, request.body)
    return request


def stored_body(request: BoltRequest) -> tuple[str, str]:
    """Return (content type, body) to store a request by, so that `bolt_request` reads it back."""
    if request.mode == "http":
        return (request.headers.get("content-type") or ["application/x-www-form-urlencoded"])[0], request.raw_body
    # Socket Mode gives Bolt the payload as an object, with no raw body.
    return JSON, json.dumps(request.body)
