"""A sign of life on a terminal while a stage runs: after a second with no output line, a
counter ("install        running, 7 s") is drawn on the last line and redrawn every quarter
second; it is erased before any other line is printed and when the stage ends.

Only the terminal reporter uses it, and only when its stream is a terminal and -q is not
given: redirected output (CI logs, pipes) gets nothing extra.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

from buildtools.ui.lines import DIM, paint, stage_name


class Ticker:
    DELAY = 1.0  # seconds of silence before the counter shows
    INTERVAL = 0.25

    def __init__(self, stream: TextIO, stage: str, colour: bool, lock: threading.Lock) -> None:
        self.stream = stream
        self.stage = stage
        self.colour = colour
        self.lock = lock  # held by whoever writes to the terminal, the ticker included
        self.started = time.monotonic()
        self._last_line = self.started
        self._drawn = ""  # the text on the line now
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"ticker-{stage}", daemon=True)

    def start(self) -> Ticker:
        self._thread.start()
        return self

    def text(self, now: float) -> str:
        running = paint(f"running, {int(now - self.started)} s", DIM, self.colour)
        return f"{stage_name(self.stage, self.colour)} {running}"

    def _run(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            now = time.monotonic()
            with self.lock:
                text = self.text(now)
                if self._stop.is_set() or now - self._last_line < self.DELAY or \
                        text == self._drawn:
                    continue
                self.stream.write(f"\r{text}\033[K")
                self.stream.flush()
                self._drawn = text

    def erase(self) -> None:
        """Before a line is printed (the caller holds the lock): the counter goes, and shows
        again only after another second of silence."""
        self._last_line = time.monotonic()
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = ""

    def stop(self) -> None:
        """The stage ended (the caller holds the lock): erase the counter for good."""
        self._stop.set()
        self.erase()
