"""The one subprocess runner: hands each output line to a sink, keeps the tail, kills the
process group on stop. It never prints: the caller's sink decides where lines go."""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Protocol

from buildtools.errors import CommandFailed, Interrupted, UserError

TAIL_LINES = 40


class Running(Protocol):
    """What run() and kill_group() use of a started process: subprocess.Popen, or
    buildtools.util.spawn.SpawnedProcess."""

    pid: int

    @property
    def stdout(self) -> IO[str] | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


class Runner(Protocol):
    """How the core starts a program (npm, node, nodeenv, the post_install_script), given to it
    as pypa/build's ProjectBuilder is given a runner: `run` below is the real one, which the
    front ends pass by default; buildtools.testing.fake_npm plays npm for the unit tests."""

    def __call__(
        self,
        cmd: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        what: str,
        sink: Callable[[str], None] | None = None,
        started: Running | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> list[str]: ...


def find_executable(name: str, path: str | None) -> str:
    found = shutil.which(name, path=path)
    if found is None:
        raise UserError(f"'{name}' was not found on PATH; install it or set [webapp] node")
    return found


def run(
    cmd: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    what: str,
    sink: Callable[[str], None] | None = None,
    started: Running | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[str]:
    """Run `cmd`, hand each line of its output to `sink` as it comes, return all its lines.

    The child gets its own process group so that an interrupt kills npm and everything it
    started. Raises CommandFailed with the last lines of output on a non-zero exit.
    `started`: that very command, started already in the same way (buildtools.core.early).
    `meanwhile`: called once the command runs, before its output is read (the pipe holds it).
    """
    lines: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    everything: list[str] = []
    proc = started or _start(cmd, cwd, env)
    previous_term = _raise_on_sigterm()
    try:
        if meanwhile is not None:
            meanwhile()
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            everything.append(line)
            if sink is not None:
                sink(line)
        returncode = proc.wait()
    except (KeyboardInterrupt, Interrupted):
        kill_group(proc)
        raise
    finally:
        _restore_sigterm(previous_term)
    if returncode != 0:
        raise CommandFailed(cmd, returncode, list(lines), what)
    return everything


def _start(cmd: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Running:
    import subprocess  # here: a build whose npm was started early never needs it

    return subprocess.Popen(
        [find_executable(cmd[0], env.get("PATH")), *cmd[1:]],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
        errors="replace",
        bufsize=1,
    )


def kill_group(proc: Running) -> None:
    """Stop the child's whole process group: TERM, then KILL if it lingers."""
    import subprocess

    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Inside, SIGTERM raises Interrupted as Ctrl-C raises KeyboardInterrupt: what is under way
    is cleaned up, nothing unfinished is marked up to date, and the command exits 130."""
    previous = _raise_on_sigterm()
    try:
        yield
    finally:
        _restore_sigterm(previous)


def _on_sigterm(signum: int, frame: object) -> None:
    raise Interrupted()


def _raise_on_sigterm() -> object:
    try:
        return signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not in the main thread
        return None


def _restore_sigterm(previous: object) -> None:
    if previous is None:
        return
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]
