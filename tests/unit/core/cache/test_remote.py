"""The shared remote cache: Turborepo's HTTP protocol, signed artifacts, and a server that is
down, slow or lying costing only a warning (an in-process server here; the real
turborepo-remote-cache: tests/integration/test_remote_cache.py)."""

from __future__ import annotations

import http.server
import io
import os
import socket
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buildtools.config.load import build_config
from buildtools.core.cache import local, remote, remote_artifact
from buildtools.core.cache.content import write_content
from buildtools.ui.terminal import Reporter

TOKEN = "test-token"
SECRET = "team-signing-key"
TEAM = "team_buildtools"
KEY = "a1" * 16


# ---------------------------------------------------------------- signatures


def test_signature_round_trip_and_refusals() -> None:
    tag = remote.sign(b"k", KEY, TEAM, b"body")
    assert remote.verify(b"k", KEY, TEAM, b"body", tag)
    assert remote.verify(b"k", KEY, TEAM, b"body", tag.rstrip("="))  # unpadded too
    assert not remote.verify(b"k", KEY, TEAM, b"body!", tag)
    assert not remote.verify(b"other", KEY, TEAM, b"body", tag)
    assert not remote.verify(b"k", KEY, "team_other", b"body", tag)
    assert not remote.verify(b"k", KEY, TEAM, b"body", None)
    assert not remote.verify(b"k", KEY, TEAM, b"body", "not base64 !!")


def test_pack_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        folder = tmp_path / name
        (folder / "bundle").mkdir(parents=True)
        (folder / "bundle" / "index.html").write_text("x")
        (folder / "meta.json").write_text("{}")
        os.utime(folder / "meta.json", (1, 1 if name == "a" else 99999))
    assert remote.pack(tmp_path / "a") == remote.pack(tmp_path / "b")


# ---------------------------------------------------------------- a misbehaving server


def config_for(root: Path, url: str, timeout: float = 1.0,  # type: ignore[no-untyped-def]
               max_mb: int = 1024):
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    raw = {"webapp": {"source": "webapp"},
           "task": {"task_title": "t", "task_description": "d", "task_reward": 0.1,
                    "task_tags": "x"},
           "cache": {"dir": str(root / "cache"), "remote_url": url, "remote_team": TEAM,
                     "remote_timeout_s": timeout, "remote_max_mb": max_mb}}
    return build_config(raw, path=root / "buildtools.toml", root=root, source="buildtools.toml",
                        env={})


ENV = {"BUILDTOOLS_REMOTE_CACHE_TOKEN": TOKEN, "BUILDTOOLS_REMOTE_CACHE_KEY": SECRET}


def warnings() -> tuple[Reporter, io.StringIO]:
    err = io.StringIO()
    return Reporter(out=io.StringIO(), err=err), err


@pytest.fixture
def fake_server() -> Iterator[tuple[str, dict[str, object]]]:
    """A server whose answer the test sets: {'delay': s, 'body': b, 'tag': str|None}."""
    behaviour: dict[str, object] = {"delay": 0.0, "body": b"", "tag": None}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = behaviour.get("answer")
            if callable(answer):  # the test writes the answer itself
                answer(self)
                return
            time.sleep(float(behaviour["delay"]))  # type: ignore[arg-type]
            body = behaviour["body"]
            assert isinstance(body, bytes)
            self.send_response(200)
            if behaviour["tag"] is not None:
                self.send_header("x-artifact-tag", str(behaviour["tag"]))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", behaviour
    finally:
        server.shutdown()
        server.server_close()


def artifact(tmp_path: Path, key: str, damaged: bool = False) -> bytes:
    folder = tmp_path / "artifact"
    (folder / "bundle").mkdir(parents=True)
    (folder / "output").mkdir()
    (folder / "bundle" / "index.html").write_text("remote")
    (folder / "meta.json").write_text(
        f'{{"format": 2, "key": "{key}", "output": "dist", "bytes": 6, "files": 1}}')
    write_content(folder)
    if damaged:  # signed by a holder of the key, but not what its content list says
        (folder / "bundle" / "index.html").write_text("")
    return remote.pack(folder)


