"""The one top-level error handler: user errors are one line and exit 1, interrupts exit 130,
a closed output pipe exits 141 quietly, anything else is a bug: traceback, a request to report
it, exit 3."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from buildtools.errors import (
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT_CLOSED,
    EXIT_USER_ERROR,
    CommandFailed,
    Interrupted,
    UserError,
)

T = TypeVar("T")
ISSUES_HINT = "this is a bug in buildtools; please report it with the traceback above"


def guarded(function: Callable[[], T]) -> T:
    """Call `function`; turn its failures into the right message and exit code."""
    try:
        return function()
    except CommandFailed as exc:
        if exc.tail:
            sys.stderr.write(f"--- last {len(exc.tail)} lines of output ---\n")
            sys.stderr.write("\n".join(exc.tail) + "\n")
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(EXIT_USER_ERROR) from None
    except UserError as exc:
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
    except Exception:
        traceback.print_exc()
        sys.stderr.write(f"error: {ISSUES_HINT}\n")
        raise SystemExit(EXIT_INTERNAL_ERROR) from None
