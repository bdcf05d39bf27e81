"""A stand-in model server over real HTTP on loopback, speaking Alignbot's model exchange.

`POST .../chat/completions` answers each update of the user message from a labels file
(gold answers by text: an oracle that proves the plumbing, not a model). It checks the
request the way the contract states it (model, temperature 0, a JSON-object response
format, a system and a user message), records every request it gets, and returns faults
on demand: an HTTP error, a 429 with Retry-After, slow replies, content that is not JSON,
answers that leave ids out or carry unknown keys.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Request:
    """One request as the stand-in saw it."""

    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.time)

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Return the updates of the user message, one dict a line."""
        messages = self.body.get("messages") if isinstance(self.body, dict) else None
        user = next((m for m in messages or () if isinstance(m, dict) and m.get("role") == "user"), None)
        text = user.get("content", "") if user else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]


@dataclass
class _Fault:
    kind: str  # "status", "throttle", "slow", "garble", "garble_body"
    times: int | None  # None: until cleared
    status: int = 500
    seconds: float = 0.0


def load_labels(paths: Iterable[str | Path]) -> dict[str, list[str]]:
    """Read gold answers by text from update lines carrying `labels` (or `objectives`)."""
    labels: dict[str, list[str]] = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                labels[row["text"]] = list(row.get("labels", row.get("objectives")) or [])
    return labels


class FakeLLM:
    """Serve the model exchange on loopback; answer from `labels` (text -> objective keys)."""

    def __init__(
        self,
        labels: dict[str, list[str]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
    ) -> None:
        self.labels = dict(labels or {})
        self.host = host
        self.port = port
        self.api_key = api_key
        # Texts whose id the reply leaves out, and keys added to every answer.
        self.left_out: set[str] = set()
        self.extra_keys: list[str] = []
        self._faults: list[_Fault] = []
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> FakeLLM:
        """Bind the port and serve in a background thread."""
        if self._server is None:
            server = _Server((self.host, self.port), self)
            self._server, self.port = server, server.server_address[1]
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fakellm", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Return the base URL to set as ALIGNBOT_LLM_URL."""
        return f"http://{self.host}:{self.port}/v1"

    # -- faults ------------------------------------------------------------

    def fail(self, status: int = 500, times: int | None = None) -> None:
        """Answer the next `times` requests (None: all) with an HTTP error."""
        self._add(_Fault("status", times, status=status))

    def throttle(self, retry_after: float = 1.0, times: int | None = 1) -> None:
        """Answer the next `times` requests with 429 and a Retry-After of `retry_after` seconds."""
        self._add(_Fault("throttle", times, status=429, seconds=retry_after))

    def slow(self, seconds: float, times: int | None = None) -> None:
        """Wait `seconds` before answering the next `times` requests."""
        self._add(_Fault("slow", times, seconds=seconds))

    def garble(self, times: int | None = None, body: bool = False) -> None:
        """Reply with content that is not JSON (with `body`, a response body that is not JSON)."""
        self._add(_Fault("garble_body" if body else "garble", times))

    def clear(self) -> None:
        """Answer correctly again."""
        with self._lock:
            self._faults.clear()
            self.left_out.clear()
            self.extra_keys.clear()

    def _add(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times is None:
                    return fault
                if fault.times > 0:
                    fault.times -= 1
                    return fault
            return None

    # -- recordings --------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        """Return every request received so far."""
        with self._lock:
            return list(self._requests)

    def updates_sent(self) -> list[dict[str, Any]]:
        """Return every update of every request, in order."""
        return [u for r in self.requests for u in r.updates]

    # -- the exchange ------------------------------------------------------

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: (status, headers, body)."""
        try:
            body: Any = json.loads(raw or b"null")
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self._lock:
            self._requests.append(Request(path, headers, body))
        if not path.rstrip("/").endswith("/chat/completions"):
            return _error(404, f"no route {path}")
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "invalid api key")
        problem = _contract_problem(body)
        if problem:
            return _error(400, problem)
        fault = self._next_fault()
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
        elif fault is not None and fault.kind in ("status", "throttle"):
            extra = {"Retry-After": f"{fault.seconds:g}"} if fault.kind == "throttle" else {}
            return _error(fault.status, "injected fault", extra)
        elif fault is not None and fault.kind == "garble_body":
            return 200, {"Content-Type": "text/html"}, b"<html>502 Bad Gateway</html>"
        content = self._answer(Request(path, headers, body).updates)
        if fault is not None and fault.kind == "garble":
            content = "Sure! Here are the objectives: " + content
        reply = {
            "id": f"chatcmpl-{len(self._requests)}",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            # Roughly four characters a token, as a tokenizer would count English.
            "usage": {"prompt_tokens": len(raw) // 4, "completion_tokens": len(content) // 4},
        }
        reply["usage"]["total_tokens"] = sum(reply["usage"].values())
        return 200, {"Content-Type": "application/json"}, json.dumps(reply).encode("utf-8")

    def _answer(self, updates: list[dict[str, Any]]) -> str:
        answers = []
        for update in updates:
            text = update.get("text")
            if text in self.left_out or text not in self.labels:
                continue  # the stand-in knows nothing of it: the id is left out
            answers.append({"id": update.get("id"), "objectives": self.labels[text] + self.extra_keys})
        return json.dumps({"updates": answers})


def _contract_problem(body: Any) -> str | None:
    """Return what is wrong with a request body, or None if it keeps the exchange's contract."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if not isinstance(body.get("model"), str):
        return "model is missing"
    if body.get("temperature") != 0:
        return "temperature must be 0"
    if body.get("response_format") != {"type": "json_object"}:
        return 'response_format must be {"type": "json_object"}'
    messages = body.get("messages")
    messages = messages if isinstance(messages, list) else []
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    contents = [m["content"] for m in messages if isinstance(m, dict) and isinstance(m.get("content"), str)]
    if roles != ["system", "user"] or len(contents) != 2:
        return "messages must be one system and one user message, each with text content"
    lines = [line for line in str(contents[1]).splitlines() if line.strip()]
    try:
        updates = [json.loads(line) for line in lines]
    except ValueError:
        return "the user message must hold one JSON object a line"
    if not 1 <= len(updates) <= 20:
        return "the user message must hold 1 to 20 updates"
    if any(not isinstance(u, dict) or set(u) != {"id", "team", "text"} for u in updates):
        return 'each update must be {"id", "team", "text"}'
    return None


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"error": {"message": message, "code": status}}).encode("utf-8")
    return status, {"Content-Type": "application/json", **(headers or {})}, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], fake: FakeLLM) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeLLM/1.0"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output clean

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, extra, body = self.server.fake.handle(self.path, headers, raw)
        try:
            self.send_response(status)
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer
