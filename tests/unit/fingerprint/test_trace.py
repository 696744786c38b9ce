"""The build's trace (Linux inotify): what was opened in the watched folders, read or listed;
what was only written is no input; node_modules is not watched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from buildtools.fingerprint.trace import Tracer, available

pytestmark = pytest.mark.skipif(not available(), reason="needs Linux inotify")


def test_the_trace_sees_files_read_and_folders_listed_anywhere_in_the_tree(
        tmp_path: Path) -> None:
    (tmp_path / "webapp" / "src").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    for name in ("shared/util.js", "webapp/.env.local", "webapp/src/a.js",
                 "node_modules/pkg/index.js", "shared/unread.js", "log.txt", "empty.txt"):
        (tmp_path / name).write_text("" if name == "empty.txt" else "x")
    tracer = Tracer([str(tmp_path)], lambda folder, name: name == "node_modules")
    assert tracer.start()
    for name in ("shared/util.js", "webapp/.env.local", "webapp/src/a.js",
                 "node_modules/pkg/index.js", "empty.txt"):
        (tmp_path / name).read_text()
    with (tmp_path / "log.txt").open("a") as log:  # written, never read: an output
        log.write("built\n")
    os.listdir(tmp_path / "webapp" / "src")
    trace = tracer.stop()
    assert trace.complete
    assert trace.files == {str(tmp_path / name) for name in (
        "shared/util.js", "webapp/.env.local", "webapp/src/a.js", "empty.txt")}
    assert str(tmp_path / "webapp" / "src") in trace.folders


def test_a_trace_of_nothing_opened_is_empty_and_stops_at_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    tracer = Tracer([str(tmp_path)], lambda folder, name: False)
    assert tracer.start()
    trace = tracer.stop()
    assert (trace.files, trace.folders, trace.complete) == (set(), set(), True)
