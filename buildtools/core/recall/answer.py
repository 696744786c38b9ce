"""A build's answer from the recall points (buildtools.core.recall), before the pipeline is
imported: every stage up to date, or the build output and bundle put back from the cache."""

from __future__ import annotations

import fcntl
import os
import struct
import time

from buildtools.core import record
from buildtools.core.recall import points
from buildtools.core.recall.match import Looked, Match, matching, signature_of
from buildtools.core.recall.restore import Damaged, put_back

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


class Recalled:
    """lines: the (stage, detail) of the stages up to date; notes: the (stage, line) of what was
    put back (none when everything was up to date already); bundle: the bundle folder;
    pending: a point holds, but putting it back was not allowed: nothing was done, and the
    build is stale (a build would put it back)."""

    __slots__ = ("bundle", "lines", "notes", "pending", "seconds")

    def __init__(self, lines: list[tuple[str, str]], notes: list[tuple[str, str]],
                 bundle: str, seconds: float, pending: bool = False) -> None:
        self.lines = lines
        self.notes = notes
        self.bundle = bundle
        self.seconds = seconds
        self.pending = pending


def recall(state: str, cwd: str, environ: Mapping[str, str], *, may_restore: bool
           ) -> Recalled | None:
    """The answer of the newest point that holds (`pending` when one holds but putting it back
    is not allowed: `may_restore`); None when none does, or when putting it back could not be
    done: the full check decides then."""
    started = time.monotonic()
    identity = f"{cwd}\0{record.package_dir()}"
    looked = Looked()
    for path in points.newest_first(state):
        point = points.load(path)
        if point is None or point[1][1] != identity:
            continue
        try:
            if record.env_digest(environ, point[1][2]) != point[1][3]:
                continue
            found = matching(point, looked)
        except (TypeError, ValueError, AttributeError, IndexError, KeyError, struct.error):
            continue  # a damaged point proves nothing
        if found is None:
            continue
        if not found.restores:
            _settle(state, path, found)
            return Recalled(list(point[1][10]), [], point[1][9], time.monotonic() - started)
        if not may_restore:
            return Recalled([], [], point[1][9], time.monotonic() - started, pending=True)
        return _restored(state, path, point, started)
    return None


def _restored(state: str, path: str, point: tuple[Any, ...], started: float
              ) -> Recalled | None:
    """Put the point back under the project lock (None when another run holds it, or the
    entry is damaged or gone: the full check then decides, and says so)."""
    try:
        lock = os.open(os.path.join(state, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return None
        os.ftruncate(lock, 0)
        os.write(lock, str(os.getpid()).encode())  # whom another run waits for
        found = matching(point, Looked())  # again, afresh: another run may have finished
        if found is None:
            return None
        record.forget(state)
        try:
            put_back(point[6], point[5])
        except (Damaged, OSError):
            return None  # the pipeline decides (it says why when the entry is damaged)
        _touch(point[7])  # the entry was used now: pruned last
        _settle(state, path, found, restored=True)
    finally:
        os.close(lock)
    lines, notes = point[8]
    return Recalled(list(lines), list(notes), point[1][9], time.monotonic() - started)


def _settle(state: str, path: str, found: Match, restored: bool = False) -> None:
    """Write the record with the signatures found (those of the folders put back and the files
    written taken now, the files written being within the racy window), and the point with
    them: the next run answers from the record, or hashes those files again."""
    point = found.point
    old = point[1]
    written = {final for final, _part, _listing in point[6]} | set(point[5]) if restored else set()
    paths = _resigned(found, old[4], found.paths, False, written)
    followed = _resigned(found, old[6], found.followed, True, written)
    new = (old[0], old[1], old[2], old[3], old[4], _pack(paths), old[6], _pack(followed),
           found.trees, old[9], old[10])
    points.save(path, (*point[:1], new, *point[2:]))
    points.save(os.path.join(state, record.RECORD_NAME), new)  # the record, as a point


def _resigned(found: Match, joined: str, values: list[int], follow: bool,
              written: set[str]) -> list[int]:
    """`values` with the signatures of what was put back (`written`) taken again."""
    if not written:
        return values
    values = list(values)
    for index, path in enumerate(joined.split("\0") if joined else ()):
        if path in written:
            signature = signature_of(path, follow)
            if path in found.point[5]:  # a file just written: hashed again next time
                signature = found.settled(signature)
            values[index * 4:index * 4 + 4] = signature
    return values


def _pack(values: list[int]) -> bytes:
    return struct.pack(f"{len(values)}q", *values)


def _touch(path: str) -> None:
    try:  # noqa: SIM105 (contextlib is an import the fast path does without)
        os.utime(path)
    except OSError:
        pass
