"""HTTP serving: the WSGI app (Slack endpoints + /healthz) under gunicorn."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import text

from bot.app import Runtime
from bot.jobs import Traffic
from bot.slackrequest import bolt_request, read_body
from storage.models import utcnow

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# Bolt logs every refused request with its body (user text); we log one clear line instead.
logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
SIGNATURE_WARNING_EVERY = 300.0
MALFORMED_WARNING_EVERY = 300.0
# Slack's requests are a few KB; a view submission with long answers stays far below this.
MAX_BODY_BYTES = 1 << 20
SIGNATURE_MAX_AGE = 300  # seconds, as Slack and Bolt allow
# The answer to a signed request of Slack's that the app has no use for: Slack retries what fails.
IGNORED = "200 OK"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# Fields Bolt and our listeners read as objects (or lists of objects) when present.
_OBJECT_FIELDS = ("event", "view", "team", "user", "channel", "container", "message", "enterprise")
_LIST_FIELDS = ("actions", "authorizations")
# The interactions our listeners answer; they read the team and the person from each.
_INTERACTIONS = ("block_actions", "view_submission")
# The events that may name an enterprise and no workspace (an org-wide install).
_ORG_WIDE_EVENTS = ("app_uninstalled", "tokens_revoked")
# The fields of an event that Slack always sends and a listener reads.
_EVENT_FIELDS = {
    "app_home_opened": ("user",),
    "member_joined_channel": ("user", "channel"),
    "member_left_channel": ("user", "channel"),
}


def create_wsgi_app(runtime: Runtime, app: App) -> WSGIApp:
    """Return the WSGI app: /slack/events (and OAuth paths) through Bolt, plus /healthz."""
    slack = _SlackHandler(app)
    last_warning = [float("-inf")]
    last_malformed = [float("-inf")]
    secret = runtime.settings.slack_signing_secret
    key = secret.get_secret_value().encode() if secret else None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            status, health = _health(runtime)
            payload = json.dumps(health).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]

        def watch(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            if status.startswith("401") and time.monotonic() - last_warning[0] > SIGNATURE_WARNING_EVERY:
                last_warning[0] = time.monotonic()
                logger.warning(
                    "refused a request with a bad or stale signature: if Slack's requests fail, "
                    "SLACK_SIGNING_SECRET does not match the Signing Secret on your app's "
                    "'Basic Information' page (or this server's clock is off)"
                )
            return start_response(status, headers, *args)

        if environ.get("REQUEST_METHOD") != "POST":
            return slack(environ, watch)
        # Refuse before Bolt parses anything: nothing unverified may reach a listener or respond().
        answer, body = _screen(environ, key)
        if answer is not None:
            if answer.startswith("400") and time.monotonic() - last_malformed[0] > MALFORMED_WARNING_EVERY:
                last_malformed[0] = time.monotonic()
                logger.warning(
                    "refused a malformed request (%s); more are refused without a line for %d s",
                    answer,
                    MALFORMED_WARNING_EVERY,
                )
            return _answer(watch, answer)
        environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        answered: list[tuple[str, list[tuple[str, str]]]] = []

        def hold(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            answered.append((status, headers))

        content = slack(environ, hold)
        if answered[0][0].startswith("404"):
            # Bolt has no listener for it; Slack turns event delivery off for an app that fails too often.
            return _answer(watch, IGNORED)
        watch(*answered[0])
        return content

    if not runtime.workers:
        return application
    # This process's worker starts its jobs between requests, so acks seldom wait for the GIL behind one.
    traffic = Traffic()
    runtime.pacer.yield_to(traffic)

    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        traffic.enter()
        try:
            return application(environ, start_response)
        finally:
            traffic.leave()

    return counted


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, reading each body with `read_body`."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = request.get_body()
        return self.app.dispatch(bolt_request(raw, query=request.query_string, headers=request.get_headers()))


def _screen(environ: dict[str, Any], key: bytes | None) -> tuple[str | None, bytes]:
    """Read a POST body; return (the answer to give without Bolt, or None, body).

    401 unless signed; 400 unless it is a JSON object (or a form, with a `payload` that is one), which
    every request of Slack's is; 200 and ignored if it lacks what Bolt and our listeners read.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", b""
    if length < 0:
        return "400 Bad Request", b""
    if length > MAX_BODY_BYTES:
        return "413 Payload Too Large", b""
    body = environ["wsgi.input"].read(length) if length else b""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
    signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
    if key is None or not _signed(key, body, timestamp, signature):
        return "401 Unauthorized", body
    payload = _payload(body, environ.get("CONTENT_TYPE"))
    if payload is None:
        return "400 Bad Request", body
    if not (_readable(payload) and _has_what_listeners_read(payload)):
        logger.info("ignored a request Alignbot does not use (%s)", _kind(payload))
        return IGNORED, body
    return None, body


