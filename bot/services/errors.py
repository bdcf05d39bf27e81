"""Domain errors: what a service refuses, in words the handler can show as they are."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

INVITE_HINT = "invite me with `/invite @Alignbot` in that channel, then run the command again"

# Slack error codes a person can do something about, in plain words.
SLACK_PROBLEMS = {
    "not_in_channel": "I'm not in that channel: " + INVITE_HINT + ".",
    "channel_not_found": "I can't see that channel. If it is private, " + INVITE_HINT + ".",
    "is_archived": "That channel is archived; use a channel that is still in use.",
    "missing_scope": "Alignbot is missing a Slack permission for this; ask a workspace admin to reinstall the app.",
    "method_not_supported_for_channel_type": "This only works in a channel, not in a direct or group message.",
    "not_authed": "Alignbot is not connected to this workspace any more; ask an admin to reinstall it.",
    "invalid_auth": "Alignbot is not connected to this workspace any more; ask an admin to reinstall it.",
    "token_revoked": "Alignbot's access to this workspace was revoked; ask an admin to reinstall it.",
    "account_inactive": "Alignbot's access to this workspace was revoked; ask an admin to reinstall it.",
}


class UserError(Exception):
    """A request a person made that cannot be done; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(UserError):
    """The person may not do this; the message says who may."""


class NotFound(UserError):
    """What the person named does not exist."""


class CheckinError(UserError):
    """Something the person must fix; the message says what, in one line."""


class Repeated(UserError):
    """The same request (a replayed command or form) was already done."""

    def __init__(self) -> None:
        super().__init__("Already done: that request reached me twice.")


def once_key(kind: str, slack_id: str | None) -> str | None:
    """Return the key that makes a request Slack sent once (a trigger or a view id) be done once."""
    return f"{kind}:{slack_id}"[:64] if slack_id else None


def slack_problem(error: SlackApiError) -> UserError:
    """Turn a Slack API error into a UserError in plain words (the code stays in the message)."""
    code = str(error.response.get("error", "unknown_error"))
    words = SLACK_PROBLEMS.get(code, f"Slack refused the request ({code}). Please try again in a moment.")
    return UserError(words)
