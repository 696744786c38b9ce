"""One run at a time per project: a second holder of the project lock waits, is told who holds
it, and gets it once the first lets go (two threads, each with its own open lock file: flock
locks them out of each other as it does two processes)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from buildtools.util.lock import project_lock


def test_a_second_run_waits_is_told_why_then_runs(tmp_path: Path) -> None:
    state = tmp_path / "project" / ".buildtools"
    held, release, done = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with project_lock(state, lambda message: order.append("first waited")):
            order.append("first holds")
            held.set()
            release.wait(30)
            order.append("first lets go")
        done.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert held.wait(30)
    told: list[str] = []

    def waiting(message: str) -> None:
        told.append(message)
        release.set()  # the first run finishes while this one waits

    with project_lock(state, waiting):
        order.append("second holds")
        assert (state / "lock").read_text() == str(os.getpid())
    thread.join(30)
    assert done.is_set()
    assert order == ["first holds", "first lets go", "second holds"]
    assert told == [f"waiting for another buildtools run in {state.parent} (pid {os.getpid()})"]
    assert (state / "lock").read_text() == ""  # nobody holds it


def test_an_uncontended_lock_never_waits(tmp_path: Path) -> None:
    state = tmp_path / ".buildtools"
    told: list[str] = []
    for _ in range(2):
        with project_lock(state, told.append):
            pass
    assert told == []
    assert (state / ".gitignore").is_file()  # the state folder ignores itself
