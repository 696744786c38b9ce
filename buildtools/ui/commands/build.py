"""`buildtools build`: run the stale stages (the same as `doit build`), through the one way of
buildtools.core.run; the fast path of buildtools.ui.cli answers `build [-q]` before click."""

from __future__ import annotations

from buildtools.core.run import BuildRun, Outcome, Request, tell
from buildtools.ui.common import terminal_reporter


def build_here(force: bool = False, quiet: bool = False, verbose: bool = False) -> Outcome:
    """verbose: each stage's key too, also when nothing runs."""
    run = BuildRun(Request(force=force, show_keys=verbose),
                   lambda: terminal_reporter(quiet, verbose))
    outcome = run.carry_out()
    if outcome.from_record:
        tell(outcome, run.reporter)
    return outcome
