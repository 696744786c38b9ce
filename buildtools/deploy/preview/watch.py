"""What `--watch` looks at: the stat signature (size, mtime, inode) of every file of the
build's input folders, taken again every `interval` seconds. A changed signature only says
"check now": the build's own freshness check decides whether anything runs (a touch that left
the content as it was runs nothing)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

# Never inputs, and written by installs and builds: a change there is no reason to check
SKIPPED_NAMES = frozenset({"node_modules", ".git", ".buildtools", "__pycache__", ".doit.db",
                           ".doit.db.db", ".doit.db.dat", ".doit.db.dir", ".doit.db.bak"})
Signature = dict[str, tuple[int, int, int]]


def tree_signature(roots: Iterable[Path], skipped: frozenset[Path]) -> Signature:
    """path -> (size, mtime_ns, inode) for every file under `roots` (a root may be a file),
    leaving out SKIPPED_NAMES and the folders of `skipped`."""
    found: Signature = {}
    pending = [str(root) for root in roots]
    skipped_text = {str(path) for path in skipped}
    while pending:
        path = pending.pop()
        try:
            info = os.stat(path)
        except OSError:
            continue
        if not os.path.isdir(path):
            found[path] = (info.st_size, info.st_mtime_ns, info.st_ino)
            continue
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if entry.name in SKIPPED_NAMES or entry.path in skipped_text:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    info = entry.stat()
                    found[entry.path] = (info.st_size, info.st_mtime_ns, info.st_ino)
            except OSError:
                continue
    return found


class Watcher:
    def __init__(self, roots: Iterable[Path], skipped: Iterable[Path] = ()) -> None:
        self.roots = tuple(roots)
        self.skipped = frozenset(skipped)
        self.last = tree_signature(self.roots, self.skipped)

    def changed(self) -> list[str]:
        """The files added, removed or re-stamped since the last call (or since the watcher
        was made); sorted."""
        now = tree_signature(self.roots, self.skipped)
        moved = sorted(path for path in now.keys() | self.last.keys()
                       if now.get(path) != self.last.get(path))
        self.last = now
        return moved

    def settle(self) -> None:
        """Take the signature as it is now (after a build, which may write in the tree)."""
        self.last = tree_signature(self.roots, self.skipped)


def watch(watcher: Watcher, on_change: Callable[[list[str]], None], stop: threading.Event,
          interval: float = 0.05, settle: float = 0.03) -> None:
    """Until `stop` is set: each time files changed, wait `settle` seconds for the rest of a
    save (editors write a file in steps), then `on_change(paths)`, then take the tree again.
    The pause between two looks is `interval`, or five times what a look took when that is
    longer, so that a large tree costs at most about a sixth of a core."""
    pause = interval
    while not stop.wait(pause):
        started = time.monotonic()
        moved = watcher.changed()
        pause = max(interval, 5 * (time.monotonic() - started))
        if not moved:
            continue
        if stop.wait(settle):
            return
        moved = sorted(set(moved) | set(watcher.changed()))
        on_change(moved)
        watcher.settle()
