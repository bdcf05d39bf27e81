"""A fake Slack for tests and the demo: Web API server, Block Kit checks, request sender."""

from bot.fakeslack.blockkit import validate, validate_message, validate_view
from bot.fakeslack.sender import Response, SlackSender, sign
from bot.fakeslack.server import Call, FakeSlack, SlackError

__all__ = [
    "Call",
    "FakeSlack",
    "Response",
    "SlackError",
    "SlackSender",
    "sign",
    "validate",
    "validate_message",
    "validate_view",
]
