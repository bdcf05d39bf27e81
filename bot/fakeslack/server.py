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
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.fakeslack import blockkit

# Arguments Slack accepts as JSON text in form bodies; decoded so handlers and
# recorded calls see the same shape whether the client sent form or JSON.
_JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")
# Methods that answer without a token.
_NO_AUTH = ("api.test", "oauth.v2.access")
_BASE_TS_MICROS = 1_700_000_000_000_100


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


@dataclass
class _Fault:
    method: str
    times: int | None  # None: until cleared
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0

    def matches(self, method: str) -> bool:
        return self.method in (method, "*")


@dataclass
class _Bucket:
    tokens: float
    updated: float = field(default_factory=time.monotonic)


class SlackError(Exception):
    """Raise from a handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _flag(value: Any) -> bool:
    """Read a boolean the way Slack does from JSON or form values."""
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        kind, _, offset = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        if kind != "offset":
            raise ValueError(cursor)
        return int(offset)
    except ValueError as exc:
        raise SlackError("invalid_cursor") from exc


def _page(items: list, args: dict, default_limit: int) -> tuple[list, str]:
    """Slice items by Slack's cursor/limit arguments; return the page and next cursor."""
    try:
        limit = int(args.get("limit") or default_limit)
    except (TypeError, ValueError) as exc:
        raise SlackError("invalid_limit") from exc
    if limit <= 0:
        limit = default_limit
    start = _decode_cursor(args["cursor"]) if args.get("cursor") else 0
    end = start + limit
    return items[start:end], (_encode_cursor(end) if end < len(items) else "")


def _tz_offset(tz: str) -> int:
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):  # an odd zone name must not break add_user
        return 0
    return int(offset.total_seconds()) if offset else 0


