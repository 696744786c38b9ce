"""The one top-level error handler: user errors are one line and exit 1, interrupts exit 130,
a closed output pipe exits 141 quietly, anything else is a bug: traceback, a request to report
it, exit 3."""

from __future__ import annotations

import errno
import os
import shutil
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

from buildtools.errors import (
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT_CLOSED,
    EXIT_USER_ERROR,
    CommandFailed,
    Interrupted,
    UserError,
)
from buildtools.util.diskfull import copy_failure, full_disk
from buildtools.util.process import sigterm_interrupts

T = TypeVar("T")
# Faults of the machine, not of buildtools: one line and exit 1, as for a user error
ENVIRONMENT_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC,
                                errno.EDQUOT})
ISSUES_HINT = "this is a bug in buildtools; please report it with the traceback above"


def guarded(function: Callable[[], T]) -> T:
    """Call `function`; turn its failures into the right message and exit code."""
    try:
        with sigterm_interrupts():
            return function()
    except CommandFailed as exc:
        _clear_live_line()
        if exc.tail and not exc.streamed:
            sys.stderr.write(f"--- last {len(exc.tail)} lines of output ---\n")
            sys.stderr.write("\n".join(exc.tail) + "\n")
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(EXIT_USER_ERROR) from None
    except UserError as exc:
        _clear_live_line()
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(EXIT_USER_ERROR) from None
    except BrokenPipeError:
        # The reader went away (`buildtools build | head`): nothing is wrong with the build's
        # state (a stage's stamp is cleared before it runs); say nothing more to a closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(EXIT_OUTPUT_CLOSED) from None
    except (KeyboardInterrupt, Interrupted):
        sys.stderr.write("interrupted; nothing was marked up to date that did not finish\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except SystemExit:
        raise
    except OSError as exc:
        _clear_live_line()
        said = full_disk(exc) or (copy_failure(exc) if isinstance(exc, shutil.Error) else None)
        if said is not None:
            sys.stderr.write(f"error: {said}\n")
            raise SystemExit(EXIT_USER_ERROR) from None
        if exc.errno not in ENVIRONMENT_ERRNOS:
            _report_bug()
        # A folder buildtools must write (its state, the cache, an output) that it may not
        sys.stderr.write(f"error: {_named(exc.filename)}: {exc.strerror}; check that "
                         "buildtools may write there\n")
        raise SystemExit(EXIT_USER_ERROR) from None
    except Exception:
        _report_bug()


def _named(filename: object) -> str:
    """The file of an OSError, or the folder it was to be made in (a temporary file that never
    came to be means nothing to the user)."""
    if filename is None:
        return "a file"
    path = Path(os.fsdecode(filename))  # type: ignore[arg-type]
    if path.exists():
        return str(path)
    return f"the folder {path.parent}"


def _clear_live_line() -> None:
    """A progress bar or a running stage's counter may be drawn on the last line of the
    terminal: the error starts on a clean one."""
    try:
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")
    except (AttributeError, ValueError):
        pass


def _report_bug() -> NoReturn:
    traceback.print_exc()
    sys.stderr.write(f"error: {ISSUES_HINT}\n")
    raise SystemExit(EXIT_INTERNAL_ERROR) from None
