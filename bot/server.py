"""HTTP serving: the WSGI app (Slack endpoints + /healthz) under gunicorn."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.app import Runtime

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# Bolt logs every refused request with its body (user text); we log one clear line instead.
logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
SIGNATURE_WARNING_EVERY = 300.0


def create_wsgi_app(runtime: Runtime, app: App) -> WSGIApp:
    """Return the WSGI app: /slack/events (and OAuth paths) through Bolt, plus /healthz."""
    slack = SlackRequestHandler(app)
    last_warning = [float("-inf")]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            status, body = _health(runtime)
            payload = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]

        def watch(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            if status.startswith("401") and time.monotonic() - last_warning[0] > SIGNATURE_WARNING_EVERY:
                last_warning[0] = time.monotonic()
                logger.warning("refused a request with a bad or stale signature: if Slack's requests fail, "
                               "SLACK_SIGNING_SECRET does not match the Signing Secret on your app's "
                               "'Basic Information' page (or this server's clock is off)")
            return start_response(status, headers, *args)

        return slack(environ, watch)

    return application


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

    def load(self) -> WSGIApp:
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
