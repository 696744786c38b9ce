"""--watch sees added, changed and removed files, a touch too (the build's check then decides
that nothing runs), and never the folders the build writes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from buildtools.deploy.preview.watch import Watcher, watch


def test_a_change_an_addition_a_removal_and_a_touch_are_seen(tmp_path: Path) -> None:
    src = tmp_path / "webapp" / "src"
    src.mkdir(parents=True)
    (src / "App.jsx").write_text("a")
    (src / "old.js").write_text("o")
    watcher = Watcher([tmp_path / "webapp"])
    assert watcher.changed() == []
    (src / "App.jsx").write_text("bb")
    (src / "new.js").write_text("n")
    (src / "old.js").unlink()
    assert watcher.changed() == [str(src / "App.jsx"), str(src / "new.js"), str(src / "old.js")]
    info = (src / "App.jsx").stat()
    os.utime(src / "App.jsx", ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    assert watcher.changed() == [str(src / "App.jsx")]


def test_outputs_node_modules_and_state_are_not_watched(tmp_path: Path) -> None:
    webapp = tmp_path / "webapp"
    for folder in ("src", "dist", "node_modules/x", ".buildtools"):
        (webapp / folder).mkdir(parents=True)
    watcher = Watcher([webapp], [webapp / "dist"])
    (webapp / "dist" / "index.html").write_text("built")
    (webapp / "node_modules" / "x" / "i.js").write_text("m")
    (webapp / ".buildtools" / "stamp").write_text("s")
    assert watcher.changed() == []


def test_watch_calls_back_once_per_save_and_stops(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("1")
    watcher = Watcher([tmp_path])
    calls: list[list[str]] = []
    stop = threading.Event()
    seen = threading.Event()

    def on_change(paths: list[str]) -> None:
        calls.append(paths)
        seen.set()

    thread = threading.Thread(target=watch, args=(watcher, on_change, stop, 0.01, 0.02))
    thread.start()
    (tmp_path / "a.js").write_text("22")
    (tmp_path / "b.js").write_text("3")
    assert seen.wait(5)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert calls == [[str(tmp_path / "a.js"), str(tmp_path / "b.js")]]
