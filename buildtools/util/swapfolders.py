"""The names of the folders that buildtools.util.atomic makes beside one it swaps into place;
this module imports nothing.

A folder is built beside its final place under ".<name>.tmp-<random>", and the folder it
replaces waits as ".<name>.old-<pid>". A run killed with SIGKILL can leave one in a scanned
tree: scans never count them as sources.
"""

from __future__ import annotations

STAGING_MARK = ".tmp-"
REPLACED_MARK = ".old-"


def is_swap_folder(name: str) -> bool:
    """True for the name of a folder that buildtools.util.atomic made beside another."""
    rest = name[1:]
    return name.startswith(".") and (STAGING_MARK in rest or REPLACED_MARK in rest)
