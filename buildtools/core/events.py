"""The events the core emits while it works, and the protocol of whoever listens.

The core (build, deploy, assets, node) never prints: it tells a Reporter what happens, stage by
stage. The terminal reporter (buildtools.ui.terminal) prints; NullReporter drops everything, for
callers that only want the result (status, tests, embedding).
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol


class ProgressBar(Protocol):
    def advance(self, steps: int = 1) -> None: ...
    def close(self) -> None: ...


class HearsUpToDate(Protocol):
    """What hears that every stage is up to date (buildtools.core.run.tell): every Reporter, and
    the CLI's no-op answer, which loads no reporter."""

    def up_to_date(self, stage: str, detail: str = "") -> None: ...
    def all_up_to_date(self, seconds: float, bundle: str) -> None: ...
    def stage_note(self, stage: str, text: str) -> None: ...
    def final(self, text: str) -> None: ...


class Reporter(Protocol):
    quiet: bool
    verbose: bool

    def up_to_date(self, stage: str, detail: str = "") -> None: ...
    def runs(self, stage: str, reason: str) -> None: ...
    def would_run(self, stage: str, reason: str) -> None: ...
    def done(self, stage: str, seconds: float, detail: str = "") -> None: ...
    def failed(self, stage: str, seconds: float) -> None:
        """The stage that was said to run raised (a failed command, an interrupt, a bug)."""
    def stage_note(self, stage: str, text: str) -> None: ...
    def info(self, text: str) -> None: ...
    def key(self, stage: str, key: str) -> None: ...
    def all_up_to_date(self, seconds: float, bundle: str) -> None:
        """Every stage is up to date and nothing ran (its stages' up_to_date came before):
        said after `seconds` of checking, of the bundle folder `bundle`."""
    def final(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...
    def output(self, line: str) -> None:
        """One line of a child process's output (npm, the build), as it comes."""
    def progress(self, total: int, label: str) -> ProgressBar: ...


class _NoBar:
    def advance(self, steps: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        pass


class NullReporter:
    """Hears every event and says nothing."""

    quiet = True
    verbose = False

    def up_to_date(self, stage: str, detail: str = "") -> None:
        pass

    def runs(self, stage: str, reason: str) -> None:
        pass

    def would_run(self, stage: str, reason: str) -> None:
        pass

    def done(self, stage: str, seconds: float, detail: str = "") -> None:
        pass

    def failed(self, stage: str, seconds: float) -> None:
        pass

    def stage_note(self, stage: str, text: str) -> None:
        pass

    def info(self, text: str) -> None:
        pass

    def key(self, stage: str, key: str) -> None:
        pass

    def all_up_to_date(self, seconds: float, bundle: str) -> None:
        pass

    def final(self, text: str) -> None:
        pass

    def warn(self, text: str) -> None:
        pass

    def output(self, line: str) -> None:
        pass

    def progress(self, total: int, label: str) -> ProgressBar:
        return _NoBar()


class HashProgress:
    """A scan_tree progress callback that advances `reporter.progress(...)` by the files read
    (the total is not known: the tree is read as it is walked)."""

    def __init__(self, reporter: Reporter, label: str) -> None:
        self.reporter = reporter
        self.label = label
        self.bar: ProgressBar | None = None
        self.shown = 0

    def __call__(self, files: int, read_bytes: int, finished: bool) -> None:
        if self.bar is None and not finished:
            self.bar = self.reporter.progress(0, f"hashing {self.label}")
        if self.bar is not None:
            self.bar.advance(files - self.shown)
            self.shown = files
            if finished:
                self.bar.close()
                self.bar = None


def hash_progress(reporter: Reporter, label: str) -> HashProgress:
    return HashProgress(reporter, label)
