"""Fixtures of the preview tests: headless Chromium driven over its DevTools protocol (a small
client on websocket-client), `buildtools preview` run as a user runs it, and the task of
tests/fixtures/static_react_task installed once per session (real npm: webpack 5, Babel,
React 18, mephisto-task) and copied for each test (node_modules hard-linked)."""

from __future__ import annotations

import itertools
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parents[2] / "fixtures"
BUILDTOOLS = str(Path(sys.executable).parent / "buildtools")


class DevToolsError(AssertionError):
    pass


class Page:
    """One tab, through the browser's DevTools websocket (flattened session)."""

    def __init__(self, browser: Chromium, session: str, target: str) -> None:
        self.browser = browser
        self.session = session
        self.target = target

    def send(self, method: str, **params: Any) -> Any:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                          awaitPromise=True)
        if "exceptionDetails" in reply:
            raise DevToolsError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        """The value of `expression` once it is truthy; fails with the page's text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except DevToolsError:
                value = None  # the page is between two documents
            if value:
                return value
            time.sleep(0.05)
        body = self.evaluate("document.documentElement.outerHTML")
        raise AssertionError(f"not true within {timeout} s: {expression}\n{body}")

    def wait_for_value(self, expression: str, value: Any, timeout: float = 20.0) -> None:
        """Until `expression` equals `value` (compared in the page, as JSON)."""
        self.wait_for(f"JSON.stringify({expression}) === {json.dumps(json.dumps(value))}",
                      timeout)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def click(self, selector: str) -> None:
        self.wait_for(f"!!document.querySelector({json.dumps(selector)})")
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


@dataclass
class Chromium:
    process: subprocess.Popen[str]
    socket: Any
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, method: str, params: dict[str, Any], session: str | None = None) -> Any:
        with self._lock:
            number = next(self._ids)
            message: dict[str, Any] = {"id": number, "method": method, "params": params}
            if session is not None:
                message["sessionId"] = session
            self.socket.send(json.dumps(message))
            while True:  # events are dropped: the tests poll the page's state
                reply = json.loads(self.socket.recv())
                if reply.get("id") == number:
                    if "error" in reply:
                        raise DevToolsError(f"{method}: {reply['error']}")
                    return reply.get("result", {})

    def new_page(self, url: str) -> Page:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        return Page(self, session["sessionId"], target)


def _chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """Headless Chromium with its DevTools protocol on a port the OS chose; skipped, saying
    why, where Chromium or websocket-client is missing."""
    binary = _chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed")
    websocket = pytest.importorskip("websocket", reason="pip install websocket-client")
    profile = tempfile.mkdtemp(prefix="chromium-cdp-")
    process = subprocess.Popen(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert process.stderr is not None
        address = None
        for line in process.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                address = found.group(1)
                break
        assert address, f"chromium did not start (exit code {process.poll()})"
        threading.Thread(target=process.stderr.read, daemon=True).start()
        socket = websocket.create_connection(address, timeout=30, suppress_origin=True)
        yield Chromium(process, socket)
        socket.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(chromium: Chromium) -> Iterator[Page]:
    tab = chromium.new_page("about:blank")
    yield tab
    tab.close()


# ---------------------------------------------------------------- `buildtools preview`


@dataclass
class Preview:
    process: subprocess.Popen[str]
    url: str
    lines: list[str]

    def wait_for_line(self, pattern: str, timeout: float = 60.0, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[start:]:
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}:\n" + "\n".join(self.lines))


def preview_env(cache: Path) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "CYPRESS_INSTALL_BINARY": "0",
           "BUILDTOOLS_CACHE_DIR": str(cache), "PYTHONUNBUFFERED": "1"}
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG"):
        env.pop(name, None)
    return env


@pytest.fixture
def run_preview(tmp_path: Path) -> Iterator[Callable[..., Preview]]:
    """run_preview(folder, *args): `buildtools preview --port 0 ARGS` in `folder`, once it
    says where it serves; its output lines (stdout and stderr) are collected as they come.
    Stopped (its process group) when the test ends."""
    started: list[subprocess.Popen[str]] = []

    def start(folder: Path, *args: str, env: dict[str, str] | None = None) -> Preview:
        process = subprocess.Popen(
            [BUILDTOOLS, "preview", "--port", "0", *args], cwd=folder,
            env={**preview_env(tmp_path / "user-cache"), **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        started.append(process)
        lines: list[str] = []

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line.rstrip("\n"))

        threading.Thread(target=read, daemon=True).start()
        preview = Preview(process, "", lines)
        found = preview.wait_for_line(r"^preview of .* at http://127\.0\.0\.1:\d+/", 300)
        preview.url = re.search(r"http://127\.0\.0\.1:\d+/", found).group(0)  # type: ignore[union-attr]
        return preview

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


@pytest.fixture
def buildtools_in(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """buildtools_in(folder, *args): `buildtools ARGS` in `folder`, to its end."""

    def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([BUILDTOOLS, *args], cwd=folder, capture_output=True, text=True,
                              env=preview_env(tmp_path / "user-cache"), timeout=600)

    return run


# ---------------------------------------------------------------- the static_react_task fixture


def _copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, symlinks=True,
                    ignore=shutil.ignore_patterns("node_modules", "build", ".buildtools",
                                                  "dist"))
    modules = source / "webapp" / "node_modules"
    if modules.is_dir():
        subprocess.run(["cp", "-al", str(modules), str(dest / "webapp" / "node_modules")],
                       check=True)
    return dest


@pytest.fixture(scope="session")
def installed_react_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/static_react_task with its node_modules (npm ci), once per session."""
    root = _copy(FIXTURES / "static_react_task", tmp_path_factory.mktemp("react") / "task")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=root / "webapp", check=True,
                   env=preview_env(root / "unused"), capture_output=True, timeout=600)
    return root


