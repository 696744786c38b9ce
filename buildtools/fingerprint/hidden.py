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
    `ignore.kept`), or a folder on the way is a symlink, which the scan does not follow. Each
    folder is decided once."""
    folders = _Folders(tree, outer)
    hidden = []
    for relative in relatives:
        folder, _, name = relative.rpartition("/")
        ignores = folders.ignores(f"{folder}/" if folder else "")
        if ignores is None or _left_out(ignores, f"{folder}/" if folder else "", name, False):
            hidden.append(relative)
    return hidden


class _Folders:
    """The .gitignore rules in force in each folder of a tree, None for a folder the scan
    does not enter; each folder decided once."""

    def __init__(self, tree: Path, outer: Sequence[IgnoreFile]) -> None:
        self.tree = tree
        self.known: dict[str, list[tuple[str, IgnoreFile]] | None] = {
            "": self._with_own("", [("", rules) for rules in outer])}

    def ignores(self, folder: str) -> list[tuple[str, IgnoreFile]] | None:
        """`folder`: "" or a path ending in "/"."""
        if folder in self.known:
            return self.known[folder]
        parent, _, name = folder[:-1].rpartition("/")
        parent = f"{parent}/" if parent else ""
        above = self.ignores(parent)
        found = None
        if (above is not None and not _left_out(above, parent, name, True)
                and not os.path.islink(self.tree / folder)):
            found = self._with_own(folder, above)
        self.known[folder] = found
        return found

    def _with_own(self, folder: str, above: list[tuple[str, IgnoreFile]]
                  ) -> list[tuple[str, IgnoreFile]]:
        rules = IgnoreFile.read(self.tree / folder / ".gitignore")
        return above if rules is None else [*above, (folder, rules)]


def _left_out(ignores: list[tuple[str, IgnoreFile]], folder: str, name: str,
              is_dir: bool) -> bool:
    return (name in ALWAYS_IGNORED or (is_dir and is_swap_folder(name))
            or not kept(ignores, folder, [name], is_dir))
