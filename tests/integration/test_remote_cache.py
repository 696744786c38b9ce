"""The shared remote cache against the real `turborepo-remote-cache` server from npm on
127.0.0.1: one clone stores, another restores without npm; a tampered artifact is refused; a
server that is down costs a warning.

The server is installed once into ~/.cache/buildtools-tests/ (or $BUILDTOOLS_TEST_TOOLS), which
CI may preinstall; the tests are skipped, saying why, when npm cannot install it.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from buildtools.config.load import CacheConfig
from buildtools.core.cache import local, pruning, remote

if TYPE_CHECKING:
    from tests.conftest import Web
    from tests.integration.conftest import Project

    MakeProject = Callable[..., Project]

SERVER_PACKAGE = "turborepo-remote-cache@2.12.0"
TOKEN = "test-token"
SECRET = "team-signing-key"
TEAM = "team_buildtools"
ENV = {"BUILDTOOLS_REMOTE_CACHE_TOKEN": TOKEN, "BUILDTOOLS_REMOTE_CACHE_KEY": SECRET}


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


@pytest.fixture(scope="session")
def remote_server(tmp_path_factory: pytest.TempPathFactory, web: Web) -> Iterator[str]:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm is not installed")
    script = _server_script()
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    storage = tmp_path_factory.mktemp("remote-storage")
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "STORAGE_PROVIDER": "local",
           "STORAGE_PATH": str(storage), "STORAGE_PATH_USE_TMP_FOLDER": "false",
           "TURBO_TOKEN": TOKEN, "LOG_LEVEL": "warn", "NODE_ENV": "production",
           # the server keeps x-artifact-tag only when this is set (to anything)
           "TURBO_REMOTE_CACHE_SIGNATURE_KEY": "tags-on"}
    log = (storage.parent / "server.log").open("wb")
    process = subprocess.Popen(["node", str(script)], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
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
        web.stop_group(process)
        log.close()


def remote_project(make_project: MakeProject, root: Path, url: str) -> Project:
    return make_project(root, extra_toml=(
        f'\n[cache]\nremote_url = "{url}"\nremote_team = "{TEAM}"\nremote_timeout_s = 5.0\n'))


def clone(project: Project, where: Path) -> Project:
    """What a fresh git clone has: no node_modules, no outputs, no state, no counts."""
    skip = shutil.ignore_patterns("node_modules", "dist", ".buildtools", ".doit.db*", "counts")
    shutil.copytree(project.root, where, ignore=skip)
    (where / "counts").mkdir()
    return dataclasses.replace(project, root=where)


def with_env(tmp_path: Path, name: str, **extra: str) -> dict[str, str]:
    return {"BUILDTOOLS_CACHE_DIR": str(tmp_path / name), **ENV, **extra}


@pytest.mark.needs("npm")
def test_store_from_one_clone_restore_into_another_without_npm(
    remote_server: str, tmp_path: Path, make_project: MakeProject
) -> None:
    first = remote_project(make_project, tmp_path / "first", remote_server)
    first.doit("build", env=with_env(tmp_path, "cache-1"))
    assert (first.count("install"), first.count("build")) == (1, 1)
    bundle = {p.name: p.read_bytes() for p in first.bundle.rglob("*") if p.is_file()}

    second = clone(first, tmp_path / "second")
    result = second.doit("build", env=with_env(tmp_path, "cache-2"))
    assert "restored from remote cache" in result.stdout, result.stdout + result.stderr
    assert (second.count("install"), second.count("build")) == (0, 0)
    assert not (second.webapp / "node_modules").exists()
    assert {p.name: p.read_bytes() for p in second.bundle.rglob("*") if p.is_file()} == bundle
    # node_modules are still missing, and not needed: the build is up to date for these very
    # install inputs, so the next build installs nothing and builds nothing.
    result = second.doit("build", env=with_env(tmp_path, "cache-2"))
    assert (second.count("install"), second.count("build")) == (0, 0), result.stdout
    assert "build is up to date" in result.stdout, result.stdout

    # Another team member's key, or none: the artifact is refused and the build runs here.
    third = clone(first, tmp_path / "third")
    env = with_env(tmp_path, "cache-3", BUILDTOOLS_REMOTE_CACHE_KEY="an attacker's key")
    result = third.doit("build", env=env)
    assert "refused: its signature does not match" in result.stderr
    assert (third.count("install"), third.count("build")) == (1, 1)


@pytest.mark.needs("npm")
def test_tampered_artifact_on_the_server_is_refused(
    remote_server: str, tmp_path: Path, make_project: MakeProject
) -> None:
    first = remote_project(make_project, tmp_path / "first", remote_server)
    with (first.root / "assets" / "tamper.txt").open("w") as handle:
        handle.write("a bundle key of its own")
    first.doit("build", env=with_env(tmp_path, "cache-1"))
    entry = pruning.entries(CacheConfig(True, tmp_path / "cache-1" / "cache", 1024, 30, "", "",
                                      "", "", 1.0))[0]
    remote_key = local.inputs_key_of(entry.key)  # the server keeps one entry per inputs key
    # Overwrite the artifact on the server with a poisoned one, keeping the genuine tag.
    genuine = urllib.request.urlopen(urllib.request.Request(
        f"{remote_server}/v8/artifacts/{remote_key}?teamId={TEAM}",
        headers={"Authorization": f"Bearer {TOKEN}"}), timeout=10)
    tag = genuine.headers["x-artifact-tag"]
    genuine.close()
    assert tag
    (entry.path / "bundle" / "index.html").write_text("<script>evil()</script>")
    poisoned = remote.pack(entry.path)
    urllib.request.urlopen(urllib.request.Request(
        f"{remote_server}/v8/artifacts/{remote_key}?teamId={TEAM}", data=poisoned, method="PUT",
        headers={"Authorization": f"Bearer {TOKEN}", "x-artifact-tag": tag,
                 "Content-Type": "application/octet-stream"}), timeout=10).close()

    second = clone(first, tmp_path / "second")
    result = second.doit("build", env=with_env(tmp_path, "cache-2"))
    assert "refused: its signature does not match" in result.stderr
    assert (second.count("install"), second.count("build")) == (1, 1)
    assert "evil" not in (second.bundle / "index.html").read_text()


@pytest.mark.needs("npm")
def test_remote_cache_down_builds_locally_with_a_warning(
    tmp_path: Path, make_project: MakeProject, free_port: Callable[[], int]
) -> None:
    project = remote_project(make_project, tmp_path / "p", f"http://127.0.0.1:{free_port()}")
    result = project.doit("build", env=with_env(tmp_path, "cache"))
    assert (project.count("install"), project.count("build")) == (1, 1)
    assert "cannot fetch the build" in result.stderr
    assert "cannot upload the build" in result.stderr
    assert (project.bundle / "index.html").is_file()
