"""The remote cache is bounded: the timeout bounds the whole transfer, an answer beyond the
size limit is cut there, a gzip bomb is refused before it is written; the environment's proxy
is used."""

from __future__ import annotations

import http.server
import io
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from buildtools.core.cache import local, remote
from support.remote_cache import ENV, KEY, SECRET, TEAM, artifact, config_for, warnings

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
