"""Logging set-up, with a filter that keeps Slack tokens out of every log line."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]+")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a Slack token with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg = _TOKEN.sub("[redacted-token]", message)
            record.args = None
        return True


def configure(level: str) -> None:
    """Send logs to stderr at `level`, tokens redacted."""
    handler = logging.StreamHandler()
    handler.set_name("alignbot")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    # Replace only our own handler, so calling this twice (or under pytest) stacks nothing.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "alignbot"] + [handler]
    root.setLevel(level)
    # Alembic says "Context impl SQLiteImpl", "Will assume transactional DDL"... on every start: debug detail.
    logging.getLogger("alembic").setLevel(logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING)