@pytest.fixture
def react_task(installed_react_task: Path, tmp_path: Path) -> Path:
    """A copy of the installed static_react_task, for one test to change."""
    return _copy(installed_react_task, tmp_path / "task")


# ---------------------------------------------------------------- the template's task


@pytest.fixture(scope="session")
def installed_template_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`buildtools new` (the template, with its sample data) and `npm ci`, once per session."""
    base = tmp_path_factory.mktemp("template")
    env = preview_env(base / "unused")
    subprocess.run([BUILDTOOLS, "new", "task", "--no-input"], cwd=base, env=env, check=True,
                   capture_output=True, timeout=120)
    root = base / "task"
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=root / "webapp", check=True,
                   env=env, capture_output=True, timeout=600)
    return root


@pytest.fixture
def template_task(installed_template_task: Path, tmp_path: Path) -> Path:
    """A copy of the installed template task, for one test to change."""
    return _copy(installed_template_task, tmp_path / "task")


# ---------------------------------------------------------------- a real Mephisto (Python 3.10)

MEPHISTO = "mephisto==1.1.1"
# Mephisto 1.1.1's own requirements less detoxify (which brings torch, for a feature a static
# task does not use) and its parlai extra; click and jinja2 at the versions its flask 1 takes
MEPHISTO_DEPENDENCIES = (
    "boto3>=1.17,<2", "click>=7,<8", "click_default_group>=1.2,<2", "flask>=1.1,<2",
    "gevent-websocket>=0.10.1,<0.11", "hydra-core>=1.2,<2", "markupsafe==2.0.1",
    "prometheus-client>=0.13.1,<0.14", "requests>=2.22,<3", "rich>=12.5.1,<13",
    "rich-click>=1.5.1,<2", "sh>=1.12,<2", "tabulate>=0.8.7,<0.9", "tornado>=6,<7",
    "tqdm>=4.50.2,<5", "websockets>=10.1,<11", "werkzeug>=1.0.1,<2", "xmltodict>=0.12,<0.13",
    "itsdangerous<2.1", "jinja2>=3,<3.1")
REPOSITORY = Path(__file__).parents[3]
# buildtools' own requirements that Mephisto pins older (its flask 1 takes click 7, jinja2 3.0);
# the drop-in runs with Mephisto's
PINNED_BY_MEPHISTO = frozenset({"click", "jinja2"})


def dropin_dependencies() -> list[str]:
    """What buildtools.mephisto needs at run time beside Mephisto's packages: pyproject.toml's
    dependencies less PINNED_BY_MEPHISTO."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    return [requirement for requirement in project["dependencies"]
            if re.split(r"[<>=!~;\[ ]", requirement)[0].lower() not in PINNED_BY_MEPHISTO]
# The wheel names a job_logging config that it does not ship; the user's profile folder
# (~/.mephisto/hydra_configs) is on its Hydra search path
JOB_LOGGING = """\
version: 1
formatters:
  simple:
    format: "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"
handlers:
  console:
    class: logging.StreamHandler
    formatter: simple
    stream: ext://sys.stdout
root:
  level: INFO
  handlers: [console]
disable_existing_loggers: false
"""


@dataclass
class RealMephisto:
    python: Path  # the Python 3.10 of a virtualenv with Mephisto and buildtools
    home: Path  # HOME for Mephisto: its config names the data folder
    data: Path

    @staticmethod
    def stop_marked(name: str, value: str) -> None:
        stop_marked(name, value)


def stop_marked(name: str, value: str) -> None:
    """SIGKILL every process whose environment holds name=value: Mephisto starts its router
    in a process group of its own, which a signal to the launcher's group does not reach."""
    wanted = f"{name}={value}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if wanted in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:
            continue


@pytest.fixture(scope="session")
def real_mephisto(tmp_path_factory: pytest.TempPathFactory) -> RealMephisto:
    """Mephisto from PyPI in a Python 3.10 virtualenv (as Mephisto requires), with this
    buildtools installed beside it; skipped, saying why, where there is no python3.10."""
    base = tmp_path_factory.mktemp("mephisto-py310")
    python310 = shutil.which("python3.10")
    if python310 is None:
        pytest.skip("python3.10 is not installed (Mephisto runs on Python 3.10 only)")
    env = {**os.environ, "PYENV_VERSION": "3.10.13", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    venv = base / "venv"
    made = subprocess.run([python310, "-m", "venv", str(venv)], env=env, capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"python3.10 cannot make a virtualenv: {made.stderr.strip()[-200:]}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    for args in (["--no-deps", MEPHISTO], [*MEPHISTO_DEPENDENCIES, *dropin_dependencies()],
                 ["--no-deps", str(REPOSITORY)]):
        subprocess.run([*pip, *args], env=env, check=True, capture_output=True, timeout=900)
    home = base / "home"
    (home / ".mephisto" / "hydra_configs" / "hydra" / "job_logging").mkdir(parents=True)
    (home / ".mephisto" / "hydra_configs" / "hydra" / "job_logging" /
     "mephisto_default.yaml").write_text(JOB_LOGGING)
    data = base / "data"
    data.mkdir()
    (home / ".mephisto" / "config.yml").write_text(f"core:\n  main_data_directory: {data}\n")
    return RealMephisto(venv / "bin" / "python", home, data)
