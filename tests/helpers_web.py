"""Helpers for the tests that serve artifacts: a hand-made bundle, free ports, HTTP, Chromium."""

from __future__ import annotations

import json
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from buildtools.config.load import Config, build_config

TITLE = "Describe the picture"
HASHED_JS = "assets/index-B9jXQm3a.js"
HASHED_CSS = "assets/index-C4xT0aZ1.css"
NODE_VERSION = "20.20.2"

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
    <link rel="stylesheet" href="./{HASHED_CSS}" />
    <script type="module" src="./{HASHED_JS}"></script>
  </head>
  <body>
    <h1 id="task-title">loading</h1>
    <img id="task-image" alt="task image" />
  </body>
</html>
"""


def png_bytes(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
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


def make_bundle(
    folder: Path, title: str = TITLE, extra_files: dict[str, bytes] | None = None
) -> Path:
    """A bundle as `doit build` makes it: index.html, hashed assets, task_config.json and the
    extra_source_dir image at the root. Its script sets #task-title and data-loaded."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(INDEX_HTML)
    (folder / "assets").mkdir(exist_ok=True)
    (folder / HASHED_JS).write_text(APP_JS)
    (folder / HASHED_CSS).write_text("h1 { color: #333 }\n")
    (folder / "TestImg.png").write_bytes(png_bytes())
    (folder / "task_config.json").write_text(
        json.dumps({"task_title": title, "task_description": "d"}) + "\n"
    )
    for name, data in (extra_files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def make_config(root: Path, deploy: dict[str, Any] | None = None, title: str = TITLE) -> Config:
    """A Config for a project in `root` (webapp/ and assets/ made if missing)."""
    (root / "webapp").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "TestImg.png").write_bytes(png_bytes())
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes


def http_get(url: str, headers: dict[str, str] | None = None) -> Response:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


def wait_for_http(
    url: str, timeout: float = 20.0, proc: subprocess.Popen[Any] | None = None
) -> None:
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


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def dump_dom(url: str) -> str:
    """The DOM of `url` after its scripts ran, as headless Chromium sees it."""
    binary = chromium()
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        result = subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def assert_task_rendered(dom: str, title: str = TITLE) -> None:
    """The page's script loaded task_config.json, set the title, and the image loaded."""
    assert f'id="task-title">{title}</h1>' in dom, dom
    images = re.findall(r'<img[^>]*id="task-image"[^>]*>', dom)
    assert images and 'data-loaded="true"' in images[0], dom
