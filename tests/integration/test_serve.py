"""`python -m buildtools.ui.devserver` as a process: a busy port is one error line, the import
is cheap, and headless Chromium renders the served page."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from support.browser import Browser
from support.bundle import FACTS, make_bundle

SERVE = [sys.executable, "-m", "buildtools.ui.devserver"]


def test_port_in_use_is_one_error_line(tmp_path: Path) -> None:
    site = make_bundle(tmp_path / "public")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([*SERVE, str(site), "--port", str(port)],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 is in use; choose another with --port or "
        "[deploy.local] port\n"
    )


def test_import_is_cheap() -> None:
    code = "import sys, buildtools.deploy.serve; print('http.server' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.browser
def test_chromium_renders_the_served_page(tmp_path: Path, browser: Browser) -> None:
    site = make_bundle(tmp_path / "public")
    proc = subprocess.Popen([*SERVE, str(site), "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(f"serving {site} at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split(" ")[0]
        browser.assert_task_rendered(url, FACTS.title)
    finally:
        proc.terminate()
        proc.wait(10)
