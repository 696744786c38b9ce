"""`buildtools serve`, in process: MIME types, index.html, no listing, no escape, dotfiles, port
in use. The command itself and a page load in Chromium: tests/integration/test_serve.py."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from buildtools.deploy.serve import make_server, mime_type, url_of
from buildtools.errors import UserError
from support.bundle import make_bundle
from support.http import Response, http_get

HttpGet = Callable[..., "Response"]


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    folder = make_bundle(
        tmp_path / "public",
        extra_files={
            "module.mjs": b"export default 1\n",
            "app.wasm": b"\x00asm\x01\x00\x00\x00",
            "pic.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "pic.webp": b"RIFF\x00\x00\x00\x00WEBP",
            "sound.mp3": b"ID3",
            "data.json": b"{}",
            "empty/keep.txt": b"",
            ".env": b"SECRET=1",
            ".git/config": b"[core]",
        },
    )
    (tmp_path / "outside.txt").write_text("outside")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    return folder


@pytest.fixture()
def base_url(site: Path) -> Iterator[str]:
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True)
    thread.start()
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _raw_status(base_url: str, path: str) -> int:
    host, port = base_url.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("", "text/html; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("assets/index-B9jXQm3a.js", "text/javascript; charset=utf-8"),  # make_bundle's
        ("module.mjs", "text/javascript; charset=utf-8"),
        ("app.wasm", "application/wasm"),
        ("pic.svg", "image/svg+xml"),
        ("pic.webp", "image/webp"),
        ("sound.mp3", "audio/mpeg"),
        ("data.json", "application/json; charset=utf-8"),
        ("task_config.json", "application/json; charset=utf-8"),
        ("TestImg.png", "image/png"),
    ],
)
def test_mime_types(base_url: str, path: str, mime: str) -> None:
    response = http_get(base_url + path)
    assert response.status == 200
    assert response.headers["Content-Type"] == mime
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_server_header_is_the_name_alone(base_url: str) -> None:
    import socket

    host, port = base_url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    assert b"\r\nServer: buildtools-serve\r\n" in head, head


def test_index_for_root_and_nothing_else(base_url: str, site: Path) -> None:
    assert http_get(base_url).body == (site / "index.html").read_bytes()
    assert http_get(base_url + "empty/").status == 404  # no listing
    assert http_get(base_url + "assets/").status == 404
    assert http_get(base_url + "missing.js").status == 404
    for path in ("/.env", "/.git/config", "/%2eenv", "/assets/.hidden"):
        assert _raw_status(base_url, path) == 404, path
    for path in ("/../outside.txt", "/..%2foutside.txt", "/assets/../../outside.txt"):
        assert _raw_status(base_url, path) == 404, path
    assert http_get(base_url + "link.txt").status == 404  # a symlink out of the folder


def test_port_in_use(site: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UserError) as info:
            make_server(site, "127.0.0.1", port)
    assert str(info.value) == (
        f"port {port} on 127.0.0.1 is in use; choose another with --port or [deploy.local] port"
    )


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UserError) as info:
        make_server(tmp_path / "nope", "127.0.0.1", 0)
    assert str(info.value) == (
        f"cannot serve {tmp_path / 'nope'}: no such folder; run `doit deploy` first"
    )


def test_mime_table() -> None:
    assert mime_type("a/B.JS") == "text/javascript; charset=utf-8"
    assert mime_type("x.unknown") == "application/octet-stream"


def test_an_artifact_folder_serves_its_public_part(tmp_path: Path) -> None:
    make_bundle(tmp_path / "local" / "public")
    (tmp_path / "local" / "DEPLOY.md").write_text("not served")
    server = make_server(tmp_path / "local", "127.0.0.1", 0)
    thread = threading.Thread(target=lambda: server.serve_forever(0.05), daemon=True)
    thread.start()
    try:
        assert http_get(url_of(server) + "task_config.json").status == 200
        assert http_get(url_of(server) + "DEPLOY.md").status == 404
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
