"""Progress of long hashing, for scan_tree: drawn by the reporter's progress bar (on a terminal
only, and only once the work has lasted over a second, so a warm no-op never shows it)."""

from __future__ import annotations

from buildtools.report import Progress, Reporter


class HashProgress:
    """A scan_tree progress callback that advances `reporter.progress(...)`, file by file."""

    def __init__(self, reporter: Reporter, label: str) -> None:
        self.reporter = reporter
        self.label = label
        self.bar: Progress | None = None

    def __call__(self, files: int, total_files: int, done: int, total: int) -> None:
        if files == 0:
            self.bar = self.reporter.progress(total_files, f"hashing {self.label}")
            return
        if self.bar is not None:
            self.bar.advance()
            if files >= total_files:
                self.bar.close()
                self.bar = None


def hash_progress(reporter: Reporter, label: str) -> HashProgress:
    return HashProgress(reporter, label)
