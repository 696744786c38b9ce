"""When a stat signature vouches for a file's content: not while the file may still change
within the same step of the clock that stamps its times (the "racy git" problem). The no-op
record (buildtools.core.recorder) and the recall points (buildtools.core.recall) keep no
signature younger than that; imports time only."""

from __future__ import annotations

import time

from buildtools.fingerprint.statcache import RACY_WINDOW_NS

_CLOCK_REALTIME_COARSE = 5  # Linux's clockid; time does not name it


def _tick_ns() -> int:
    """Twice the step of the clock that stamps file times (Linux: the coarse clock, one kernel
    tick); where it cannot be asked, the racy window of whole-second filesystems."""
    try:
        return max(2 * int(time.clock_getres(_CLOCK_REALTIME_COARSE) * 1e9), 2_000_000)
    except (OSError, AttributeError):
        return RACY_WINDOW_NS


FINE_RACY_WINDOW_NS = _tick_ns()


def racy(mtime_ns: int, ctime_ns: int, started_ns: int) -> bool:
    """True when a file with these times may change again unseen by a signature taken at
    `started_ns`. A filesystem that keeps whole seconds (FAT, HFS+, ext4 with small inodes)
    gives no sub-second part: then the racy window (2 s) applies. One that keeps finer times
    stamps a write with the kernel's coarse clock, at most one tick (4 ms here, 10 ms at
    HZ=100) behind the time read before the signature: FINE_RACY_WINDOW_NS is two ticks."""
    for stamp in (mtime_ns, ctime_ns):
        window = RACY_WINDOW_NS if stamp % 1_000_000_000 == 0 else FINE_RACY_WINDOW_NS
        if stamp >= started_ns - window:
            return True
    return False
