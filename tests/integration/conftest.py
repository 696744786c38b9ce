"""Fixtures of the integration tests (real npm, node, nginx, Chromium, pre-commit, sshd; every
test here is marked `integration` by tests/conftest.py): one npm cache per test session, the
task project rendered from webapp_template with install and build counters, a tiny project
(real npm, real node, no dependencies to download), a runner of the real `buildtools` command,
and headless Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from buildtools.core.template import render_tree, template_context, template_root

BUILDTOOLS = str(Path(sys.executable).parent / "buildtools")
TINY_TOML = """\
[webapp]
source = "webapp"
output = "dist"
extra_source_dir = "assets"

[task]
task_title = "Tiny"
task_description = "A tiny task."
task_reward = 0.1
task_tags = "tiny"
"""
# The build: dist/index.html made of src/*.txt, of the `text` of each dependency, and of the
# files that TINY_READ lists (paths relative to the webapp, comma-separated)
TINY_BUILD = """\
const fs = require('fs');
fs.appendFileSync('../counts/build', 'x');
let body = fs.readdirSync('src').sort().map((n) => fs.readFileSync('src/' + n, 'utf8')).join('');
for (const name of Object.keys(require('./package.json').dependencies || {})) {
  body += require(name).text;
}
for (const path of (process.env.TINY_READ || '').split(',').filter(Boolean)) {
  body += fs.readFileSync(path, 'utf8');
}
fs.mkdirSync('dist', {recursive: true});
fs.writeFileSync('dist/index.html', '<p>' + body + '</p>');
"""


COUNT_INSTALL = "node -e \"require('fs').appendFileSync('../counts/install','x')\""


@dataclass
class Tiny:
    root: Path

    @property
    def webapp(self) -> Path:
        return self.root / "webapp"

    @property
    def bundle(self) -> Path:
        return self.root / "dist" / "bundle"

    def count(self, what: str) -> int:
        path = self.root / "counts" / what
        return len(path.read_text()) if path.exists() else 0

    def run(self, *args: str, env: dict[str, str] | None = None, code: int | None = 0,
            command: str = BUILDTOOLS, prefix: tuple[str, ...] = ()
            ) -> subprocess.CompletedProcess[str]:
        """`buildtools ARGS` (or `command ARGS`) in the project; asserts the exit code."""
        full_env = clean_env()
        full_env.update(env or {})
        result = subprocess.run([*prefix, command, *args], cwd=self.root, env=full_env,
                                capture_output=True, text=True, timeout=600)
        if code is not None and result.returncode != code:
            raise AssertionError(f"{command} {' '.join(args)} exited {result.returncode}, "
                                 f"not {code}\n{result.stdout}\n{result.stderr}")
        return result

    @staticmethod
    def snapshot(folder: Path) -> dict[str, bytes]:
        """Every file of `folder` with its bytes: what a failed run must leave as it was."""
        return {path.relative_to(folder).as_posix(): path.read_bytes()
                for path in sorted(folder.rglob("*")) if path.is_file()}

    @staticmethod
    def one_error(result: subprocess.CompletedProcess[str]) -> str:
        """The one line of stderr, which must be an error line (no traceback), exit code 1."""
        assert result.returncode == 1, result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        return lines[0]

    def edit_package_json(self, **changes: object) -> None:
        path = self.webapp / "package.json"
        data = json.loads(path.read_text())
        data.update(changes)
        path.write_text(json.dumps(data, indent=2) + "\n")


def clean_env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG"):
        env.pop(name, None)
    return env


def _make_tiny(root: Path, toml: str = TINY_TOML, lockfile: bool = True) -> Tiny:
    """A project whose webapp has no dependencies: its build is `node build.cjs`; with the
    package-lock.json that npm would write for it, unless `lockfile` is false."""
    (root / "webapp" / "src").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "counts").mkdir()
    (root / "buildtools.toml").write_text(toml)
    (root / "dodo.py").write_text("from buildtools.tasks import *  # noqa: F403\n")
    (root / "assets" / "note.txt").write_text("an asset\n")
    (root / "webapp" / "src" / "a.txt").write_text("hello")
    (root / "webapp" / "build.cjs").write_text(TINY_BUILD)
    (root / "webapp" / "package.json").write_text(json.dumps(
        {"name": "tiny", "version": "1.0.0", "private": True,
         "scripts": {"build": "node build.cjs", "postinstall": COUNT_INSTALL}}, indent=2) + "\n")
    if lockfile:
        (root / "webapp" / "package-lock.json").write_text(json.dumps(
            {"name": "tiny", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
             "packages": {"": {"name": "tiny", "version": "1.0.0"}}}, indent=2) + "\n")
    return Tiny(root)


@pytest.fixture
def tiny(tmp_path: Path) -> Tiny:
    return _make_tiny(tmp_path / "tiny")


@pytest.fixture
def make_tiny() -> Callable[..., Tiny]:
    """make_tiny(root, toml=TINY_TOML, lockfile=True): the tiny project in `root`."""
    return _make_tiny


# ---------------------------------------------------------------- processes a test leaves

SESSION_MARK = "BUILDTOOLS_TEST_SESSION"


def _marked_processes(mark: str) -> list[tuple[int, str]]:
    """(pid, command line) of the living processes whose environment holds `mark`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace").strip()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone, or not ours to read
        if state != "Z" and f"{SESSION_MARK}={mark}".encode() in environ:
            found.append((int(entry.name), cmdline))
    return found