def test_signed_artifact_is_taken_unsigned_or_tampered_refused(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url)
    body = artifact(tmp_path, KEY)
    for tag, tampered, why in ((None, False, "it is not signed"),
                               (remote.sign(b"wrong", KEY, TEAM, body), False,
                                "its signature does not match"),
                               (remote.sign(SECRET.encode(), KEY, TEAM, body), True,
                                "its signature does not match")):
        behaviour.update(body=body + b"x" if tampered else body, tag=tag)
        reporter, err = warnings()
        assert remote.fetch(config, KEY, reporter, ENV) is None
        assert f"artifact {KEY} refused: {why}" in err.getvalue()
        assert local.lookup(config, KEY) is None
    behaviour.update(body=body, tag=remote.sign(SECRET.encode(), KEY, TEAM, body))
    reporter, err = warnings()
    entry = remote.fetch(config, KEY, reporter, ENV)
    assert entry is not None and err.getvalue() == ""
    assert (entry.path / "bundle" / "index.html").read_text() == "remote"
    assert local.lookup(config, KEY) == entry  # now in the local cache


@pytest.mark.parametrize(("meta_key", "taken"), [
    (f"{KEY}-0123456789abcdef", True),  # an entry made from these inputs
    (f"{'b2' * 16}-0123456789abcdef", False),  # from other inputs
    (f"{KEY}-../../x", False),  # not a safe folder name
    (f"{KEY}-", False),
])
def test_an_artifact_fetched_by_inputs_key_is_kept_as_the_entry_it_names(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]], meta_key: str, taken: bool
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url)
    body = artifact(tmp_path, meta_key)
    behaviour.update(body=body, tag=remote.sign(SECRET.encode(), KEY, TEAM, body))
    reporter, err = warnings()
    entry = remote.fetch(config, KEY, reporter, ENV)
    if taken:
        assert entry is not None and entry.key == meta_key, err.getvalue()
        assert local.variants(config, KEY) == [entry]
    else:
        assert entry is None
        assert "its meta.json is not for this key" in err.getvalue()
        assert not (config.cache.dir / "entries").exists() or not any(
            (config.cache.dir / "entries").rglob("meta.json"))


def test_a_signed_artifact_that_is_not_whole_is_refused(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url)
    body = artifact(tmp_path, KEY, damaged=True)
    behaviour.update(body=body, tag=remote.sign(SECRET.encode(), KEY, TEAM, body))
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, ENV) is None
    assert err.getvalue().strip() == (
        f"warning: remote cache: artifact {KEY} is damaged (bundle/index.html has 0 bytes, "
        "6 were stored); building locally")
    assert local.lookup(config, KEY) is None


def test_slow_or_down_server_costs_a_warning(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    behaviour["delay"] = 2.0
    config = config_for(tmp_path / "p", url, timeout=0.3)
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, ENV) is None
    # the timeout, not the answer that comes after 2 s (which would be refused as unsigned)
    assert "cannot fetch the build" in err.getvalue() and "building locally" in err.getvalue()
    assert "refused" not in err.getvalue()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    config = config_for(tmp_path / "q", f"http://127.0.0.1:{closed}")
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, ENV) is None
    assert "cannot fetch the build" in err.getvalue()


def test_without_signing_key_the_remote_is_not_used(tmp_path: Path) -> None:
    config = config_for(tmp_path / "p", "http://127.0.0.1:9")
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, {"BUILDTOOLS_REMOTE_CACHE_TOKEN": "t"}) \
        is None
    assert "set BUILDTOOLS_REMOTE_CACHE_KEY" in err.getvalue()