def _signed(key: bytes, body: bytes, timestamp: str, signature: str) -> bool:
    """Check Slack's v0 signature and a timestamp within five minutes, on the raw bytes."""
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(utcnow().timestamp() - int(timestamp)) > SIGNATURE_MAX_AGE:
        return False
    expected = hmac.new(key, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("v0=" + expected, signature)


def _payload(raw: bytes, content_type: str | None) -> dict[str, Any] | None:
    """Return the payload Bolt's listeners will read from this body, or None if it is not an object."""
    try:
        payload = read_body(raw.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def _readable(payload: dict[str, Any]) -> bool:
    """Say whether the fields Bolt reads on every request have the types Bolt expects."""
    if not isinstance(payload.get("type", ""), str):
        return False
    if any(payload.get(name) is not None and not isinstance(payload[name], dict) for name in _OBJECT_FIELDS):
        return False
    for name in _LIST_FIELDS:
        items = payload.get(name)
        if items is not None and not (isinstance(items, list) and all(isinstance(i, dict) for i in items)):
            return False
    return True


def _strings(obj: dict[str, Any], *names: str) -> bool:
    return all(isinstance(obj.get(name), str) for name in names)


def _kind(payload: dict[str, Any]) -> str:
    """Name a request for a log line, without anything a person wrote."""
    event = payload.get("event")
    if not isinstance(event, dict):
        event = {}
    kind = payload.get("command") or payload.get("type") or "request"
    return f"{kind} {event.get('type')}" if kind == "event_callback" else str(kind)


def _has_what_listeners_read(payload: dict[str, Any]) -> bool:
    """Say whether the ids our listeners read from a request of this kind are there.

    Slack leaves some out in real requests (a workflow function's interactions have no person, an
    org-wide event no workspace); a request without them is none our listeners answer.
    """
    if "command" in payload:
        return _strings(payload, "command", "team_id", "user_id", "channel_id", "response_url", "trigger_id")
    kind = payload.get("type")
    view = payload.get("view")
    if view is not None and not (
        _strings(view, "type")
        and isinstance(view.get("state", {}), dict)
        and isinstance(view.get("private_metadata", ""), str)
    ):
        return False
    if kind in _INTERACTIONS and not (
        _strings(payload.get("team") or {}, "id") and _strings(payload.get("user") or {}, "id")
    ):
        return False
    if kind == "block_actions":
        actions = payload.get("actions") or []
        return _strings(payload, "trigger_id") and all(
            _strings(a, "action_id")
            and isinstance(a.get("value", ""), str)
            and isinstance(a.get("selected_option") or {}, dict)
            for a in actions
        )
    if kind == "event_callback":
        event = payload.get("event") or {}
        if not _strings(event, "type"):
            return False
        needs = _EVENT_FIELDS.get(event["type"], ())
        workspace = _strings(payload, "team_id") or (
            event["type"] in _ORG_WIDE_EVENTS and _strings(payload, "enterprise_id")
        )
        return workspace and _strings(event, *needs)
    return True


def _answer(start_response: Callable[..., Any], status: str) -> Iterable[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return [b""]


def _health(runtime: Runtime) -> tuple[str, dict[str, Any]]:
    try:
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # the health check reports any database failure, it never raises
        logger.warning("health check: database unreachable", exc_info=True)
        return "503 Service Unavailable", {"ok": False, "database": "unreachable"}
    return "200 OK", {"ok": True, "database": "ok"}


class GunicornServer(BaseApplication):
    """Run a WSGI app factory under gunicorn; the factory runs in the worker, after the fork."""

    def __init__(self, factory: Callable[[], WSGIApp], options: dict[str, Any]) -> None:
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    # The stubs type the environ as any MutableMapping; WSGI passes a dict, which Bolt's adapter needs.
    def load(self) -> WSGIApp:  # type: ignore[override]
        return self._factory()


def gunicorn_options(port: int, *, threads: int, log_level: str, workers: int = 1) -> dict[str, Any]:
    """Return gunicorn settings: worker processes, each with a pool of request threads."""
    return {
        "bind": f"0.0.0.0:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": 20,
        "loglevel": log_level.lower(),
        "accesslog": None,
        "errorlog": "-",
        "proc_name": "alignbot",
    }


def serve_in_thread(wsgi: WSGIApp, host: str = "127.0.0.1", port: int = 0) -> tuple[str, Callable[[], None]]:
    """Serve a WSGI app from a background thread (tests, the demo); return its base URL and a stop function.

    wsgiref with a thread per request, like gunicorn's gthread worker: Bolt answers a
    slash command while an earlier listener still runs.
    """
    import threading
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass  # one line per request would drown the output

    server = make_server(host, port, wsgi, server_class=Server, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.server_port}", stop