@pytest.fixture(scope="session", autouse=True)
def no_process_left() -> Iterator[None]:
    """Every process the tests start carries a mark in its environment; at the end of the
    session none may still run (a server whose launcher was killed but not its child, say).
    The run fails naming them, and they are stopped."""
    if not Path("/proc/self/environ").exists():
        yield
        return
    mark = f"{os.getpid()}-{time.time_ns()}"
    os.environ[SESSION_MARK] = mark
    yield
    left = _marked_processes(mark)
    deadline = time.monotonic() + 5
    while left and time.monotonic() < deadline:  # some may be on their way out
        time.sleep(0.2)
        left = _marked_processes(mark)
    for pid, _ in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, "processes left running by the tests: " + "; ".join(
        f"{pid} {cmdline}" for pid, cmdline in left)


# ---------------------------------------------------------------- a real S3-API server

S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass
class S3Server:
    """moto's standalone S3 server on 127.0.0.1 (port chosen by the OS)."""

    endpoint: str

    @property
    def environ(self) -> dict[str, str]:
        """What a deploy needs: PATH and the (fake) credentials; no AWS profile of this
        machine is read."""
        return {"PATH": os.environ.get("PATH", ""), **S3_CREDENTIALS,
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

    def client(self) -> Any:
        import boto3
        from botocore.config import Config as BotoConfig

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
            config=BotoConfig(s3={"addressing_style": "path"}))


