"""Which entries of the build cache a project made: the cache is shared by every project of
the user (~/.cache/buildtools), so `buildtools clean --all` removes only the entries that the
project's state folder says it stored or restored, and names the command that clears all."""

from __future__ import annotations

import contextlib
from pathlib import Path

PROJECT_KEYS = "cache-keys"  # in the project's state folder: one entry key a line


def note_key(state_dir: Path, key: str) -> None:
    """Remember that this project stored or restored the entry `key`."""
    with contextlib.suppress(OSError):
        state_dir.mkdir(parents=True, exist_ok=True)
        known = project_keys(state_dir)
        if key not in known:
            with (state_dir / PROJECT_KEYS).open("a", encoding="utf-8") as handle:
                handle.write(key + "\n")


def project_keys(state_dir: Path) -> set[str]:
    try:
        return set((state_dir / PROJECT_KEYS).read_text("utf-8").split())
    except OSError:
        return set()
