"""The running stage's counter (buildtools.ui.ticker through the terminal Reporter): drawn on a
terminal after a silence, erased before every other line, never drawn for a pipe or under -q;
a failed stage says so. The same with a real pseudo-terminal: tests/integration/test_progress.py."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from buildtools.core.pipeline import built_line
from buildtools.core.policies import BuildResult
from buildtools.node.toolchain import Toolchain
from buildtools.ui.terminal import Reporter
from buildtools.ui.ticker import Ticker


class Screen(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture(autouse=True)
def fast_ticker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Ticker, "DELAY", 0.05)
    monkeypatch.setattr(Ticker, "INTERVAL", 0.01)
    monkeypatch.setenv("NO_COLOR", "1")


def wait_for(screen: Screen, text: str) -> None:
    deadline = time.monotonic() + 5
    while text not in screen.getvalue():
        assert time.monotonic() < deadline, f"{text!r} never drawn: {screen.getvalue()!r}"
        time.sleep(0.01)


def test_the_counter_shows_after_a_silence_and_goes_before_each_line() -> None:
    screen = Screen(tty=True)
    reporter = Reporter(out=screen, err=screen)
    reporter.runs("install", "package.json changed")
    wait_for(screen, "\rinstall        running, 0 s\033[K")
    reporter.output("added 3 packages")
    _, _, after = screen.getvalue().partition("running, 0 s\033[K")  # drawn once
    assert after.startswith("\r\033[K    added 3 packages\n"), repr(after)
    wait_for(screen, "added 3 packages\n\rinstall        running, 0 s")  # drawn again
    reporter.done("install", 1.5, "npm ci")
    assert screen.getvalue().endswith("\r\033[Kinstall        done in 1.5 s: npm ci\n")
    size = len(screen.getvalue())
    time.sleep(0.2)
    assert len(screen.getvalue()) == size  # stopped for good


def test_no_counter_in_a_pipe_nor_under_quiet() -> None:
    for screen, quiet in ((Screen(tty=False), False), (Screen(tty=True), True)):
        reporter = Reporter(out=screen, err=screen, quiet=quiet)
        reporter.runs("build", "files changed: src/App.jsx")
        time.sleep(0.2)
        assert "running," not in screen.getvalue()
        reporter.done("build", 0.3)


def test_a_failed_stage_erases_its_counter_and_says_how_long_it_ran() -> None:
    screen = Screen(tty=True)
    reporter = Reporter(out=screen, err=screen)
    reporter.runs("build", "files changed: src/App.jsx")
    wait_for(screen, "build          running, 0 s")
    reporter.failed("build", 2.25)
    assert screen.getvalue().endswith("\r\033[Kbuild          failed after 2.2 s\n")


def test_a_progress_bar_takes_the_counters_place() -> None:
    screen = Screen(tty=True)
    reporter = Reporter(out=screen, err=screen)
    reporter.runs("bundle", "the build changed")
    wait_for(screen, "bundle         running, 0 s")
    with reporter.progress(10, "hashing"):
        size = len(screen.getvalue())
        time.sleep(0.2)
        assert len(screen.getvalue()) == size


def test_the_last_line_names_time_the_stage_lines_do_not_show() -> None:
    result = BuildResult(Path("/p/dist/bundle"), "k", Toolchain.__new__(Toolchain),
                         ran=["build", "bundle"], stage_seconds=6.4)
    assert built_line(result, 12.9) == (
        "built build, bundle in 12.9 s (6.5 s of it checking inputs and caching): /p/dist/bundle")
    assert built_line(result, 7.0) == "built build, bundle in 7.0 s: /p/dist/bundle"
