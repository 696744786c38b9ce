"""How a path is shown to the user: relative to a base folder when inside it."""

from __future__ import annotations

from pathlib import Path


def shown(path: Path, base: Path) -> str:
    """`path` relative to `base` ("." for base itself) when inside it, else absolute."""
    try:
        return path.relative_to(base).as_posix() or "."
    except ValueError:
        return str(path)
