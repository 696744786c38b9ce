"""What the user reads: one line per stage, npm output indented beneath, durations at the end.

- a stage prints "<stage>  up to date (detail)" or "<stage>  runs because <reason>", then, when
  it ran, "<stage>  done in 1.2 s: detail";
- quiet (-q) prints only the final line (errors go to stderr through buildtools.handler);
- verbose (-v) adds each stage's key under its line;
- colours only when the stream is a terminal and NO_COLOR is not set (https://no-color.org);
- progress() draws a bar on a terminal for work that lasts over about a second, and nothing
  at all when the output is not a terminal;
- while a stage runs, a counter of its seconds shows on a terminal after a second with no
  output (buildtools.ui.ticker); a stage that fails says so with its time.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import TextIO

from buildtools.ui.lines import (
    DIM,
    GREEN,
    NAME_WIDTH,
    RED,
    YELLOW,
    SaysUpToDate,
    paint,
    stage_name,
)
from buildtools.ui.ticker import Ticker

INDENT = "    "


def wants_colour(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """True when `stream` is a terminal and NO_COLOR is unset or empty."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    return _isatty(stream)


@dataclass
class Reporter(SaysUpToDate):
    out: TextIO = field(default_factory=lambda: sys.stdout)
    quiet: bool = False
    verbose: bool = False
    err: TextIO | None = None  # warnings and progress; None means sys.stderr at the time
    _ticker: Ticker | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def colour(self) -> bool:
        return wants_colour(self.out)

    @property
    def _err(self) -> TextIO:
        return self.err if self.err is not None else sys.stderr

    def _paint(self, text: str, code: str) -> str:
        return paint(text, code, self.colour)

    def _line(self, text: str, *, ends_stage: bool = True) -> None:
        with self._lock:
            if self._ticker is not None:
                if ends_stage:
                    self._ticker.stop()
                    self._ticker = None
                else:
                    self._ticker.erase()
            self.out.write(text + "\n")
            self.out.flush()

    def _tick(self, stage: str) -> None:
        """Show the running stage's seconds on a terminal until its next line."""
        if self.quiet or not _isatty(self._err):
            return
        with self._lock:
            self._ticker = Ticker(self._err, stage, wants_colour(self._err), self._lock).start()

    def _name(self, stage: str) -> str:
        return stage_name(stage, self.colour)

    def runs(self, stage: str, reason: str) -> None:
        if not self.quiet:
            self._line(f"{self._name(stage)} {self._paint('runs', YELLOW)} because {reason}")
            self._tick(stage)

    def would_run(self, stage: str, reason: str) -> None:
        """For `status`: the stage is stale and the next build runs it."""
        if not self.quiet:
            self._line(
                f"{self._name(stage)} {self._paint('would run', YELLOW)} because {reason}"
            )

    def done(self, stage: str, seconds: float, detail: str = "") -> None:
        if not self.quiet:
            suffix = f": {detail}" if detail else ""
            took = self._paint(f"done in {seconds:.1f} s", GREEN)
            self._line(f"{self._name(stage)} {took}{suffix}")

    def failed(self, stage: str, seconds: float) -> None:
        if not self.quiet:
            self._line(f"{self._name(stage)} {self._paint(f'failed after {seconds:.1f} s', RED)}")

    def stage_note(self, stage: str, text: str) -> None:
        """A stage's line that is neither up to date, runs nor done (a new toolchain, a
        restore from the cache)."""
        if not self.quiet:
            self._line(f"{self._name(stage)} {text}")

    def output(self, line: str) -> None:
        """A line of npm's (or the build's) output, indented under its stage."""
        if not self.quiet:
            self._line(f"{INDENT}{line}", ends_stage=False)

    def info(self, text: str) -> None:
        if not self.quiet:
            self._line(text, ends_stage=False)

    def key(self, stage: str, key: str) -> None:
        if self.verbose and not self.quiet:
            self._line(f"{'':<{NAME_WIDTH}} {self._paint(f'key {key}', DIM)}", ends_stage=False)

    def warn(self, text: str) -> None:
        stream = self._err
        with self._lock:
            if self._ticker is not None:
                self._ticker.erase()
            stream.write(f"{paint('warning', YELLOW, wants_colour(stream))}: {text}\n")
            stream.flush()

    def progress(self, total: int, label: str) -> Progress:
        """A progress bar for `total` steps; drawn only on a terminal, after `Progress.DELAY`.
        It takes the place of a running stage's counter (both draw on the last line)."""
        with self._lock:
            if self._ticker is not None:
                self._ticker.stop()
                self._ticker = None
        return Progress(self._err, total, label, enabled=not self.quiet and _isatty(self._err))


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """`with reporter.progress(n, "hashing webapp") as bar: ... bar.advance()`.

    Nothing is written during the first DELAY seconds (most runs finish by then), nor ever when
    the stream is not a terminal; the bar is redrawn at most every INTERVAL seconds and erased
    when the work ends.
    """

    DELAY = 1.0
    INTERVAL = 0.1
    WIDTH = 30

    def __init__(self, stream: TextIO, total: int, label: str, *, enabled: bool) -> None:
        self.stream = stream
        self.total = max(total, 0)
        self.label = label
        self.enabled = enabled
        self.count = 0
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def advance(self, steps: int = 1) -> None:
        self.count += steps
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._started < self.DELAY or now - self._drawn_at < self.INTERVAL:
            return
        self._drawn_at = now
        self._draw()

    def _draw(self) -> None:
        if self.total:
            fraction = min(self.count / self.total, 1.0)
            filled = int(fraction * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            text = f"{self.label} [{bar}] {self.count}/{self.total}"
        else:
            text = f"{self.label} {self.count}"
        self.stream.write(f"\r{text}\033[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False