@pytest.fixture
def s3() -> Iterator[S3Server]:
    """A fresh moto_server per test, stopped afterwards."""
    import re
    import signal

    server = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    if not Path(server).exists():
        pytest.skip("moto_server is not installed: pip install -e '.[test]'")
    proc = subprocess.Popen([server, "-H", "127.0.0.1", "-p", "0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        port = None
        for line in proc.stderr:  # werkzeug says where it listens
            found = re.search(r"Running on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        assert port is not None, f"moto_server did not start (exit code {proc.poll()})"
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
        yield S3Server(endpoint=f"http://127.0.0.1:{port}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# ---------------------------------------------------------------- one npm cache per session


@pytest.fixture(scope="session", autouse=True)
def session_npm_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """npm's cache for this test session, shared by the xdist workers (npm's cache is safe for
    concurrent use): the first install downloads, every later one is warm and, with
    prefer-offline, asks the registry nothing. Only packages live there, never a build output,
    so tests that count installs and builds still count their own."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder all workers' temp folders are in
    cache = base / "npm-cache"
    cache.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("npm_config_cache", str(cache))
        patch.setenv("npm_config_prefer_offline", "true")
        patch.setenv("npm_config_audit", "false")
        patch.setenv("npm_config_fund", "false")
        patch.setenv("npm_config_update_notifier", "false")
        yield cache


# ---------------------------------------------------------------- the template project

DOIT = str(Path(sys.executable).parent / "doit")
TASK = {
    "task_name": "test-task",
    "task_title": "Rate the picture",
    "task_description": "Tell us if the picture is clear.",
    "task_reward": 0.25,
    "task_tags": "test,image",
}


@dataclass
class Project(Tiny):
    """A user's task folder from webapp_template; npm lifecycle scripts count installs and
    builds in counts/ (outside the fingerprinted tree)."""

    def doit(self, *args: str, env: dict[str, str] | None = None,
             check: bool = True) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "NO_COLOR": "1"}
        full_env.pop("BUILDTOOLS_FORCE_REBUILD", None)
        full_env.update(env or {})
        result = subprocess.run(
            [DOIT, *args], cwd=self.root, env=full_env, capture_output=True, text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"doit {' '.join(args)} exited {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result



def _make_project(root: Path, extra_toml: str = "") -> Project:
    render_tree(template_root(), root, template_context(TASK))
    (root / "counts").mkdir()
    project = Project(root)
    data = json.loads((project.webapp / "package.json").read_text())
    data["scripts"]["postinstall"] = (
        "node -e \"require('fs').appendFileSync('../counts/install','x')\""
    )
    data["scripts"]["prebuild"] = (
        "node -e \"require('fs').appendFileSync('../counts/build','x')\""
    )
    (project.webapp / "package.json").write_text(json.dumps(data, indent=2) + "\n")
    if extra_toml:
        with (root / "buildtools.toml").open("a") as handle:
            handle.write(extra_toml)
    return project


@pytest.fixture
def make_project() -> Callable[..., Project]:
    """make_project(root, extra_toml=""): webapp/ from the template, assets/, buildtools.toml
    (with `extra_toml` appended), dodo.py, and counts/ of installs and builds."""
    return _make_project


@pytest.fixture(scope="session")
def make_project_once() -> Callable[..., Project]:
    """make_project, for a fixture of wider scope (a module that shares one installed
    project among its tests)."""
    return _make_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return _make_project(tmp_path / "task")


@pytest.fixture
def doit_command() -> str:
    """The `doit` of this virtualenv."""
    return DOIT


@pytest.fixture
def buildtools_command() -> str:
    """The `buildtools` of this virtualenv."""
    return BUILDTOOLS


# ---------------------------------------------------------------- headless Chromium


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """Headless Chromium, as root: a fresh profile per page load."""

    def __init__(self, binary: str) -> None:
        self.binary = binary

    def dump_dom(self, url: str) -> str:
        """The DOM of `url` after its scripts ran."""
        with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
            result = subprocess.run(
                [self.binary, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
                 "--virtual-time-budget=5000", "--dump-dom", url],
                capture_output=True, text=True, timeout=90,
            )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def assert_task_rendered(self, url: str, title: str) -> None:
        """The page's script loaded task_config.json, set the title, and the image loaded."""
        dom = self.dump_dom(url)
        assert f'id="task-title">{title}</h1>' in dom, dom
        images = re.findall(r'<img[^>]*id="task-image"[^>]*>', dom)
        assert images and 'data-loaded="true"' in images[0], dom


@pytest.fixture(scope="session")
def browser() -> Browser:
    """Headless Chromium; the test is skipped, saying so, where it is not installed. Mark such
    tests `browser`."""
    binary = _chromium()
    if binary is None:
        pytest.skip("chromium is not installed")
    return Browser(binary)
