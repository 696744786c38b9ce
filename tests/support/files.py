"""Folders of files written from a dict, and their mtimes put far in the past."""

from __future__ import annotations

import os
from pathlib import Path

import xxhash

OLD_NS = 1_600_000_000_000_000_000  # an mtime far in the past: outside any racy window


def make_tree(root: Path, files: dict[str, str]) -> Path:
    """Write each relative path of `files` under `root` with its text; returns `root`."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def age(root: Path) -> None:
    """Every file and folder under `root`, `root` itself not, modified at OLD_NS."""
    for path in root.rglob("*"):
        os.utime(path, ns=(OLD_NS, OLD_NS))


def plain_manifest(root: Path) -> dict[str, tuple[int, str]]:
    """The manifest as a plain walk sees it (a tree with no .gitignore and no node_modules)."""
    files: dict[str, tuple[int, str]] = {}
    for folder, subfolders, names in os.walk(root):
        for name in [*names, *(sub for sub in subfolders if Path(folder, sub).is_symlink())]:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                target = os.fsencode(os.readlink(path))
                files[relative] = (-1, xxhash.xxh3_128_hexdigest(target))
            else:
                content = path.read_bytes()
                files[relative] = (len(content), xxhash.xxh3_128_hexdigest(content))
    return files
