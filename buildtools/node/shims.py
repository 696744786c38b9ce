"""Is a `node` a version manager's shim? A `node` in a folder of one of SHIM_FOLDERS, or whose
real file is not named like a Node binary (volta-shim, mise), is one: it picks a Node per
folder. This module imports nothing (the no-op record's writer asks it)."""

from __future__ import annotations

SHIM_FOLDERS = ("shims",)


def plain_node_name(name: str) -> bool:
    """True for the file name of a Node binary: node, nodejs, node20 (openSUSE), node-20."""
    return name.startswith("node") and name.rstrip("0123456789.-") in ("node", "nodejs")
