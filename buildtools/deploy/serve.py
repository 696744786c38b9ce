"""`buildtools serve`: a small static server for an artifact folder on host:port.

Correct MIME types (one table, shared with the generated Node server and the embed helpers),
index.html for `/`, no directory listing, no path leaving the folder, dotfiles 404.
Importing this module is cheap: http.server is imported only when a server starts.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buildtools.errors import UserError
from buildtools.util.mime import mime_type

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from buildtools.assets.access import AccessPolicy


def port_in_use_message(host: str, port: int) -> str:
    return f"port {port} on {host} is in use; choose another with --port or [deploy.local] port"


def make_server(
    folder: Path,
    host: str,
    port: int,
    environ: Mapping[str, str] | None = None,
    log: Callable[[str], None] | None = None,
) -> ThreadingHTTPServer:
    """A bound (not yet serving) server for `folder`; port 0 lets the OS choose.

    The [assets] access policy that the local architect stored beside public/ applies:
    X-Robots-Tag when unlisted, and tokens checked (secret from BUILDTOOLS_ASSET_SECRET in
    `environ`) when signed.
    """
    from http.server import ThreadingHTTPServer

    from buildtools.assets.access import AccessPolicy, read_policy
    from buildtools.assets.signing import asset_secret

    root = folder.resolve()
    if not root.is_dir():
        raise UserError(f"cannot serve {folder}: no such folder; run `doit deploy` first")
    if not (root / "index.html").is_file() and (root / "public" / "index.html").is_file():
        root = root / "public"  # an artifact folder: serve its public/ part
    if not (root / "index.html").is_file():
        raise UserError(f"cannot serve {folder}: it has no index.html")
    policy = (read_policy(root.parent) if root.name == "public" else None) or AccessPolicy("public")
    secret = asset_secret(os.environ if environ is None else environ) if policy.signed_paths else ""
    handler = _handler_class(root, policy, secret, log)
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(port_in_use_message(host, port)) from None
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    server.daemon_threads = True
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    shown = host.decode() if isinstance(host, bytes) else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def serve(
    folder: Path,
    host: str,
    port: int,
    ready: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """Serve `folder` on host:port until interrupted; `ready(url)` once listening, `log(line)`
    for each request."""
    server = make_server(folder, host, port, log=log)
    url = url_of(server)
    if ready is not None:
        ready(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _handler_class(
    root: Path, policy: AccessPolicy, secret: str, log: Callable[[str], None] | None
) -> Any:
    from http import HTTPStatus
    from http.server import SimpleHTTPRequestHandler
    from urllib.parse import parse_qsl, unquote, urlsplit

    from buildtools.assets.signing import Verdict, check

    signed = frozenset(policy.signed_paths)
    extra_headers = policy.headers()

    class Handler(SimpleHTTPRequestHandler):
        server_version = "buildtools-serve"

        def version_string(self) -> str:  # the Server header: no Python version after it
            return self.server_version

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            if log is not None:
                log(f"{self.address_string()} {format % args}")

        def guess_type(self, path: str | os.PathLike[str]) -> str:
            return mime_type(os.fspath(path))

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in extra_headers:
                self.send_header(name, value)
            super().end_headers()

        def list_directory(self, path: str | os.PathLike[str]) -> None:
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return None

        def send_head(self) -> Any:
            raw = unquote(urlsplit(self.path).path)
            parts = [part for part in raw.split("/") if part]
            if "\x00" in raw or any(part.startswith(".") for part in parts):
                self.send_error(HTTPStatus.NOT_FOUND, "Not found")
                return None
            target = Path(self.translate_path(self.path)).resolve()
            if target != root and root not in target.parents:  # a symlink leaving the folder
                self.send_error(HTTPStatus.NOT_FOUND, "Not found")
                return None
            served = target / "index.html" if target.is_dir() else target
            uri = "/" + served.relative_to(root).as_posix()
            if uri in signed:
                query = dict(parse_qsl(urlsplit(self.path).query))
                verdict = check(uri, query, secret)
                if verdict is Verdict.EXPIRED:
                    self.send_error(HTTPStatus.GONE, "Gone")
                    return None
                if verdict is not Verdict.VALID:
                    self.send_error(HTTPStatus.FORBIDDEN, "Forbidden")
                    return None
            return super().send_head()

    return Handler
