"""The HTTP side of a preview: Mephisto's router as a static task sees it, on 127.0.0.1.

GET serves the bundle (read at each request, so a new bundle is served as soon as the build
renamed it into place), the page (buildtools.deploy.preview.page), task_config.json and the mock
wrap_crowd_source.js; POST answers mephisto-task's calls through the Router; with --watch,
/__preview/events streams the Hub's events."""

from __future__ import annotations

import errno
import json
import queue
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from buildtools.deploy.preview.hub import CLOSED, Hub, sse_message
from buildtools.deploy.preview.multipart import form_fields
from buildtools.deploy.preview.page import (
    CROWD_WRAPPER,
    EVENTS_PATH,
    INDEX,
    RELOAD_PATH,
    page_html,
    static_file,
    task_config,
)
from buildtools.deploy.preview.router import (
    SUBMIT_METADATA,
    SUBMIT_ONBOARDING,
    SUBMIT_TASK,
    Router,
)
from buildtools.errors import UserError
from buildtools.util.mime import mime_type

HOST = "127.0.0.1"
KEEPALIVE_S = 15.0
MAX_BODY = 64 * 1024 * 1024
# The router's routes; /submit-metadata is how Mephisto's node router spells the one that
# mephisto-task calls /submit_metadata
SUBMISSIONS = {"/submit_task": SUBMIT_TASK, "/submit_onboarding": SUBMIT_ONBOARDING,
               "/submit_metadata": SUBMIT_METADATA, "/submit-metadata": SUBMIT_METADATA}


@dataclass
class Site:
    bundle: Path
    webapp: Path
    title: str
    router: Router
    hub: Hub | None = None  # set with --watch


def make_preview_server(site: Site, port: int,
                        log: Callable[[str], None] | None = None) -> ThreadingHTTPServer:
    """A bound server on 127.0.0.1:port (0: the OS chooses); serve_forever() runs it."""
    try:
        server = ThreadingHTTPServer((HOST, port), _handler(site, log))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"port {port} on {HOST} is in use; choose another with --port "
                            "(--port 0: any free port)") from None
        raise UserError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None
    server.daemon_threads = True
    return server


def _handler(site: Site, log: Callable[[str], None] | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "buildtools-preview"
        protocol_version = "HTTP/1.1"

        def version_string(self) -> str:
            return self.server_version

        def log_message(self, format: str, *args: Any) -> None:
            if log is not None:
                log(f"{self.address_string()} {format % args}")

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path in ("/", f"/{INDEX}"):
                try:
                    html = page_html(site.bundle, site.title, watch=site.hub is not None)
                except UserError as exc:
                    self._send(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc).encode(), "text/plain")
                    return
                self._send(HTTPStatus.OK, html.encode(), "text/html; charset=utf-8")
            elif path == "/task_config.json":
                body = json.dumps(task_config(site.bundle, site.webapp)).encode()
                self._send(HTTPStatus.OK, body, "application/json")
            elif path == f"/{CROWD_WRAPPER}":
                self._send(HTTPStatus.OK, static_file(CROWD_WRAPPER), mime_type(CROWD_WRAPPER))
            elif path == RELOAD_PATH and site.hub is not None:
                self._send(HTTPStatus.OK, static_file("reload.js"), mime_type("reload.js"))
            elif path == EVENTS_PATH and site.hub is not None:
                self._stream(site.hub)
            elif path == "/is_alive":
                self._json({"status": "Alive!"})
            else:
                self._file(path)

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self._body()
            if body is None:
                return
            if path == "/request_agent":
                self._json(site.router.request_agent(body))
            elif path in SUBMISSIONS:
                self._json(site.router.submit(SUBMISSIONS[path], body))
            elif path == "/log_error":
                self._json(site.router.log_error(body))
            else:
                self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain")

        def _body(self) -> dict[str, Any] | None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"too large", "text/plain")
                return None
            raw = self.rfile.read(length)
            kind = self.headers.get("Content-Type", "")
            try:
                if kind.startswith("multipart/form-data"):
                    return form_fields(kind, raw)
                data = json.loads(raw or b"{}")
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, b"the body is not JSON", "text/plain")
                return None
            return data if isinstance(data, dict) else {}

        def _file(self, path: str) -> None:
            parts = [part for part in path.split("/") if part]
            root = site.bundle.resolve()
            target = root.joinpath(*parts).resolve() if parts else root
            if ("\x00" in path or any(part.startswith(".") for part in parts)
                    or root not in target.parents or not target.is_file()):
                self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain")
                return
            try:
                data = target.read_bytes()
            except OSError:
                self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain")
                return
            self._send(HTTPStatus.OK, data, mime_type(target.name))

        def _json(self, value: Any) -> None:
            self._send(HTTPStatus.OK, json.dumps(value, default=str).encode(), "application/json")

        def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _stream(self, hub: Hub) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            inbox = hub.subscribe()
            try:
                self.wfile.write(b"retry: 500\n\n")
                self.wfile.flush()
                while True:
                    try:
                        item = inbox.get(timeout=KEEPALIVE_S)
                    except queue.Empty:
                        self.wfile.write(b": keepalive\n\n")
                    else:
                        if item is CLOSED:
                            return
                        self.wfile.write(sse_message(*item))
                    self.wfile.flush()
            except OSError:
                return  # the page went away
            finally:
                hub.unsubscribe(inbox)

    return Handler


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"


__all__ = ["HOST", "Site", "make_preview_server", "url_of"]
