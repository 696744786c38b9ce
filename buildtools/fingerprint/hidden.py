"""Whether a scan of a tree (buildtools.fingerprint.scan) would see a file that is not there yet
if it came: the scan leaves out what a .gitignore names (`*.local`, say), node_modules and the
like, so a gitignored file that a bundler looked for and did not find (webpack's own `dotenv`
looks for `.env.local`) must be watched another way (buildtools.core.discovered_inputs)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from buildtools.fingerprint.ignore import IgnoreFile, kept
from buildtools.fingerprint.scan import ALWAYS_IGNORED
from buildtools.util.swapfolders import is_swap_folder


def hidden_from_scan(tree: Path, relatives: Iterable[str], outer: Sequence[IgnoreFile]
                     ) -> list[str]:
    """Those of `relatives` (paths from `tree`, "/"-separated) that a scan of `tree` would not
    see: a folder on the way or the name itself is left out by name, or by the .gitignore of a
    folder on the way or of one above the tree (`outer`), as the scan decides it (the same
    `ignore.kept`), or a folder on the way is a symlink, which the scan does not follow."""
    rules_of: dict[str, IgnoreFile | None] = {}
    hidden = []
    for relative in relatives:
        ignores = [("", rules) for rules in outer]
        parts = relative.split("/")
        folder = ""
        for depth, name in enumerate(parts):
            if folder not in rules_of:
                rules_of[folder] = IgnoreFile.read(tree / folder / ".gitignore")
            rules = rules_of[folder]
            if rules is not None:
                ignores.append((folder, rules))
            is_dir = depth < len(parts) - 1
            if (name in ALWAYS_IGNORED or is_swap_folder(name)
                    or not kept(ignores, folder, [name], is_dir)
                    or (is_dir and os.path.islink(tree / folder / name))):
                hidden.append(relative)
                break
            folder += name + "/"
    return hidden