class FakeSlack:
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
        self.host = host
        self.port = port
        self.token_prefix = token_prefix
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.app_id = "A0000001"
        self.bot_id = "B0000001"
        self.bot_user_id = "U0BOT0001"
        self.bot_name = "alignbot"
        self.bot_token = f"{token_prefix}b-0000001-fake-bot-token"
        self.scopes = (
            "commands,chat:write,chat:write.public,channels:read,channels:join,groups:read,"
            "im:write,users:read,files:write,app_mentions:read,channels:history,im:history"
        )
        # Without chat:write.public a bot must join a public channel to post in it.
        self.chat_write_public = False

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._ts_counter = itertools.count()

        self._users: dict[str, dict] = {}
        self._channels: dict[str, dict] = {}
        self._messages: dict[str, list[dict]] = {}
        self._ephemerals: list[dict] = []
        self._scheduled: list[dict] = []
        self._views: dict[str, dict] = {}
        self._modal_stack: list[str] = []
        self._home: dict[str, dict] = {}
        self._files: dict[str, dict] = {}
        self._response_urls: dict[str, dict] = {}
        self._responses: list[dict] = []
        self._revoked: set[str] = set()
        self._token_teams: dict[str, str] = {}
        self._calls: list[Call] = []
        self._faults: list[_Fault] = []
        self._delays: list[_Fault] = []
        self._rate: float | None = None
        self._rate_burst = 1
        self._rate_methods: tuple[str, ...] = ()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._team_rate: float | None = None
        self._team_burst = 1.0
        self._team_methods: tuple[str, ...] = ()

        self.add_user(self.bot_user_id, self.bot_name, is_bot=True)
        self._methods: dict[str, Callable[[dict], dict]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "bots.info": self._bots_info,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.postMessage": self._chat_post_message,
            "chat.scheduleMessage": self._chat_schedule_message,
            "chat.update": self._chat_update,
            "conversations.history": self._conversations_history,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.members": self._conversations_members,
            "conversations.open": self._conversations_open,
            "conversations.replies": self._conversations_replies,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "oauth.v2.access": self._oauth_v2_access,
            "team.info": self._team_info,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "views.open": self._views_open,
            "views.publish": self._views_publish,
            "views.push": self._views_push,
            "views.update": self._views_update,
        }

    # ------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Bind the port and serve in a background thread."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.fake = self
        self._server = server
        self.port = server.server_address[1]
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
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The Web API base URL to give ``WebClient(base_url=...)``."""
        return f"{self.root_url}/api/"

    # ------------------------------------------------------------------
    # workspace set-up
    # ------------------------------------------------------------------

    def add_user(
        self,
        id: str,
        name: str | None = None,
        *,
        real_name: str | None = None,
        email: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        tz: str = "UTC",
        is_bot: bool = False,
        deleted: bool = False,
    ) -> dict:
        """Add (or replace) a workspace member; return its users.info shape."""
        name = name or id.lower()
        real_name = real_name or name.replace(".", " ").title()
        user = {
            "id": id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": _tz_offset(tz),
            "is_admin": is_admin or is_owner,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": name,
                "display_name_normalized": name,
                "email": email or f"{name}@{self.team_domain}.example",
                "team": self.team_id,
            },
        }
        if is_bot:
            user["profile"]["bot_id"] = self.bot_id if id == self.bot_user_id else f"B{id[1:]}"
        with self._lock:
            self._users[id] = user
            return copy.deepcopy(user)

    def add_channel(
        self,
        id: str,
        name: str,
        members: Iterable[str] = (),
        *,
        is_member: bool = True,
        is_archived: bool = False,
        is_private: bool = False,
        topic: str = "",
        purpose: str = "",
    ) -> dict:
        """Add (or replace) a channel; ``is_member`` says whether the bot is in it."""
        with self._lock:
            channel = {
                "id": id,
                "name": name,
                "members": list(dict.fromkeys(members)),
                "is_member": is_member,
                "is_archived": is_archived,
                "is_private": is_private,
                "is_im": False,
                "is_mpim": False,
                "user": None,
                "created": int(time.time()),
                "topic": topic,
                "purpose": purpose,
            }
            self._set_bot_membership(channel, is_member)
            self._channels[id] = channel
            self._messages.setdefault(id, [])
            return self._channel_info(channel)

    def update_channel(self, id: str, **changes: Any) -> None:
        """Change a channel's flags (is_archived, is_member, is_private, name, members)."""
        with self._lock:
            channel = self._channels[id]
            for key, value in changes.items():
                if key not in ("is_archived", "is_member", "is_private", "name", "members", "topic", "purpose"):
                    raise KeyError(key)
                channel[key] = list(value) if key == "members" else value
            self._set_bot_membership(channel, channel["is_member"])

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

    def post_user_message(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> str:
        """Store a message written by a person (no API call); return its ts."""
        with self._lock:
            ch = self._resolve(channel, open_im=True)
            if ch is None:
                raise KeyError(channel)
            message = self._store_message(ch, {"text": text}, thread_ts=thread_ts, user=user, bot=False)
            return message["ts"]

    def response_url(self, channel: str | None = None, message_ts: str | None = None) -> str:
        """Mint a response_url on this server; with channel/ts it can post or edit there."""
        with self._lock:
            rid = f"R{next(self._ids):08d}"
            self._response_urls[rid] = {"channel": channel, "message_ts": message_ts}
        return f"{self.root_url}/response/{rid}"

    # ------------------------------------------------------------------
    # fault injection
    # ------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int | None = None,
        *,
        error: str | None = None,
        retry_after: int = 1,
        times: int | None = 1,
    ) -> None:
        """Make the next ``times`` calls to method ("*" for any) fail.

        With ``error`` alone the answer is HTTP 200 ``ok: false``; with no
        arguments it is HTTP 429 with Retry-After; any other status is sent as is.
        ``times=None`` fails until ``clear_faults()``.
        """
        if status is None:
            status = 200 if error else 429
        if status == 429:
            error = error or "ratelimited"
        elif status >= 500:
            error = error or "internal_error"
        else:
            error = error or "fatal_error"
        with self._lock:
            self._faults.append(
                _Fault(
                    method,
                    times,
                    status=status,
                    error=error,
                    retry_after=retry_after if status == 429 else None,
                )
            )

    def delay(self, method: str, seconds: float, times: int | None = 1) -> None:
        """Hold the next ``times`` answers to method for ``seconds`` (for client timeouts)."""
        with self._lock:
            self._delays.append(_Fault(method, times, seconds=seconds))

    def rate_limit(
        self,
        per_channel_per_second: float | None = 1.0,
        *,
        burst: int = 1,
        methods: Iterable[str] = ("chat.postMessage",),
    ) -> None:
        """Answer 429 when a channel gets more than the rate (None turns it off).

        A token bucket per (method, channel): ``burst`` calls may go at once,
        then one per 1/rate seconds, like Slack's message posting limit.
        """
        with self._lock:
            self._rate = per_channel_per_second
            self._rate_burst = max(1, burst)
            self._rate_methods = tuple(methods)
            self._buckets.clear()

    def workspace_rate_limit(
        self,
        per_second: float | None,
        *,
        burst: float | None = None,
        methods: Iterable[str] = ("chat.postMessage",),
    ) -> None:
        """Answer 429 when a workspace (told by its token) calls more than the rate (None turns it off).

        A token bucket per (method, workspace), on top of the per-channel limit:
        ``burst`` calls may go at once (default one second's worth, at least one),
        then one per 1/rate seconds. Refused calls are counted by ``rejected``.
        """
        with self._lock:
            self._team_rate = per_second
            self._team_burst = max(1.0, burst if burst is not None else per_second or 1.0)
            self._team_methods = tuple(methods)
            self._buckets = {k: b for k, b in self._buckets.items() if not k[1].startswith("team:")}

    @property
    def rejected(self) -> int:
        """Return how many calls were answered 429."""
        with self._lock:
            return sum(1 for c in self._calls if c.status == 429)

    def clear_faults(self) -> None:
        """Drop all injected failures, delays and the rate limits."""
        with self._lock:
            self._faults.clear()
            self._delays.clear()
            self._rate = None
            self._team_rate = None
            self._buckets.clear()

    # ------------------------------------------------------------------
    # recordings
    # ------------------------------------------------------------------

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

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to method arrived; return them or raise TimeoutError."""
        if not self._wait(lambda: len(self.calls_to(method)) >= count, timeout):
            seen = sorted({c.method for c in self.calls})
            raise TimeoutError(
                f"{len(self.calls_to(method))} of {count} {method} calls after {timeout}s; saw {seen}"
            )
        return self.calls_to(method)

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[dict]:
        """Block until ``count`` response_url posts arrived; return them or raise TimeoutError."""
        if not self._wait(lambda: len(self._responses) >= count, timeout):
            raise TimeoutError(f"{len(self._responses)} of {count} response_url posts after {timeout}s")
        return self.responses()

    def messages(self, channel: str) -> list[dict]:
        """Messages in a channel (id, name, or user id for the DM), oldest first, replies included."""
        with self._lock:
            ch = self._resolve(channel, open_im=False)
            return copy.deepcopy(self._messages.get(ch["id"], [])) if ch else []

    def thread(self, channel: str, ts: str) -> list[dict]:
        """A thread's parent and replies, oldest first."""
        return [m for m in self.messages(channel) if m["ts"] == ts or m.get("thread_ts") == ts]

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[dict]:
        with self._lock:
            ch = self._resolve(channel, open_im=False) if channel else None
            return [
                copy.deepcopy(e)
                for e in self._ephemerals
                if (channel is None or (ch is not None and e["channel"] == ch["id"]))
                and (user is None or e["user"] == user)
            ]

    def scheduled(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._scheduled)

    def responses(self) -> list[dict]:
        """Everything POSTed to minted response_urls: {id, url, body, at}."""
        with self._lock:
            return copy.deepcopy(self._responses)

    def reset_responses(self) -> None:
        with self._lock:
            self._responses.clear()

    def view(self, view_id: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def views(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(list(self._views.values()))

    def home(self, user_id: str) -> dict | None:
        """The App Home view last published for a user."""
        with self._lock:
            return copy.deepcopy(self._home.get(user_id))

    def files(self) -> list[dict]:
        """Uploaded files, each with its ``content`` bytes."""
        with self._lock:
            return copy.deepcopy(list(self._files.values()))

    def channel(self, channel: str) -> dict | None:
        with self._lock:
            ch = self._resolve(channel, open_im=False)
            return copy.deepcopy(ch) if ch else None

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
        handler = self._methods.get(method)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method", "req_method": method}
        if method not in _NO_AUTH:
            error = self._auth_error(token)
            if error:
                return 200, {}, {"ok": False, "error": error}
        wait = self._rate_wait(method, args, self._token_teams.get(token or "", self.team_id))
        if wait is not None:
            return 429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"}
        try:
            with self._lock:
                body = handler(args)
        except SlackError as exc:
            return 200, {}, {"ok": False, "error": exc.error, **exc.extra}
        with self._changed:
            self._changed.notify_all()
        return 200, {}, {"ok": True, **body}

    def _take(self, faults: list[_Fault], method: str) -> _Fault | None:
        with self._lock:
            for fault in faults:
                if fault.matches(method):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            faults.remove(fault)
                    return fault
        return None

    def _auth_error(self, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        if token in self._revoked:
            return "token_revoked"
        if not token.startswith(self.token_prefix):
            return "invalid_auth"
        return None

    def _rate_wait(self, method: str, args: dict, team: str) -> int | None:
        """Return whole seconds to wait if this call exceeds the channel's or the workspace's rate, else None."""
        with self._lock:
            now = time.monotonic()
            limits = []
            if self._rate is not None and method in self._rate_methods:
                limits.append(((method, str(args.get("channel", ""))), self._rate, float(self._rate_burst)))
            if self._team_rate is not None and method in self._team_methods:
                limits.append(((method, "team:" + team), self._team_rate, self._team_burst))
            waits = []
            for key, rate, burst in limits:
                bucket = self._buckets.setdefault(key, _Bucket(tokens=burst, updated=now))
                bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
                bucket.updated = now
                waits.append((1 - bucket.tokens) / rate)
            if all(wait <= 0 for wait in waits):
                for key, _, _ in limits:  # a call refused by one limit takes no token from another
                    self._buckets[key].tokens -= 1
                return None
            return max(1, math.ceil(max(waits)))

    @staticmethod
    def _read_basic_auth(authorization: str, args: dict) -> None:
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode()
        except ValueError:
            return
        client_id, _, client_secret = decoded.partition(":")
        args.setdefault("client_id", client_id)
        args.setdefault("client_secret", client_secret)

    def handle_upload(self, file_id: str, content: bytes) -> bool:
        """Store bytes posted to an upload_url; False when the file id is unknown."""
        with self._changed:
            file = self._files.get(file_id)
            if file is None:
                return False
            file["content"] = content
            file["size"] = len(content)
            file["uploaded"] = True
            self._changed.notify_all()
            return True

    def handle_response_url(self, rid: str, body: Any) -> bool:
        """Record a post to a minted response_url and apply it; False when unknown."""
        with self._changed:
            target = self._response_urls.get(rid)
            if target is None:
                return False
            self._responses.append(
                {"id": rid, "url": f"{self.root_url}/response/{rid}", "body": body, "at": time.time()}
            )
            if isinstance(body, dict):
                self._apply_response(target, body)
            self._changed.notify_all()
            return True

    def _apply_response(self, target: dict, body: dict) -> None:
        """Do what Slack does with a response_url payload, when we know where it points."""
        ch = self._channels.get(target["channel"] or "")
        if ch is None:
            return
        ts = target["message_ts"]
        original = self._find_message(ch["id"], ts) if ts else None
        if _flag(body.get("delete_original")) and original is not None:
            self._messages[ch["id"]].remove(original)
        elif _flag(body.get("replace_original")) and original is not None:
            for key in ("text", "blocks", "attachments"):
                if key in body:
                    original[key] = body[key]
        elif body.get("response_type") == "in_channel":
            content = {k: body[k] for k in ("text", "blocks", "attachments") if k in body}
            self._store_message(ch, content, thread_ts=body.get("thread_ts"), user=self.bot_user_id, bot=True)

    # ------------------------------------------------------------------
    # state helpers (call with the lock held)
    # ------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = _BASE_TS_MICROS + 100 * next(self._ts_counter)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _set_bot_membership(self, channel: dict, is_member: bool) -> None:
        members = channel["members"]
        if is_member and self.bot_user_id not in members:
            members.append(self.bot_user_id)
        elif not is_member and self.bot_user_id in members:
            members.remove(self.bot_user_id)

    def _resolve(self, ref: Any, *, open_im: bool) -> dict | None:
        """Find a conversation by id, #name or user id (the bot's DM with that user)."""
        if not isinstance(ref, str) or not ref:
            return None
        if ref in self._channels:
            return self._channels[ref]
        name = ref.lstrip("#")
        for ch in self._channels.values():
            if ch["name"] == name and not ch["is_im"]:
                return ch
        if ref in self._users:
            for ch in self._channels.values():
                if ch["is_im"] and ch["user"] == ref:
                    return ch
            return self._open_im(ref) if open_im else None
        return None

    def _open_im(self, user_id: str) -> dict:
        channel_id = "D" + user_id[1:]
        channel = {
            "id": channel_id,
            "name": "",
            "members": [user_id, self.bot_user_id],
            "is_member": True,
            "is_archived": False,
            "is_private": True,
            "is_im": True,
            "is_mpim": False,
            "user": user_id,
            "created": int(time.time()),
            "topic": "",
            "purpose": "",
        }
        self._channels[channel_id] = channel
        self._messages.setdefault(channel_id, [])
        return channel

    def _channel_info(self, ch: dict) -> dict:
        if ch["is_im"]:
            return {
                "id": ch["id"],
                "created": ch["created"],
                "is_im": True,
                "is_org_shared": False,
                "user": ch["user"],
                "is_user_deleted": bool(self._users.get(ch["user"], {}).get("deleted")),
                "priority": 0,
            }
        return {
            "id": ch["id"],
            "name": ch["name"],
            "name_normalized": ch["name"],
            "is_channel": not ch["is_private"] and not ch["is_mpim"],
            "is_group": ch["is_private"] and not ch["is_mpim"],
            "is_im": False,
            "is_mpim": ch["is_mpim"],
            "is_private": ch["is_private"],
            "is_archived": ch["is_archived"],
            "is_general": ch["name"] == "general",
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": ch["is_member"],
            "created": ch["created"],
            "creator": "",
            "context_team_id": self.team_id,
            "num_members": len(ch["members"]),
            "topic": {"value": ch["topic"], "creator": "", "last_set": 0},
            "purpose": {"value": ch["purpose"], "creator": "", "last_set": 0},
        }

    def _visible(self, ref: Any) -> dict:
        """Return a conversation the bot can see, or raise channel_not_found."""
        ch = self._resolve(ref, open_im=False)
        # Slack hides private channels the bot is not in as if they did not exist.
        if ch is None or (ch["is_private"] and not ch["is_member"]):
            raise SlackError("channel_not_found")
        return ch

    def _postable(self, ref: Any) -> dict:
        """Return a conversation the bot may post in, or raise Slack's error."""
        ch = self._resolve(ref, open_im=True)
        if ch is None or (ch["is_private"] and not ch["is_member"]):
            raise SlackError("channel_not_found")
        if ch["is_archived"]:
            raise SlackError("is_archived")
        if not ch["is_member"] and not self.chat_write_public:
            raise SlackError("not_in_channel")
        return ch

    def _find_message(self, channel_id: str, ts: Any) -> dict | None:
        for message in self._messages.get(channel_id, []):
            if message["ts"] == ts:
                return message
        return None

    def _content(self, args: dict, *, require: bool = True) -> dict:
        """Validate text/blocks/attachments of a message; return the stored fields."""
        text, blocks, attachments = args.get("text"), args.get("blocks"), args.get("attachments")
        if blocks is not None and not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        if attachments is not None and not isinstance(attachments, list):
            raise SlackError("invalid_attachments")
        if require and not text and not blocks and not attachments:
            raise SlackError("no_text")
        if isinstance(text, str) and len(text) > blockkit.MESSAGE_TEXT_LIMIT:
            raise SlackError("msg_too_long")
        if blocks:
            errors = blockkit.validate(blocks, "message")
            if errors:
                raise SlackError("invalid_blocks", errors=errors, response_metadata={"messages": errors})
        content: dict[str, Any] = {"text": text or ""}
        if blocks is not None:
            content["blocks"] = blocks
        if attachments is not None:
            content["attachments"] = attachments
        if args.get("metadata") is not None:
            content["metadata"] = args["metadata"]
        return content

    def _store_message(
        self, ch: dict, content: dict, *, thread_ts: Any, user: str, bot: bool, broadcast: bool = False
    ) -> dict:
        parent = None
        if thread_ts:
            parent = self._find_message(ch["id"], thread_ts)
            if parent is None:
                raise SlackError("thread_not_found")
            # Replying to a reply lands in the same thread, as in Slack.
            if parent.get("thread_ts") and parent["thread_ts"] != parent["ts"]:
                parent = self._find_message(ch["id"], parent["thread_ts"]) or parent
        message: dict[str, Any] = {
            "type": "message",
            **content,
            "user": user,
            "ts": self._next_ts(),
            "team": self.team_id,
        }
        if bot:
            message.update({"bot_id": self.bot_id, "app_id": self.app_id})
        if parent is not None:
            message["thread_ts"] = parent["ts"]
            if broadcast:
                message["subtype"] = "thread_broadcast"
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            reply_users = parent.setdefault("reply_users", [])
            if user not in reply_users:
                reply_users.append(user)
            parent["reply_users_count"] = len(reply_users)
            parent["latest_reply"] = message["ts"]
        self._messages.setdefault(ch["id"], []).append(message)
        return message

    def _view_errors(self, view: Any) -> None:
        if not isinstance(view, dict):
            raise SlackError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]}
            )
        errors = blockkit.validate_view(view)
        if errors:
            raise SlackError(
                "invalid_arguments", response_metadata={"messages": [f"[ERROR] {e}" for e in errors]}
            )

    def _make_view(self, payload: dict, *, root_view_id: str | None = None, previous: str | None = None) -> dict:
        view_id = self._new_id("V")
        view = {
            "id": view_id,
            "team_id": self.team_id,
            "type": payload["type"],
            "title": payload.get("title"),
            "submit": payload.get("submit"),
            "close": payload.get("close"),
            "blocks": payload.get("blocks", []),
            "private_metadata": payload.get("private_metadata", ""),
            "callback_id": payload.get("callback_id", ""),
            "external_id": payload.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{self._new_id('h')}",
            "clear_on_close": _flag(payload.get("clear_on_close", False)),
            "notify_on_close": _flag(payload.get("notify_on_close", False)),
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self._views[view_id] = view
        return view

    def _require(self, args: dict, *names: str) -> None:
        missing = [n for n in names if args.get(n) in (None, "")]
        if missing:
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] missing required field: {n}" for n in missing]},
            )

    # ------------------------------------------------------------------
    # method handlers (called with the lock held; return the body without "ok")
    # ------------------------------------------------------------------

    def _api_test(self, args: dict) -> dict:
        if args.get("error"):
            raise SlackError(str(args["error"]), args=args)
        return {"args": args}

    def _auth_test(self, args: dict) -> dict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _bots_info(self, args: dict) -> dict:
        if args.get("bot") not in (None, "", self.bot_id):
            raise SlackError("bot_not_found")
        return {
            "bot": {
                "id": self.bot_id,
                "deleted": False,
                "name": self.bot_name,
                "updated": int(time.time()),
                "app_id": self.app_id,
                "user_id": self.bot_user_id,
                "icons": {"image_36": "", "image_48": "", "image_72": ""},
            }
        }

    def _team_info(self, args: dict) -> dict:
        if args.get("team") not in (None, "", self.team_id):
            raise SlackError("team_not_found")
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "domain": self.team_domain,
                "email_domain": "",
                "icon": {"image_default": True},
                "enterprise_id": None,
            }
        }

    def _oauth_v2_access(self, args: dict) -> dict:
        if not args.get("client_id"):
            raise SlackError("invalid_client_id")
        if not args.get("code"):
            raise SlackError("invalid_code")
        installer = next(
            (u["id"] for u in self._users.values() if not u["is_bot"] and u["is_admin"]),
            next((u["id"] for u in self._users.values() if not u["is_bot"]), "U0INSTALL1"),
        )
        return {
            "app_id": self.app_id,
            "authed_user": {"id": installer},
            "scope": self.scopes,
            "token_type": "bot",
            "access_token": self.bot_token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": self.team_id, "name": self.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict) -> dict:
        if not args.get("channel"):
            raise SlackError("channel_not_found")
        ch = self._postable(args["channel"])
        content = self._content(args)
        message = self._store_message(
            ch,
            content,
            thread_ts=args.get("thread_ts"),
            user=self.bot_user_id,
            bot=True,
            broadcast=_flag(args.get("reply_broadcast")),
        )
        return {"channel": ch["id"], "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_post_ephemeral(self, args: dict) -> dict:
        if not args.get("channel"):
            raise SlackError("channel_not_found")
        ch = self._postable(args["channel"])
        user = args.get("user")
        if user not in self._users:
            raise SlackError("user_not_found")
        if user not in ch["members"]:
            raise SlackError("user_not_in_channel")
        content = self._content(args)
        ts = self._next_ts()
        self._ephemerals.append(
            {"channel": ch["id"], "user": user, "message_ts": ts, "thread_ts": args.get("thread_ts"), **content}
        )
        return {"message_ts": ts}

    def _chat_update(self, args: dict) -> dict:
        ch = self._visible(args.get("channel"))
        message = self._find_message(ch["id"], args.get("ts"))
        if message is None:
            raise SlackError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        if ch["is_archived"]:
            raise SlackError("is_archived")
        content = self._content(args)
        if "blocks" not in content and "blocks" in args:
            message.pop("blocks", None)
        message.update(content)
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"channel": ch["id"], "ts": message["ts"], "text": message["text"], "message": copy.deepcopy(message)}

    def _chat_delete(self, args: dict) -> dict:
        ch = self._visible(args.get("channel"))
        message = self._find_message(ch["id"], args.get("ts"))
        if message is None:
            raise SlackError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_delete_message")
        self._messages[ch["id"]].remove(message)
        return {"channel": ch["id"], "ts": message["ts"]}

    def _chat_get_permalink(self, args: dict) -> dict:
        ch = self._visible(args.get("channel"))
        message = self._find_message(ch["id"], args.get("message_ts"))
        if message is None:
            raise SlackError("message_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{ch['id']}/p{message['ts'].replace('.', '')}"
        if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
            link += f"?thread_ts={message['thread_ts']}&cid={ch['id']}"
        return {"channel": ch["id"], "permalink": link}

    def _chat_schedule_message(self, args: dict) -> dict:
        if not args.get("channel"):
            raise SlackError("channel_not_found")
        try:
            post_at = int(float(args.get("post_at")))
        except (TypeError, ValueError) as exc:
            raise SlackError("invalid_time") from exc
        now = time.time()
        if post_at <= now:
            raise SlackError("time_in_past")
        if post_at > now + 120 * 86400:
            raise SlackError("time_too_far")
        ch = self._postable(args["channel"])
        content = self._content(args)
        scheduled = {
            "id": self._new_id("Q"),
            "channel_id": ch["id"],
            "post_at": post_at,
            "date_created": int(now),
            "thread_ts": args.get("thread_ts"),
            **content,
        }
        self._scheduled.append(scheduled)
        return {
            "channel": ch["id"],
            "scheduled_message_id": scheduled["id"],
            "post_at": post_at,
            "message": {"type": "delayed_message", "user": self.bot_user_id, "bot_id": self.bot_id, **content},
        }

    def _conversations_info(self, args: dict) -> dict:
        return {"channel": self._channel_info(self._visible(args.get("channel")))}

    def _conversations_join(self, args: dict) -> dict:
        ch = self._visible(args.get("channel"))
        if ch["is_im"] or ch["is_mpim"] or ch["is_private"]:
            raise SlackError("method_not_supported_for_channel_type")
        if ch["is_archived"]:
            raise SlackError("is_archived")
        extra: dict[str, Any] = {}
        if ch["is_member"]:
            extra = {"warning": "already_in_channel", "response_metadata": {"warnings": ["already_in_channel"]}}
        ch["is_member"] = True
        self._set_bot_membership(ch, True)
        return {"channel": self._channel_info(ch), **extra}

    def _conversations_members(self, args: dict) -> dict:
        ch = self._visible(args.get("channel"))
        members, cursor = _page(ch["members"], args, 100)
        return {"members": members, "response_metadata": {"next_cursor": cursor}}

    def _conversations_open(self, args: dict) -> dict:
        if args.get("channel"):
            ch = self._visible(args["channel"])
            return {"channel": self._channel_info(ch) if _flag(args.get("return_im")) else {"id": ch["id"]}}
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        for user in users:
            if user not in self._users:
                raise SlackError("user_not_found")
        humans = [u for u in users if u != self.bot_user_id]
        if len(humans) == 1:
            existing = self._resolve(humans[0], open_im=False)
            ch = existing or self._open_im(humans[0])
            shown = self._channel_info(ch) if _flag(args.get("return_im")) else {"id": ch["id"]}
            body: dict[str, Any] = {"channel": shown}
            if existing is not None:
                body.update({"no_op": True, "already_open": True})
            return body
        if len(humans) > 8:
            raise SlackError("too_many_users")
        members = sorted(humans) + [self.bot_user_id]
        for ch in self._channels.values():
            if ch["is_mpim"] and sorted(ch["members"]) == sorted(members):
                return {"channel": self._channel_info(ch), "no_op": True, "already_open": True}
        mpim_id = self._new_id("G")
        self._channels[mpim_id] = {
            "id": mpim_id,
            "name": "mpdm-" + "--".join(self._users[u]["name"] for u in sorted(humans)) + "-1",
            "members": members,
            "is_member": True,
            "is_archived": False,
            "is_private": True,
            "is_im": False,
            "is_mpim": True,
            "user": None,
            "created": int(time.time()),
            "topic": "",
            "purpose": "",
        }
        self._messages[mpim_id] = []
        return {"channel": self._channel_info(self._channels[mpim_id])}

    def _readable(self, ref: Any) -> dict:
        ch = self._visible(ref)
        if not ch["is_member"]:
            raise SlackError("not_in_channel")
        return ch

    def _conversations_history(self, args: dict) -> dict:
        ch = self._readable(args.get("channel"))
        inclusive = _flag(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or "inf")

        def in_range(ts: float) -> bool:
            return oldest <= ts <= latest if inclusive else oldest < ts < latest

        top = [
            m
            for m in self._messages[ch["id"]]
            if (m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast")
            and in_range(float(m["ts"]))
        ]
        top.reverse()  # Slack lists history newest first
        page, cursor = _page(top, args, 100)
        return {
            "messages": copy.deepcopy(page),
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, args: dict) -> dict:
        ch = self._readable(args.get("channel"))
        ts = args.get("ts")
        parent = self._find_message(ch["id"], ts)
        if parent is None:
            raise SlackError("thread_not_found")
        root = parent.get("thread_ts") or parent["ts"]
        thread = [m for m in self._messages[ch["id"]] if m["ts"] == root or m.get("thread_ts") == root]
        page, cursor = _page(thread, args, 1000)
        return {"messages": copy.deepcopy(page), "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}

    def _users_info(self, args: dict) -> dict:
        user = self._users.get(args.get("user") or "")
        if user is None:
            raise SlackError("user_not_found")
        return {"user": copy.deepcopy(user)}

    def _users_list(self, args: dict) -> dict:
        page, cursor = _page(list(self._users.values()), args, 1000)
        return {
            "members": copy.deepcopy(page),
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": cursor},
        }

    def _views_open(self, args: dict) -> dict:
        self._require(args, "trigger_id", "view")
        view = args["view"]
        self._view_errors(view)
        if view.get("type") != "modal":
            raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] view.type must be modal"]})
        created = self._make_view(view)
        self._modal_stack = [created["id"]]
        return {"view": copy.deepcopy(created)}

    def _views_push(self, args: dict) -> dict:
        self._require(args, "trigger_id", "view")
        view = args["view"]
        self._view_errors(view)
        if not self._modal_stack:
            raise SlackError("not_found")
        if len(self._modal_stack) >= 3:
            raise SlackError("push_limit_reached")
        created = self._make_view(view, root_view_id=self._modal_stack[0], previous=self._modal_stack[-1])
        self._modal_stack.append(created["id"])
        return {"view": copy.deepcopy(created)}

    def _views_update(self, args: dict) -> dict:
        self._require(args, "view")
        if not args.get("view_id") and not args.get("external_id"):
            raise SlackError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] view_id or external_id required"]}
            )
        current = self._views.get(args.get("view_id") or "")
        if current is None and args.get("external_id"):
            current = next((v for v in self._views.values() if v["external_id"] == args["external_id"]), None)
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = args["view"]
        self._view_errors(view)
        replacement = self._make_view(view, root_view_id=current["root_view_id"], previous=current["previous_view_id"])
        # The view keeps its id across updates; only the freshly minted entry goes.
        del self._views[replacement["id"]]
        replacement["id"] = current["id"]
        self._views[current["id"]] = replacement
        for user, home in self._home.items():
            if home["id"] == current["id"]:
                self._home[user] = replacement
        return {"view": copy.deepcopy(replacement)}

    def _views_publish(self, args: dict) -> dict:
        self._require(args, "user_id", "view")
        user_id = args["user_id"]
        if user_id not in self._users:
            raise SlackError("user_not_found")
        view = args["view"]
        self._view_errors(view)
        if view.get("type") != "home":
            raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] view.type must be home"]})
        current = self._home.get(user_id)
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        published = self._make_view(view)
        if current is not None:
            del self._views[published["id"]]
            published["id"] = published["root_view_id"] = current["id"]
            self._views[current["id"]] = published
        self._home[user_id] = published
        return {"view": copy.deepcopy(published)}

    def _files_get_upload_url_external(self, args: dict) -> dict:
        self._require(args, "filename", "length")
        try:
            length = int(args["length"])
        except (TypeError, ValueError) as exc:
            raise SlackError("invalid_arguments") from exc
        file_id = self._new_id("F")
        self._files[file_id] = {
            "id": file_id,
            "name": args["filename"],
            "title": args["filename"],
            "size": length,
            "alt_txt": args.get("alt_txt"),
            "created": int(time.time()),
            "user": self.bot_user_id,
            "uploaded": False,
            "content": None,
            "channels": [],
            "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{file_id}/{args['filename']}",
            "url_private": f"{self.root_url}/files/{file_id}/{args['filename']}",
        }
        return {"upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, args: dict) -> dict:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] files must be a list"]})
        files = []
        for entry in entries:
            file = self._files.get(entry.get("id") if isinstance(entry, dict) else None)
            # A file whose bytes never arrived is unknown to Slack.
            if file is None or not file["uploaded"]:
                raise SlackError("file_not_found")
            if entry.get("title"):
                file["title"] = entry["title"]
            files.append(file)
        targets = []
        if args.get("channel_id"):
            targets.append(args["channel_id"])
        targets += [c for c in str(args.get("channels") or "").split(",") if c]
        channels = [self._postable(ref) for ref in targets]
        public = [{k: v for k, v in f.items() if k not in ("content", "uploaded")} for f in files]
        for ch in channels:
            content: dict[str, Any] = {"text": args.get("initial_comment") or "", "files": public, "upload": True}
            self._store_message(ch, content, thread_ts=args.get("thread_ts"), user=self.bot_user_id, bot=True)
            for file in files:
                file["channels"].append(ch["id"])
        return {"files": [{k: v for k, v in f.items() if k not in ("content", "uploaded")} for f in files]}


