"""Folders that never belong in git (the state folder, the caches): each holds a .gitignore
that ignores everything in it, itself included, as pytest, ruff and mypy do for theirs. A project
that commits everything then never tracks them, and a pre-commit hook that refreshes them
modifies nothing git sees."""

from __future__ import annotations

import contextlib
from pathlib import Path

from buildtools.util import atomic

GITIGNORE = ".gitignore"
GITIGNORE_TEXT = "# made by buildtools: nothing in this folder belongs in git\n*\n"


def make_ignored_dir(folder: Path) -> None:
    """Create `folder` (and its parents) with a .gitignore holding `*`; an existing .gitignore
    is kept. A folder that cannot be written is left to the first write in it to report."""
    marker = folder / GITIGNORE
    if marker.exists():
        return
    with contextlib.suppress(OSError):
        atomic.write_text(marker, GITIGNORE_TEXT)
