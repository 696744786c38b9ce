"""The one top-level error handler: user errors are one line and exit 1, interrupts exit 130,
anything else is a bug: traceback, a request to report it, exit 3."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from buildtools.errors import (
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
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
    except (KeyboardInterrupt, Interrupted):
        sys.stderr.write("interrupted; nothing was marked up to date that did not finish\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        sys.stderr.write(f"error: {ISSUES_HINT}\n")
        raise SystemExit(EXIT_INTERNAL_ERROR) from None
