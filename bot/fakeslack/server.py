"""A fake Slack Web API served over real HTTP on loopback.

The app under test talks to it exactly as it talks to Slack: through slack_sdk's
WebClient with ``base_url=fake.base_url``. It simulates one workspace (team, bot,
users, channels, messages and threads, views, App Home, files), answers with
Slack's response shapes and error codes, validates Block Kit, lets tests inject
faults (429 with Retry-After, 5xx, ok:false errors, slow answers, a per-channel
rate limit, a per-workspace rate limit) and records every call.

Where Slack's behaviour is silently lenient the fake is stricter on purpose, so
bugs show up in tests rather than in production: a reply to an unknown
``thread_ts`` fails with ``thread_not_found`` instead of becoming an orphan.

A slow answer (``delay``) still takes effect after the client gives up, as a
real timed-out request may have: tests of idempotent retries rely on that.

FakeSlack is a Workspace (the state, in ``state``) with Faults (``faults``); it
answers the Web API methods of ``methods`` over the loopback server of ``http``
and records every call here.
"""

from __future__ import annotations

import base64
import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.fakeslack.faults import Faults
from bot.fakeslack.http import Server
from bot.fakeslack.methods import METHODS, NO_AUTH
from bot.fakeslack.state import SlackError, Workspace

# How long a test waits for the app's calls: they come at once unless the machine is loaded (CI runs
# the suite five times); a wait returns as soon as they are there.
PATIENCE = 30.0

__all__ = ["Call", "FakeSlack", "SlackError"]


@dataclass
class Call:
    """One Web API request as the fake saw and answered it."""

    method: str
    args: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float
    # The workspace whose token made the call (see workspace_token), else the fake's own team.
    team: str | None = None


class FakeSlack(Workspace, Faults):
    """Serve a fake Slack Web API for one workspace on loopback."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token_prefix: str = "xox",
        *,
        team_id: str = "T0000001",
        team_name: str = "Alignbot Demo",
        team_domain: str = "alignbot-demo",
    ) -> None:
        Workspace.__init__(self, token_prefix, team_id=team_id, team_name=team_name, team_domain=team_domain)
        Faults.__init__(self)
        self.host = host
        self.port = port
        self.token_prefix = token_prefix
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._revoked: set[str] = set()
        self._token_teams: dict[str, str] = {}
        self._calls: list[Call] = []

    # ------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Bind the port and serve in a background thread."""
        if self._server is not None:
            return self
        server = Server((self.host, self.port), self)
        self._server = server
        self.port = server.server_address[1]
        self._root_url = f"http://{self.host}:{self.port}"
        # A short poll interval keeps stop() fast in tests.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fakeslack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        self._root_url = None
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The Web API base URL to give ``WebClient(base_url=...)``."""
        return f"{self.root_url}/api/"

    # ------------------------------------------------------------------
    # tokens
    # ------------------------------------------------------------------

    def workspace_token(self, team_id: str) -> str:
        """Return a bot token that auth.test says belongs to workspace `team_id` (a second install)."""
        token = f"{self.token_prefix}b-{team_id}-fake-bot-token"
        with self._lock:
            self._token_teams[token] = team_id
        return token

    def revoke_token(self, token: str) -> None:
        """Make a token answer ``token_revoked`` from now on."""
        with self._lock:
            self._revoked.add(token)

    # ------------------------------------------------------------------
    # recordings
    # ------------------------------------------------------------------

    @property
    def rejected(self) -> int:
        """Return how many calls were answered 429."""
        with self._lock:
            return sum(1 for c in self._calls if c.status == 429)

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = PATIENCE) -> list[Call]:
        """Block until ``count`` calls to method arrived; return them or raise TimeoutError."""
        if not self._wait(lambda: len(self.calls_to(method)) >= count, timeout):
            seen = sorted({c.method for c in self.calls})
            raise TimeoutError(f"{len(self.calls_to(method))} of {count} {method} calls after {timeout}s; saw {seen}")
        return self.calls_to(method)

    def wait_for_responses(self, count: int = 1, timeout: float = PATIENCE) -> list[dict]:
        """Block until ``count`` response_url posts arrived; return them or raise TimeoutError."""
        if not self._wait(lambda: len(self._responses) >= count, timeout):
            raise TimeoutError(f"{len(self._responses)} of {count} response_url posts after {timeout}s")
        return self.responses()

    def _wait(self, ready: Callable[[], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(ready, timeout=timeout)

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    # ------------------------------------------------------------------
    # request handling (called from server threads)
    # ------------------------------------------------------------------

    def handle_api(self, method: str, args: dict, authorization: str | None) -> tuple[int, dict, dict]:
        """Answer one Web API call: (HTTP status, extra headers, JSON body)."""
        delay = self._take(self._delays, method)
        if delay is not None:
            time.sleep(delay.seconds)  # outside the lock: other calls keep flowing

        token = args.pop("token", None)
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        elif authorization and authorization.lower().startswith("basic "):
            self._read_basic_auth(authorization, args)

        status, headers, body = self._answer(method, args, token)
        team = self._token_teams.get(token or "", self.team_id)
        if method == "auth.test" and body.get("ok") and token in self._token_teams:
            body = {**body, "team_id": team}
        self._record(Call(method, copy.deepcopy(args), status, copy.deepcopy(body), time.time(), team))
        return status, headers, body

    def _answer(self, method: str, args: dict, token: str | None) -> tuple[int, dict, dict]:
        fault = self._take(self._faults, method)
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, headers, {"ok": False, "error": fault.error}
        handler = METHODS.get(method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method", "req_method": method}
        if method not in NO_AUTH:
            error = self._auth_error(token)
            if error:
                return 200, {}, {"ok": False, "error": error}
        wait = self._rate_wait(method, args, self._token_teams.get(token or "", self.team_id))
        if wait is not None:
            return 429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"}
        try:
            with self._lock:
                body = handler(self, args)
        except SlackError as exc:
            return 200, {}, {"ok": False, "error": exc.error, **exc.extra}
        with self._changed:
            self._changed.notify_all()
        return 200, {}, {"ok": True, **body}

    def _auth_error(self, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        if token in self._revoked:
            return "token_revoked"
        if not token.startswith(self.token_prefix):
            return "invalid_auth"
        return None

    @staticmethod
    def _read_basic_auth(authorization: str, args: dict) -> None:
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode()
        except ValueError:
            return
        client_id, _, client_secret = decoded.partition(":")
        args.setdefault("client_id", client_id)
        args.setdefault("client_secret", client_secret)
