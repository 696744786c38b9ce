"""The `buildtools` command's entry point: the fast path, then the click app (buildtools.ui.app).

`buildtools build` with nothing to do is the command people run most (by hand, from an editor,
from a pre-commit hook), so `main()` answers it, and `buildtools check`, without importing
click or doit. It parses and renders; buildtools.core.run (the one way through a build or a
check, for every front end) takes the steps:
1. buildtools.core.record: the record that the last full check left; when the stat signatures of
   every input still match, the answer needs no config, no hashing and no typing module, and is
   said here (buildtools.ui.lines);
2. else the config and the pipeline: every stage's key is checked, and what is stale is built;
and only for any other command (or a flag other than -q) is the click app built. This module's
imports are kept to what step 1 needs (no typing, pathlib or collections.abc).

Every command runs inside buildtools.handler.guarded, so the exit codes are: 0 success,
1 a user error (one line, no traceback; click's usage errors too), 3 a bug (traceback),
130 interrupted, 141 the output pipe was closed.
"""

from __future__ import annotations

import os
import sys

from buildtools.core.run import BuildRun, Request, tell
from buildtools.ui.lines import QuickLines

TYPE_CHECKING = False  # typing itself costs more to import than a fresh no-op check
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from buildtools.core.events import Reporter


PROG = "buildtools"
COMPLETE_ENV = "_BUILDTOOLS_COMPLETE"
QUIET_FLAGS = ("-q", "--quiet")


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> None:
    """The console script. Exits with 0, 1, 3, 130 or 141."""
    args = list(sys.argv[1:] if argv is None else argv)
    fast = _fast_command(args)
    if fast is not None and _guarded(fast):
        if argv is None:  # the console script: nothing runs after this
            _exit_at_once()
        raise SystemExit(0)
    from buildtools.ui.app import create_app

    create_app().main(args=args, prog_name=PROG)


def _fast_command(args: list[str]) -> Callable[[], bool] | None:
    """The click-free handler of `args`, when there is one: `build [-q]` and `check [-q]`.

    It returns True when it handled the command; False means "let the full CLI do it".
    """
    if COMPLETE_ENV in os.environ or not args or not set(args[1:]) <= set(QUIET_FLAGS):
        return None
    quiet = len(args) > 1
    if args[0] == "build":
        return lambda: _fast_build(quiet)
    if args[0] == "check":
        return lambda: _check(quiet)
    return None


def _fast_build(quiet: bool) -> bool:
    """`build`: the record's answer, else the build in one session, npm started during its
    check (buildtools.core.run)."""
    run = BuildRun(Request(early_start=True, term_interrupts=True), _terminal(quiet))
    answered = run.answer_from_record() or run.answer_from_recall(may_restore=True)
    if answered is not None:
        tell(answered, QuickLines(quiet))
    else:
        run.execute()
    return True


def _check(quiet: bool) -> bool:
    run = BuildRun(Request(), _terminal(quiet))
    answered = run.answer_from_record() or run.answer_from_recall(may_restore=False)
    if answered is not None:
        QuickLines(quiet).check_passed(answered.seconds)
        return True
    from buildtools.ui.commands.check import run_check

    return run_check(quiet, run)


def _terminal(quiet: bool) -> Callable[[], Reporter]:
    """The terminal reporter, made (and its module loaded) when a session opens."""

    def make() -> Reporter:
        from buildtools.ui.terminal import Reporter as TerminalReporter

        return TerminalReporter(quiet=quiet)

    return make


def _exit_at_once() -> None:
    """Exit 0 without tearing the interpreter down: after a build that loaded the pipeline,
    that teardown (freeing every module and object) takes longer than the no-op check. Every
    file is closed by then; the one thread that may still run closes the build trace's inotify
    descriptor, which the exit closes as well. What the command printed is flushed first."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(0) from None  # let Python's own exit deal with the closed stream
    os._exit(0)


def _guarded(function: Callable[[], bool]) -> bool:
    """buildtools.handler.guarded, imported only on failure (it imports traceback)."""
    try:
        return function()
    except SystemExit:
        raise
    except BaseException as exc:
        failure = exc
    from buildtools.handler import guarded

    def again() -> bool:
        raise failure

    return guarded(again)


if __name__ == "__main__":
    main()
