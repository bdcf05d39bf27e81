"""The one error handler: log with the traceback, tell the user briefly where we can."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

logger = logging.getLogger(__name__)


def handle_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse:
    """Log an error a listener raised; tell the person briefly, where there is someone to tell."""
    kind = body.get("command") or body.get("type") or (body.get("event") or {}).get("type") or "request"
    logger.exception("unhandled error in %s listener", kind, exc_info=error)
    if body.get("response_url"):
        respond(
            text=":warning: Something went wrong on our side; it has been logged. Please try again.",
            response_type="ephemeral",
        )
    return BoltResponse(status=500, body="")


def register(app: App) -> None:
    """Attach the global error handler."""
    app.error(handle_error)
