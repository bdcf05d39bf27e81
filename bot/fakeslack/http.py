"""The fake's loopback HTTP server: routes and request parsing.

Three routes: ``/api/<method>`` (the Web API), ``/upload/<file id>`` (an
upload_url from files.getUploadURLExternal) and ``/response/<id>`` (a
response_url minted by FakeSlack.response_url). The answers come from FakeSlack.
"""

from __future__ import annotations

import contextlib
import json
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import collapse_rfc2231_value
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from bot.fakeslack.server import FakeSlack


# Arguments Slack accepts as JSON text in form bodies; decoded so handlers and
# recorded calls see the same shape whether the client sent form or JSON.
_JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Decode a multipart body: text fields as str, file parts as bytes."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None:
            continue
        if isinstance(name, tuple):  # an RFC 2231 encoded name
            name = collapse_rfc2231_value(name)
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
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
            # Left as text when it is not JSON, so the handler reports Slack's format error.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def _response_body(body: bytes) -> Any:
    """Decode a response_url post: JSON, or a form with a JSON ``payload``, else text."""
    try:
        return json.loads(body or b"null")
    except ValueError:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        return json.loads(form["payload"]) if "payload" in form else body.decode("utf-8", "replace")


class Server(ThreadingHTTPServer):
    """Serve a FakeSlack on a loopback address."""

    daemon_threads = True
    # The default backlog of 5 drops connections under concurrent clients,
    # which then stall for a TCP retransmit second.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], fake: FakeSlack) -> None:
        super().__init__(address, _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1.0"
    server: Server

    @property
    def fake(self) -> FakeSlack:
        return self.server.fake

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
        kind, name = (parts[0], parts[1]) if len(parts) == 2 else ("", "")
        try:
            if kind == "api":
                args = _parse_args(content_type, body, url.query)
                status, headers, payload = self.fake.handle_api(name, args, self.headers.get("Authorization"))
                self._send_json(status, payload, headers)
            elif kind == "upload" and self.command == "POST":
                self._upload(name, content_type, body)
            elif kind == "response" and self.command == "POST":
                if self.fake.handle_response_url(name, _response_body(body)):
                    self._send_json(200, {"ok": True})
                else:
                    self._send_text(404, "no_service")
            else:
                self._send_text(404, "not found")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. a timeout test); nothing to answer

    def _upload(self, file_id: str, content_type: str, body: bytes) -> None:
        content = body
        if content_type.lower().startswith("multipart/form-data"):
            fields = _parse_multipart(content_type, body)
            content = next((v for v in fields.values() if isinstance(v, bytes)), b"")
        if self.fake.handle_upload(file_id, content):
            self._send_text(200, f"OK - {len(content)}")
        else:
            self._send_text(404, "file_not_found")

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
