"""The shared remote cache: Turborepo's HTTP protocol, signed artifacts, and a server that is
down, slow or lying costing only a warning.

The integration tests run the real `turborepo-remote-cache` server from npm on 127.0.0.1. It is
installed once into ~/.cache/buildtools-tests/ (or $BUILDTOOLS_TEST_TOOLS), which CI may
preinstall; the tests are skipped, saying why, when npm cannot install it.
"""

from __future__ import annotations

import http.server
import io
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from buildtools.build import cache, remote_cache
from buildtools.build.cache_content import write_content
from buildtools.config.load import CacheConfig, build_config
from buildtools.ui.terminal import Reporter
from tests.conftest import Project, make_project, needs

SERVER_PACKAGE = "turborepo-remote-cache@2.12.0"
TOKEN = "test-token"
SECRET = "team-signing-key"
TEAM = "team_buildtools"
KEY = "a1" * 16


# ---------------------------------------------------------------- signatures


def test_signature_round_trip_and_refusals() -> None:
    tag = remote_cache.sign(b"k", KEY, TEAM, b"body")
    assert remote_cache.verify(b"k", KEY, TEAM, b"body", tag)
    assert remote_cache.verify(b"k", KEY, TEAM, b"body", tag.rstrip("="))  # unpadded too
    assert not remote_cache.verify(b"k", KEY, TEAM, b"body!", tag)
    assert not remote_cache.verify(b"other", KEY, TEAM, b"body", tag)
    assert not remote_cache.verify(b"k", KEY, "team_other", b"body", tag)
    assert not remote_cache.verify(b"k", KEY, TEAM, b"body", None)
    assert not remote_cache.verify(b"k", KEY, TEAM, b"body", "not base64 !!")


def test_pack_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        folder = tmp_path / name
        (folder / "bundle").mkdir(parents=True)
        (folder / "bundle" / "index.html").write_text("x")
        (folder / "meta.json").write_text("{}")
        os.utime(folder / "meta.json", (1, 1 if name == "a" else 99999))
    assert remote_cache.pack(tmp_path / "a") == remote_cache.pack(tmp_path / "b")


# ---------------------------------------------------------------- a misbehaving server


def config_for(root: Path, url: str, timeout: float = 1.0):  # type: ignore[no-untyped-def]
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    raw = {"webapp": {"source": "webapp"},
           "task": {"task_title": "t", "task_description": "d", "task_reward": 0.1,
                    "task_tags": "x"},
           "cache": {"dir": str(root / "cache"), "remote_url": url, "remote_team": TEAM,
                     "remote_timeout_s": timeout}}
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
    return remote_cache.pack(folder)


def test_signed_artifact_is_taken_unsigned_or_tampered_refused(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url)
    body = artifact(tmp_path, KEY)
    for tag, tampered, why in ((None, False, "it is not signed"),
                               (remote_cache.sign(b"wrong", KEY, TEAM, body), False,
                                "its signature does not match"),
                               (remote_cache.sign(SECRET.encode(), KEY, TEAM, body), True,
                                "its signature does not match")):
        behaviour.update(body=body + b"x" if tampered else body, tag=tag)
        reporter, err = warnings()
        assert remote_cache.fetch(config, KEY, reporter, ENV) is None
        assert f"artifact {KEY} refused: {why}" in err.getvalue()
        assert cache.lookup(config, KEY) is None
    behaviour.update(body=body, tag=remote_cache.sign(SECRET.encode(), KEY, TEAM, body))
    reporter, err = warnings()
    entry = remote_cache.fetch(config, KEY, reporter, ENV)
    assert entry is not None and err.getvalue() == ""
    assert (entry.path / "bundle" / "index.html").read_text() == "remote"
    assert cache.lookup(config, KEY) == entry  # now in the local cache


