"""What a build opened, seen by the kernel: Linux inotify (IN_OPEN) on the folders the build
could read, through ctypes (no dependency, no privilege).

Why the kernel and not the bundler: Vite 8 reads its modules in Rust (Rolldown), where a Node
`fs` preload sees none of them, and a shell script or an unknown tool has no hook at all. An
IN_OPEN event comes for every file and folder opened in a watched folder, whoever opens it and
in whatever language; a folder opened is a listing read (readdir, a glob, require.context).
What inotify cannot see: a file that was looked for and not found (no open succeeded), and a
folder that was not watched. The first is covered by hashing the listing of each folder a
read file lies in (buildtools.core.discovered_inputs); the second by `Tracer.complete`.

Every open in a watched folder counts, whoever made it (an editor, another build): more
inputs than needed, never fewer; but a file that was written (IN_MODIFY) and never read
(IN_ACCESS) is what the build wrote, a log or a counter, not an input. One watch per folder,
up to MAX_WATCHES folders (the kernel allows each user a limited number, shared by every
program). The events are read on a thread
while the build runs, so the kernel's queue does not overflow on a large build; an overflow
makes the trace incomplete, and the caller says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

IN_ACCESS = 0x00000001
IN_MODIFY = 0x00000002
IN_OPEN = 0x00000020
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_ISDIR = 0x40000000
_HEADER = struct.Struct("iIII")
MAX_WATCHES = 4000


@dataclass
class Trace:
    """The absolute paths opened in the watched folders while the trace ran."""

    files: set[str] = field(default_factory=set)
    # Files written and never read (read() of at least one byte) while the trace ran: what the
    # build writes (a log, a counter) is not an input
    written: set[str] = field(default_factory=set)
    read: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)  # folders opened (listed)
    complete: bool = True  # False: the event queue overflowed, or not every folder watched
    why_incomplete: str = ""


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        return libc
    except (OSError, AttributeError):
        return None


def available() -> bool:
    """True when this system can trace a build (Linux with inotify)."""
    libc = _libc()
    if libc is None:
        return False
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0:
        return False
    os.close(fd)
    return True


class Tracer:
    """Watch the folders of `roots` (recursively, not following symlinks, leaving out the
    folders `skip` says no to) for opens. `start()` returns False when inotify is not there;
    `stop()` returns the trace."""

    def __init__(self, roots: Iterable[str], skip: Callable[[str, str], bool]) -> None:
        self.roots = list(roots)
        self.skip = skip  # (folder path, entry name) -> leave that subfolder out
        self.trace = Trace()
        self._fd = -1
        self._paths: dict[int, str] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake_read = self._wake_write = -1  # a pipe that wakes the reading thread

    def start(self) -> bool:
        libc = _libc()
        if libc is None:
            return False
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return False
        self._fd = fd
        mask = IN_OPEN | IN_ACCESS | IN_MODIFY | IN_ONLYDIR | IN_DONT_FOLLOW
        # Every folder is listed before the first watch: the listing would read as an open
        for folder in self._folders():
            wd = libc.inotify_add_watch(fd, os.fsencode(folder), mask)
            if wd < 0:
                errno = ctypes.get_errno()
                if errno in (28, 24):  # ENOSPC, EMFILE: the user's watches are used up
                    self._incomplete(f"inotify: {os.strerror(errno)}")
                    break
                continue  # gone, or not readable: nothing can be read there either
            self._paths[wd] = folder
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._read_until_stopped, daemon=True,
                                        name="buildtools-trace")
        self._thread.start()
        return True

    def _folders(self) -> list[str]:
        """The folders to watch, breadth first from the roots, up to MAX_WATCHES."""
        pending: deque[str] = deque(self.roots)
        found: dict[str, None] = {}
        while pending:
            folder = pending.popleft()
            if folder in found:
                continue
            if len(found) >= MAX_WATCHES:
                self._incomplete(f"more than {MAX_WATCHES} folders to watch")
                break
            found[folder] = None
            pending.extend(self._subfolders(folder))
        return list(found)

    def _subfolders(self, folder: str) -> list[str]:
        try:
            with os.scandir(folder) as listing:
                return [entry.path for entry in listing
                        if entry.is_dir(follow_symlinks=False)
                        and not self.skip(folder, entry.name)]
        except OSError:
            return []

    def _incomplete(self, why: str) -> None:
        self.trace.complete = False
        self.trace.why_incomplete = self.trace.why_incomplete or why

    def _read_until_stopped(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(OSError, ValueError):
                ready, _, _ = select.select([self._fd, self._wake_read], [], [])
                if self._fd in ready:
                    self._drain()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self._fd, 256 * 1024)
            except BlockingIOError:
                return
            if not data:
                return
            self._parse(data)

    def _parse(self, data: bytes) -> None:
        offset = 0
        while offset + _HEADER.size <= len(data):
            wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
            raw = data[offset + _HEADER.size:offset + _HEADER.size + length]
            offset += _HEADER.size + length
            if mask & IN_Q_OVERFLOW:
                self._incomplete("inotify: the event queue overflowed")
                continue
            folder = self._paths.get(wd)
            if folder is None or mask & IN_IGNORED:
                continue
            name = os.fsdecode(raw.rstrip(b"\0"))
            if not mask & IN_OPEN:
                if name and not mask & IN_ISDIR:
                    path = os.path.join(folder, name)
                    (self.trace.read if mask & IN_ACCESS else self.trace.written).add(path)
                continue
            if not name:
                if mask & IN_ISDIR:
                    self.trace.folders.add(folder)
            elif mask & IN_ISDIR:
                if not self.skip(folder, name):
                    self.trace.folders.add(os.path.join(folder, name))
            else:
                self.trace.files.add(os.path.join(folder, name))

    def stop(self) -> Trace:
        """Stop watching; what was opened (every event the kernel queued until now), less the
        files that were written and never read."""
        if self._fd < 0:
            return self.trace
        self._stopping.set()
        os.write(self._wake_write, b"x")
        if self._thread is not None:
            self._thread.join()
        os.close(self._wake_read)
        os.close(self._wake_write)
        with contextlib.suppress(OSError):
            self._drain()
        # Closing an inotify descriptor waits for the kernel to tear its watches down (15-25 ms
        # with a project's folders watched): a thread closes it while the build goes on.
        threading.Thread(target=os.close, args=(self._fd,), daemon=True).start()
        self._fd = -1
        self.trace.files -= self.trace.written - self.trace.read
        return self.trace
