"""What a build cache entry holds, recorded when it is stored and checked before it is used.

An entry's content.json lists every file of its parts (bundle/, output/): relative path ->
[size, xxh3_128 of the content], and every symlink: relative path -> ["link", its target].
A restore checks the copy it is about to put in place against that list, so an entry that was
truncated, edited, half deleted or unpacked wrong is never restored: the stage runs instead.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from buildtools.fingerprint.files import hash_file

CONTENT = "content.json"
PARTS = ("bundle", "output")
LINK = "link"

Listing = dict[str, list[Any]]


def listing(folder: Path) -> Listing:
    """Every file and symlink under `folder` (symlinks are not followed)."""
    found: Listing = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        relative_dir = os.path.relpath(dirpath, folder)
        prefix = "" if relative_dir == "." else relative_dir.replace(os.sep, "/") + "/"
        # os.walk lists a symlink to a folder among the folders, and does not enter it
        links = [name for name in dirnames if os.path.islink(os.path.join(dirpath, name))]
        for name in [*filenames, *links]:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                found[prefix + name] = [LINK, os.readlink(path)]
            else:
                found[prefix + name] = [info.st_size, hash_file(path, info.st_size)]
    return found


def write_content(entry: Path) -> None:
    """Record the content of the parts of an entry being made in `entry`."""
    content = {part: listing(entry / part) for part in PARTS}
    (entry / CONTENT).write_text(json.dumps(content, sort_keys=True, separators=(",", ":")))


def read_content(entry: Path) -> dict[str, Listing] | None:
    """The recorded content of an entry; None when it is missing or unreadable."""
    try:
        content = json.loads((entry / CONTENT).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or not all(isinstance(content.get(p), dict) for p in PARTS):
        return None
    return content


def mismatch(expected: Mapping[str, list[Any]], folder: Path, part: str) -> str:
    """Why `folder` does not hold what was recorded for `part`; "" when it does."""
    try:
        actual = listing(folder)
    except OSError as exc:
        return f"{part}: cannot read {exc.filename}: {exc.strerror}"
    missing = sorted(set(expected) - set(actual))
    if missing:
        return f"{part}/{missing[0]} is missing"
    unexpected = sorted(set(actual) - set(expected))
    if unexpected:
        return f"{part}/{unexpected[0]} was not stored"
    for name, want in sorted(expected.items()):
        have = actual[name]
        if have == list(want):
            continue
        if want[0] == LINK or have[0] == LINK:
            return f"{part}/{name} is not the link that was stored"
        if have[0] != want[0]:
            return f"{part}/{name} has {have[0]} bytes, {want[0]} were stored"
        return f"{part}/{name} does not hold what was stored"
    return ""


def verify_entry(entry: Path) -> str:
    """Why the entry folder (its parts in place) is damaged; "" when it is whole."""
    content = read_content(entry)
    if content is None:
        return f"its {CONTENT} is missing or unreadable"
    for part in PARTS:
        why = mismatch(content[part], entry / part, part)
        if why:
            return why
    return ""
