"""Errors the user can act on (printed as one line, exit 1) versus bugs (exit 3)."""

from __future__ import annotations

from collections.abc import Sequence

EXIT_USER_ERROR = 1
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130
EXIT_OUTPUT_CLOSED = 141  # 128 + SIGPIPE, as a shell reports it


class UserError(Exception):
    """A problem in the user's input or environment; the message says what to do."""


class CommandFailed(UserError):
    """An external command (npm, a script, nginx...) exited non-zero."""

    def __init__(self, cmd: Sequence[str], returncode: int, tail: Sequence[str], what: str) -> None:
        self.cmd = list(cmd)
        self.returncode = returncode
        self.tail = list(tail)
        self.streamed = False  # the output was shown as it came: the handler need not repeat it
        super().__init__(f"{what} failed (exit code {returncode}): {' '.join(self.cmd)}")


class Interrupted(BaseException):
    """Raised on SIGTERM so that cleanup runs as for Ctrl-C."""


def unreadable(path: object, exc: OSError) -> UserError:
    """A file or folder the build must read and cannot (mode 000, say)."""
    return UserError(f"cannot read {path}: {exc.strerror or exc}; make it readable (chmod), "
                     "or leave it out of the build (.gitignore)")


def unwritable(path: object, exc: OSError) -> UserError:
    """A folder the build must write and cannot (read-only, full, ...)."""
    return UserError(f"cannot write {path}: {exc.strerror or exc}; make it writable and run "
                     "again (what was built before is kept)")
