"""How a stage's line reads, and how "up to date" is said, for every front end. It imports
nothing costly (os, sys): the CLI says the no-op answer with it before loading anything else,
and the terminal reporter (buildtools.ui.terminal) says the same lines through it."""

from __future__ import annotations

import os
import sys

NAME_WIDTH = 14

GREEN = "32"
YELLOW = "33"
RED = "31"
BOLD = "1"
DIM = "2"


def paint(text: str, code: str, enabled: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled else text


def stage_name(stage: str, colour: bool) -> str:
    return paint(f"{stage:<{NAME_WIDTH}}", BOLD, colour)


def up_to_date_line(stage: str, detail: str, colour: bool) -> str:
    suffix = f" ({detail})" if detail else ""
    return f"{stage_name(stage, colour)} {paint('up to date', GREEN, colour)}{suffix}"


class SaysUpToDate:
    """The one place that says "up to date": each stage's line, the closing line of a build that
    ran nothing, the closing line of a check that passed. quiet (-q) keeps the closing lines
    only. A subclass says where lines go (`_line`) and whether they are painted (`colour`)."""

    quiet = False

    @property
    def colour(self) -> bool:
        raise NotImplementedError

    def _line(self, text: str) -> None:
        raise NotImplementedError

    def up_to_date(self, stage: str, detail: str = "") -> None:
        if not self.quiet:
            self._line(up_to_date_line(stage, detail, self.colour))

    def final(self, text: str) -> None:
        self._line(text)

    def stage_note(self, stage: str, text: str) -> None:
        """A stage's line that is neither up to date, runs nor done (a restore from the
        cache)."""
        if not self.quiet:
            self._line(f"{stage_name(stage, self.colour)} {text}")

    def all_up_to_date(self, seconds: float, bundle: str) -> None:
        self.final(f"build is up to date ({seconds:.2f} s): {bundle}")

    def check_passed(self, seconds: float) -> None:
        self.final(f"check passed: the bundle is up to date ({seconds:.2f} s)")


class QuickLines(SaysUpToDate):
    """The no-op answer on stdout, with nothing else loaded (the CLI's fast path, doit's
    up-to-date check): the events of core.run.tell, and the check's verdict."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    @property
    def colour(self) -> bool:
        try:
            return not os.environ.get("NO_COLOR") and sys.stdout.isatty()
        except (AttributeError, ValueError):
            return False

    def _line(self, text: str) -> None:
        sys.stdout.write(f"{text}\n")
        sys.stdout.flush()
