"""`buildtools preview` on bad input: one line that names the file or the port, exit code 1,
no traceback, nothing built or lost; and a plain buildtools project (no Mephisto) previews with
the mock crowd wrapper put into its page (real npm, a webapp with no dependencies)."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable
from subprocess import CompletedProcess

import pytest

from support.preview import Preview
from support.projects import Tiny

pytestmark = pytest.mark.needs("npm")


def test_a_bad_data_file_is_one_line_and_nothing_is_built(
        tiny: Tiny, buildtools_in: Callable[..., CompletedProcess[str]]) -> None:
    (tiny.root / "units.json").write_text('[{"text": "a"},\n  {"text": }]\n')
    result = buildtools_in(tiny.root, "preview", "--port", "0", "--data", "units.json")
    assert result.returncode == 1
    assert result.stderr == (
        "error: units.json: line 2: not valid JSON (Expecting value); fix it, or pass another "
        "file with --data\n")
    assert "Traceback" not in result.stdout + result.stderr
    assert tiny.count("build") == 0 and not tiny.bundle.exists()


def test_a_port_in_use_is_one_line(
        tiny: Tiny, buildtools_in: Callable[..., CompletedProcess[str]]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = buildtools_in(tiny.root, "preview", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr == (f"error: port {port} on 127.0.0.1 is in use; choose another with "
                             "--port (--port 0: any free port)\n")
    assert tiny.bundle.is_dir()  # the build before it is kept


def test_a_buildtools_project_previews_with_the_mock_crowd_wrapper(
        tiny: Tiny, run_preview: Callable[..., Preview]) -> None:
    preview = run_preview(tiny.root)
    assert "(units: 1, no data file: each unit is {})" in preview.wait_for_line("a unit: ")
    with urllib.request.urlopen(preview.url, timeout=10) as response:
        page = response.read().decode()
    assert page == '<script src="wrap_crowd_source.js"></script><p>hello</p>'
    with urllib.request.urlopen(preview.url + "note.txt", timeout=10) as response:
        assert response.read() == b"an asset\n"  # extra_source_dir, as in the bundle