def test_unsafe_archive_members_are_refused(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    config = config_for(tmp_path / "p", "http://127.0.0.1:9")
    path = tmp_path / "a.tar.gz"
    path.write_bytes(raw.getvalue())
    with pytest.raises(remote.RemoteError, match="unsafe path"):
        remote_artifact.unpack(config, KEY, path)
    assert not (tmp_path / "p" / "cache" / "escape.txt").exists()


# ---------------------------------------------------------------- bounded in time, memory, disk


def test_the_timeout_bounds_the_whole_transfer(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    """A byte every 0.2 s, in the body or in the headers: each read is quick, the whole would
    take 20 s."""
    url, behaviour = fake_server

    def trickle(handler: http.server.BaseHTTPRequestHandler, what: bytes) -> None:
        for byte in what:
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(0.2)

    def slow_body(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        trickle(handler, b"x" * 100)

    def slow_headers(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        trickle(handler, b"X-Slow: " + b"y" * 100 + b"\r\n\r\n")

    config = config_for(tmp_path / "p", url, timeout=0.5)
    for answer in (slow_body, slow_headers):
        behaviour["answer"] = answer
        reporter, err = warnings()
        started = time.monotonic()
        assert remote.fetch(config, KEY, reporter, ENV) is None
        assert time.monotonic() - started < 2.5
        assert "cannot fetch the build (no whole answer within 0.5 s)" in err.getvalue()


def test_an_answer_beyond_the_limit_is_cut_at_the_limit(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    sent: list[int] = []

    def endless(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)  # no Content-Length: the body runs until the connection ends
        handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b"\0" * 65536
        for _ in range(200):  # 13 MB if nobody stops reading
            try:
                handler.wfile.write(chunk)
            except OSError:
                return
            sent.append(len(chunk))

    behaviour["answer"] = endless
    config = config_for(tmp_path / "p", url, timeout=10.0, max_mb=1)
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, ENV) is None
    assert "more than the 1048576 bytes allowed" in err.getvalue()
    assert not list((tmp_path / "p" / "cache" / "tmp").iterdir())  # the download is gone

    def declared(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(5 << 20))
        handler.end_headers()

    behaviour["answer"] = declared
    reporter, err = warnings()
    assert remote.fetch(config, KEY, reporter, ENV) is None
    assert f"the answer is {5 << 20} bytes, more than the 1048576 allowed" in err.getvalue()


def bomb(tmp_path: Path, unpacked: int, declared: int) -> bytes:
    """A signed entry whose one file is `unpacked` zero bytes (a few KB packed)."""
    raw = io.BytesIO()
    meta = f'{{"format": 2, "key": "{KEY}", "bytes": {declared}, "files": 1}}'.encode()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for name, data in (("bundle/zeros.bin", None), ("content.json", b"{}"),
                           ("meta.json", meta)):
            info = tarfile.TarInfo(name)
            if data is None:
                info.size = unpacked
                archive.addfile(info, io.BytesIO(bytes(unpacked)))
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def test_a_signed_gzip_bomb_is_refused_before_it_is_written(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url, max_mb=1)
    written: list[str] = []
    real_extract = tarfile.TarFile.extractall

    def watching(self: tarfile.TarFile, *args: Any, **kwargs: Any) -> None:
        written.append("extract")
        real_extract(self, *args, **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "extractall", watching)
    for unpacked, declared, why in (
        (8 << 20, 8 << 20, "it unpacks to more than the 1048576 bytes allowed by [cache] "
                           "remote_max_mb"),
        (1 << 19, 6, "its files hold 524288 bytes, its meta.json declares 6"),
    ):
        body = bomb(tmp_path, unpacked, declared)
        assert len(body) < 20_000
        behaviour.update(body=body, tag=remote.sign(SECRET.encode(), KEY, TEAM, body))
        reporter, err = warnings()
        assert remote.fetch(config, KEY, reporter, ENV) is None
        assert f"artifact {KEY} is damaged ({why})" in err.getvalue()
        assert written == []
        assert local.lookup(config, KEY) is None


def test_the_proxy_of_the_environment_is_used(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As urllib did: http_proxy is asked for the whole URL (a host only it can reach here)."""
    url, behaviour = fake_server
    asked: list[str] = []

    def as_proxy(handler: http.server.BaseHTTPRequestHandler) -> None:
        asked.append(handler.path)
        body = artifact(tmp_path, KEY)
        handler.send_response(200)
        handler.send_header("x-artifact-tag", remote.sign(SECRET.encode(), KEY, TEAM, body))
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    behaviour["answer"] = as_proxy
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", url)
    config = config_for(tmp_path / "p", "http://cache.invalid")
    reporter, err = warnings()
    entry = remote.fetch(config, KEY, reporter, ENV)
    assert err.getvalue() == "" and entry is not None
    assert asked == [f"http://cache.invalid/v8/artifacts/{KEY}?teamId={TEAM}"]
