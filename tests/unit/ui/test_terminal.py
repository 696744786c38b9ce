"""The terminal reporter: its lines quiet and verbose, colours only on a terminal, warnings on
stderr, the progress line after its delay."""

from __future__ import annotations

import io

import pytest

from buildtools.ui.terminal import Progress, Reporter

# ---------------------------------------------------------------- the reporter


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_reporter_lines_quiet_and_verbose() -> None:
    out = io.StringIO()
    reporter = Reporter(out=out)
    reporter.up_to_date("install", "npm")
    reporter.runs("build", "files changed: src/App.jsx")
    reporter.key("build", "abc")
    reporter.done("build", 1.234, "webapp/dist/")
    reporter.final("built build in 1.2 s")
    assert out.getvalue() == (
        "install        up to date (npm)\n"
        "build          runs because files changed: src/App.jsx\n"
        "build          done in 1.2 s: webapp/dist/\n"
        "built build in 1.2 s\n"
    )
    quiet = io.StringIO()
    reporter = Reporter(out=quiet, quiet=True, verbose=True)
    reporter.up_to_date("install")
    reporter.runs("build", "x")
    reporter.key("build", "abc")
    reporter.info("x")
    reporter.final("the end")
    assert quiet.getvalue() == "the end\n"
    verbose = io.StringIO()
    Reporter(out=verbose, verbose=True).key("build", "abc")
    assert verbose.getvalue() == f"{'':<14} key abc\n"


def test_colours_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain, term = io.StringIO(), Terminal()
    Reporter(out=plain).up_to_date("build")
    Reporter(out=term).up_to_date("build")
    assert "\033[" not in plain.getvalue()
    assert "\033[32mup to date\033[0m" in term.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    term = Terminal()
    Reporter(out=term).up_to_date("build")
    assert "\033[" not in term.getvalue()


def test_warnings_go_to_stderr_even_when_quiet() -> None:
    err = io.StringIO()
    Reporter(out=io.StringIO(), quiet=True, err=err).warn("careful")
    assert err.getvalue() == "warning: careful\n"


def test_progress_draws_only_on_a_terminal_after_the_delay(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Progress, "DELAY", 0.0)
    monkeypatch.setattr(Progress, "INTERVAL", 0.0)
    plain = io.StringIO()
    with Reporter(err=plain).progress(4, "hashing webapp") as bar:
        bar.advance(2)
    assert plain.getvalue() == ""
    term = Terminal()
    with Reporter(err=term).progress(4, "hashing webapp") as bar:
        bar.advance(2)
    assert "\rhashing webapp [###############---------------] 2/4" in term.getvalue()
    assert term.getvalue().endswith("\r\033[K")
    quiet = Terminal()
    with Reporter(err=quiet, quiet=True).progress(4, "x") as bar:
        bar.advance(4)
    assert quiet.getvalue() == ""


def test_progress_waits_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    term = Terminal()
    with Reporter(err=term).progress(1000, "hashing") as bar:
        for _ in range(1000):
            bar.advance()
    assert term.getvalue() == ""  # finished well within the delay
