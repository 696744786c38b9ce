"""Start a child process without importing subprocess: buildtools.core.early starts npm first
thing, and `import subprocess` alone (re, enum, locale, threading, selectors) takes about as
long as Python's own start."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is an import this module does without at run time
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import IO


class SpawnedProcess:
    """A child started as subprocess.Popen(argv, cwd=cwd, env=env, stdin=PIPE, stdout=PIPE,
    stderr=STDOUT, start_new_session=True, text=True, errors="replace") starts one, with the
    part of Popen's interface that buildtools.util.process uses (pid, stdin, stdout, poll,
    wait, returncode)."""

    def __init__(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> None:
        stdin_read, stdin_write = os.pipe()
        output_read, output_write = os.pipe()
        try:
            pid = os.fork()
        except BaseException:
            for fd in (stdin_read, stdin_write, output_read, output_write):
                os.close(fd)
            raise
        if pid == 0:  # the child: only exec or _exit leave this
            try:
                _become(argv, cwd, env, stdin_read, output_write)
            finally:
                os._exit(127)
        os.close(stdin_read)
        os.close(output_write)
        self.pid = pid
        self.returncode: int | None = None
        self.stdin: IO[str] | None = open(stdin_write, "w")  # noqa: SIM115 (the caller's)
        self.stdout: IO[str] | None = open(output_read, errors="replace")  # noqa: SIM115

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None:
            while self.returncode is None:
                _pid, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode
        import subprocess
        import time

        deadline = time.monotonic() + timeout
        while (code := self.poll()) is None:
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"process {self.pid}", timeout)
            time.sleep(0.005)
        return code


def _become(argv: Sequence[str], cwd: str, env: Mapping[str, str], stdin: int, output: int
            ) -> None:
    """In the forked child, what Popen does before exec with start_new_session=True,
    restore_signals=True and close_fds=True; then exec."""
    import _signal  # type: ignore[import-not-found]  # the C module: `signal` imports enum

    for name in ("SIGPIPE", "SIGXFZ", "SIGXFSZ"):  # Python ignores them; a child must not
        if hasattr(_signal, name):
            _signal.signal(getattr(_signal, name), _signal.SIG_DFL)
    os.setsid()
    os.chdir(cwd)
    os.dup2(stdin, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.closerange(3, _max_fd())
    os.execve(argv[0], list(argv), dict(env))


def _max_fd() -> int:
    try:
        return max(int(os.sysconf("SC_OPEN_MAX")), 256)
    except (ValueError, OSError):
        return 256