def test_a_signed_artifact_that_is_not_whole_is_refused(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    config = config_for(tmp_path / "p", url)
    body = artifact(tmp_path, KEY, damaged=True)
    behaviour.update(body=body, tag=remote_cache.sign(SECRET.encode(), KEY, TEAM, body))
    reporter, err = warnings()
    assert remote_cache.fetch(config, KEY, reporter, ENV) is None
    assert err.getvalue().strip() == (
        f"warning: remote cache: artifact {KEY} is damaged (bundle/index.html has 0 bytes, "
        "6 were stored); building locally")
    assert cache.lookup(config, KEY) is None


def test_slow_or_down_server_costs_a_warning(
    tmp_path: Path, fake_server: tuple[str, dict[str, object]]
) -> None:
    url, behaviour = fake_server
    behaviour["delay"] = 2.0
    config = config_for(tmp_path / "p", url, timeout=0.3)
    reporter, err = warnings()
    started = time.monotonic()
    assert remote_cache.fetch(config, KEY, reporter, ENV) is None
    assert time.monotonic() - started < 1.5
    assert "cannot fetch the build" in err.getvalue() and "building locally" in err.getvalue()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    config = config_for(tmp_path / "q", f"http://127.0.0.1:{closed}")
    reporter, err = warnings()
    assert remote_cache.fetch(config, KEY, reporter, ENV) is None
    assert "cannot fetch the build" in err.getvalue()


def test_without_signing_key_the_remote_is_not_used(tmp_path: Path) -> None:
    config = config_for(tmp_path / "p", "http://127.0.0.1:9")
    reporter, err = warnings()
    assert remote_cache.fetch(config, KEY, reporter, {"BUILDTOOLS_REMOTE_CACHE_TOKEN": "t"}) \
        is None
    assert "set BUILDTOOLS_REMOTE_CACHE_KEY" in err.getvalue()


def test_unsafe_archive_members_are_refused(tmp_path: Path) -> None:
    import tarfile

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    config = config_for(tmp_path / "p", "http://127.0.0.1:9")
    with pytest.raises(remote_cache.RemoteError, match="unsafe path"):
        remote_cache._unpack(config, KEY, raw.getvalue())
    assert not (tmp_path / "p" / "cache" / "escape.txt").exists()


# ---------------------------------------------------------------- the real server


def _tools_dir() -> Path:
    base = os.environ.get("BUILDTOOLS_TEST_TOOLS") or str(Path.home() / ".cache" /
                                                          "buildtools-tests")
    return Path(base) / SERVER_PACKAGE.replace("@", "-")


def _server_script() -> Path:
    """Install turborepo-remote-cache once (atomically), or skip saying why."""
    folder = _tools_dir()
    script = folder / "node_modules" / "turborepo-remote-cache" / "dist" / "cli.js"
    if script.is_file():
        return script
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    result = subprocess.run(
        ["npm", "install", "--prefix", str(staging), SERVER_PACKAGE, "--no-audit", "--no-fund",
         "--loglevel=error"], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip(f"cannot npm install {SERVER_PACKAGE}: {result.stderr.strip()[-300:]}")
    try:
        os.rename(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another run installed it meanwhile
    return script


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def remote_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm is not installed")
    script = _server_script()
    port = _free_port()
    storage = tmp_path_factory.mktemp("remote-storage")
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "STORAGE_PROVIDER": "local",
           "STORAGE_PATH": str(storage), "STORAGE_PATH_USE_TMP_FOLDER": "false",
           "TURBO_TOKEN": TOKEN, "LOG_LEVEL": "warn", "NODE_ENV": "production",
           # the server keeps x-artifact-tag only when this is set (to anything)
           "TURBO_REMOTE_CACHE_SIGNATURE_KEY": "tags-on"}
    log = (storage.parent / "server.log").open("wb")
    process = subprocess.Popen(["node", str(script)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    request = urllib.request.Request(f"{url}/v8/artifacts/status",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("turborepo-remote-cache did not start: "
                                f"{(storage.parent / 'server.log').read_text()[-500:]}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def remote_project(root: Path, url: str) -> Project:
    return make_project(root, extra_toml=(
        f'\n[cache]\nremote_url = "{url}"\nremote_team = "{TEAM}"\nremote_timeout_s = 5.0\n'))


def clone(project: Project, where: Path) -> Project:
    """What a fresh git clone has: no node_modules, no outputs, no state, no counts."""
    skip = shutil.ignore_patterns("node_modules", "dist", ".buildtools", ".doit.db*", "counts")
    shutil.copytree(project.root, where, ignore=skip)
    (where / "counts").mkdir()
    return Project(where)


def with_env(tmp_path: Path, name: str, **extra: str) -> dict[str, str]:
    return {"BUILDTOOLS_CACHE_DIR": str(tmp_path / name), **ENV, **extra}


@pytest.mark.integration
@needs("npm")
def test_store_from_one_clone_restore_into_another_without_npm(
    remote_server: str, tmp_path: Path
) -> None:
    first = remote_project(tmp_path / "first", remote_server)
    first.doit("build", env=with_env(tmp_path, "cache-1"))
    assert (first.count("install"), first.count("build")) == (1, 1)
    bundle = {p.name: p.read_bytes() for p in first.bundle.rglob("*") if p.is_file()}

    second = clone(first, tmp_path / "second")
    result = second.doit("build", env=with_env(tmp_path, "cache-2"))
    assert "restored from remote cache" in result.stdout, result.stdout + result.stderr
    assert (second.count("install"), second.count("build")) == (0, 0)
    assert not (second.webapp / "node_modules").exists()
    assert {p.name: p.read_bytes() for p in second.bundle.rglob("*") if p.is_file()} == bundle
    # node_modules are still missing: the next build installs them, and builds nothing.
    result = second.doit("build", env=with_env(tmp_path, "cache-2"))
    assert (second.count("install"), second.count("build")) == (1, 0), result.stdout
    assert "build is up to date" in second.doit("build", env=with_env(tmp_path, "cache-2")).stdout

    # Another team member's key, or none: the artifact is refused and the build runs here.
    third = clone(first, tmp_path / "third")
    env = with_env(tmp_path, "cache-3", BUILDTOOLS_REMOTE_CACHE_KEY="an attacker's key")
    result = third.doit("build", env=env)
    assert "refused: its signature does not match" in result.stderr
    assert (third.count("install"), third.count("build")) == (1, 1)


@pytest.mark.integration
@needs("npm")
def test_tampered_artifact_on_the_server_is_refused(remote_server: str, tmp_path: Path) -> None:
    first = remote_project(tmp_path / "first", remote_server)
    with (first.root / "assets" / "tamper.txt").open("w") as handle:
        handle.write("a bundle key of its own")
    first.doit("build", env=with_env(tmp_path, "cache-1"))
    entry = cache.entries(CacheConfig(True, tmp_path / "cache-1" / "cache", 1024, 30, "", "",
                                      "", "", 1.0))[0]
    # Overwrite the artifact on the server with a poisoned one, keeping the genuine tag.
    genuine = urllib.request.urlopen(urllib.request.Request(
        f"{remote_server}/v8/artifacts/{entry.key}?teamId={TEAM}",
        headers={"Authorization": f"Bearer {TOKEN}"}), timeout=10)
    tag = genuine.headers["x-artifact-tag"]
    genuine.close()
    assert tag
    (entry.path / "bundle" / "index.html").write_text("<script>evil()</script>")
    poisoned = remote_cache.pack(entry.path)
    urllib.request.urlopen(urllib.request.Request(
        f"{remote_server}/v8/artifacts/{entry.key}?teamId={TEAM}", data=poisoned, method="PUT",
        headers={"Authorization": f"Bearer {TOKEN}", "x-artifact-tag": tag,
                 "Content-Type": "application/octet-stream"}), timeout=10).close()

    second = clone(first, tmp_path / "second")
    result = second.doit("build", env=with_env(tmp_path, "cache-2"))
    assert "refused: its signature does not match" in result.stderr
    assert (second.count("install"), second.count("build")) == (1, 1)
    assert "evil" not in (second.bundle / "index.html").read_text()


@pytest.mark.integration
@needs("npm")
def test_remote_cache_down_builds_locally_with_a_warning(tmp_path: Path) -> None:
    project = remote_project(tmp_path / "p", f"http://127.0.0.1:{_free_port()}")
    result = project.doit("build", env=with_env(tmp_path, "cache"))
    assert (project.count("install"), project.count("build")) == (1, 1)
    assert "cannot fetch the build" in result.stderr
    assert "cannot upload the build" in result.stderr
    assert (project.bundle / "index.html").is_file()
