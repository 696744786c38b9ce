"""The `buildtools` command's entry point: the fast path, then the click app (buildtools.ui.app).

`buildtools build` with nothing to do is the command people run most (by hand, from an editor,
from a pre-commit hook), so `main()` answers it, and `buildtools check`, without importing
click or doit, in two steps:
1. buildtools.core.record: the record that the last full check left; when the stat signatures of
   every input still match, the answer needs no config, no hashing and no typing module;
2. else the config and the pipeline: every stage's key is checked;
and only when something must run (or for any other command) is the click app built. This
module's imports are kept to what those steps need (no typing, pathlib or collections.abc).

Every command runs inside buildtools.handler.guarded, so the exit codes are: 0 success,
1 a user error (one line, no traceback; click's usage errors too), 3 a bug (traceback),
130 interrupted, 141 the output pipe was closed.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # typing itself costs more to import than a fresh no-op check
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


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
        return lambda: _build(quiet)
    if args[0] == "check":
        return lambda: answer_from_record("check", quiet) or _checked(quiet)
    return None


def _build(quiet: bool) -> bool:
    """`build`: from the record, else in one session; the state folder is looked up once."""
    from buildtools.core.record import state_dir_for

    state = state_dir_for(os.getcwd(), os.environ)
    return answer_from_record("build", quiet, state) or _built(quiet, state)


def answer_from_record(command: str, quiet: bool, state_dir: str | None = None) -> bool:
    """Answer a no-op `build` or a passing `check` from buildtools.core.record's record; False when
    the record is missing or does not prove every stage up to date. `state_dir`: the project's
    state folder when the caller found it already."""
    from buildtools.core import record as fresh

    started = time.monotonic()
    found = fresh.check(state_dir=state_dir)
    if found is None:
        return False
    lines, bundle = found
    text = ""
    if command == "build" and not quiet:
        from buildtools.ui.lines import up_to_date_line

        try:
            colour = not os.environ.get("NO_COLOR") and sys.stdout.isatty()
        except (AttributeError, ValueError):
            colour = False
        text = "".join(f"{up_to_date_line(stage, detail, colour)}\n" for stage, detail in lines)
    elapsed = time.monotonic() - started
    line = fresh.final_line(elapsed, bundle) if command == "build" else fresh.check_passed(elapsed)
    sys.stdout.write(f"{text}{line}\n")
    sys.stdout.flush()
    return True


def _exit_at_once() -> None:
    """Exit 0 without tearing the interpreter down: after a build that loaded the pipeline,
    that teardown (freeing every module and object) takes longer than the no-op check. Every
    file is closed by then and no thread runs; what the command printed is flushed first."""
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


# ---------------------------------------------------------------- the commands, without click


def _built(quiet: bool, state: str | None) -> bool:
    """Build what is stale in one session: its check pass is the only scan of each tree.
    The build's npm run is started first, held until the check says it must run
    (buildtools.core.early), so that npm's start and the check overlap."""
    from buildtools.core import early

    if state is not None:
        early.start(state, os.environ)
    try:
        from buildtools.ui.commands.build import run_build
        from buildtools.util.process import sigterm_interrupts

        with sigterm_interrupts():  # as under buildtools.handler.guarded: SIGTERM exits 130
            run_build(False, quiet)
    finally:
        early.stop()  # when the build stage did not adopt it
    return True


def _checked(quiet: bool) -> bool:
    from buildtools.ui.commands.check import run_check

    return run_check(quiet, record_asked=True)


if __name__ == "__main__":
    main()
