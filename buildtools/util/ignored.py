"""Folders that never belong in git (the state folder, the caches, dist/): each holds a .gitignore
that ignores everything in it, itself included, as pytest, ruff and mypy do for theirs. A project
that commits everything then never tracks them, and a pre-commit hook that refreshes them
modifies nothing git sees."""

from __future__ import annotations

import contextlib
from collections.abc import Collection
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


def make_output_dir(folder: Path, ours: Collection[str]) -> None:
    """The deploy folder (dist/), ignoring itself as make_ignored_dir's do, while it holds only
    what buildtools writes there (`ours`: bundle, the artifacts and their archives; hidden
    staging names) and so never a file the user keeps in git."""
    if folder.is_dir() and not (folder / GITIGNORE).exists():
        try:
            names = [path.name for path in folder.iterdir()]
        except OSError:
            return
        if any(not name.startswith(".") and name not in ours for name in names):
            return
    make_ignored_dir(folder)
