"""What the user reads: one line per stage, npm output indented beneath, durations at the end."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TextIO

NAME_WIDTH = 13


@dataclass
class Reporter:
    out: TextIO = field(default_factory=lambda: sys.stdout)
    quiet: bool = False
    verbose: bool = False

    @property
    def colour(self) -> bool:
        return self.out.isatty() and not os.environ.get("NO_COLOR")

    def _paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def _line(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def up_to_date(self, stage: str, detail: str = "") -> None:
        if not self.quiet:
            suffix = f" ({detail})" if detail else ""
            self._line(f"{stage:<{NAME_WIDTH}} {self._paint('up to date', '32')}{suffix}")

    def runs(self, stage: str, reason: str) -> None:
        if not self.quiet:
            self._line(f"{stage:<{NAME_WIDTH}} {self._paint('runs', '33')} because {reason}")

    def done(self, stage: str, seconds: float, detail: str = "") -> None:
        if not self.quiet:
            suffix = f": {detail}" if detail else ""
            self._line(f"{stage:<{NAME_WIDTH}} done in {seconds:.1f} s{suffix}")

    def info(self, text: str) -> None:
        if not self.quiet:
            self._line(text)

    def key(self, stage: str, key: str) -> None:
        if self.verbose and not self.quiet:
            self._line(f"{'':<{NAME_WIDTH}} key {key}")

    def final(self, text: str) -> None:
        self._line(text)

    def warn(self, text: str) -> None:
        sys.stderr.write(f"{self._paint('warning', '33')}: {text}\n")
        sys.stderr.flush()