# ----------------------------------------------------------------------
# HTTP plumbing
# ----------------------------------------------------------------------


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Decode a multipart body: text fields as str, file parts as bytes."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if name is None:
            continue
        fields[name] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    return fields


def _parse_args(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """Merge query and body arguments the way Slack reads them."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json" or (not ctype and body.lstrip().startswith(b"{")):
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = {}
        if isinstance(parsed, dict):
            args.update(parsed)
    elif ctype == "multipart/form-data":
        args.update(_parse_multipart(content_type, body))
    elif body:
        args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    for key in _JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # left as text so the handler reports Slack's format error
    return args


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections under concurrent clients,
    # which then stall for a TCP retransmit second.
    request_queue_size = 128
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1.0"

    @property
    def fake(self) -> FakeSlack:
        return self.server.fake  # type: ignore[attr-defined]  # set by FakeSlack.start

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        parts = url.path.strip("/").split("/")
        try:
            if len(parts) == 2 and parts[0] == "api":
                args = _parse_args(content_type, body, url.query)
                status, headers, payload = self.fake.handle_api(parts[1], args, self.headers.get("Authorization"))
                self._send_json(status, payload, headers)
            elif len(parts) == 2 and parts[0] == "upload" and self.command == "POST":
                content = body
                if content_type.lower().startswith("multipart/form-data"):
                    fields = _parse_multipart(content_type, body)
                    content = next((v for v in fields.values() if isinstance(v, bytes)), b"")
                if self.fake.handle_upload(parts[1], content):
                    self._send_text(200, f"OK - {len(content)}")
                else:
                    self._send_text(404, "file_not_found")
            elif len(parts) == 2 and parts[0] == "response" and self.command == "POST":
                payload_body: Any
                try:
                    payload_body = json.loads(body or b"null")
                except ValueError:
                    form = dict(parse_qsl(body.decode("utf-8", "replace")))
                    payload_body = json.loads(form["payload"]) if "payload" in form else body.decode("utf-8", "replace")
                if self.fake.handle_response_url(parts[1], payload_body):
                    self._send_json(200, {"ok": True})
                else:
                    self._send_text(404, "no_service")
            else:
                self._send_text(404, "not found")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a timeout test); nothing to answer

    def _send_json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
