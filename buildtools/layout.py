"""Leaf facts that the no-op record and the core share; this module imports nothing but os.

The record (buildtools.core.record) answers "up to date" without loading the core: it finds
the state folder with the names below. Which files and variables the stage keys read is not
listed here: the record is the trace of what the check read (buildtools.util.reads).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs more to import than the no-op check
if TYPE_CHECKING:
    from collections.abc import Iterator

# The project's state folder (stamps, stat caches, manifests, the no-op record)
STATE_DIR_NAME = ".buildtools"
STAMPS_DIR_NAME = "stamps"

# A tree's stat cache (buildtools.fingerprint.statcache): <state>/statcache-<tree>.marshal, a
# header then one marshal record per folder; a file's signature packs size, mtime_ns, inode
# and ctime_ns as four int64s, its hash is xxh3_128 in hex
STATCACHE_FORMAT = ("buildtools-statcache", 3)  # 3: one record per folder, packed
SIG_BYTES = 32
HEX = 32


def statcache_file(tree: str) -> str:
    return f"statcache-{tree}.marshal"


# Folders that buildtools swaps into place are built beside it under ".<name>.tmp-<random>" and
# the folder replaced waits as ".<name>.old-<pid>" (buildtools.util.atomic). A run killed with
# SIGKILL can leave one in a scanned tree: scans never count them as sources.
STAGING_MARK = ".tmp-"
REPLACED_MARK = ".old-"


def is_swap_folder(name: str) -> bool:
    """True for the name of a folder that buildtools.util.atomic made beside another."""
    rest = name[1:]
    return name.startswith(".") and (STAGING_MARK in rest or REPLACED_MARK in rest)


# Config discovery: $BUILDTOOLS_CONFIG, else in the folder of the command and then in each one
# above it (see config_search_folders): buildtools.toml, pyproject.toml with [tool.buildtools],
# one Mephisto YAML in its conf/ or its hydra_configs/conf/ (never a YAML of the folder itself:
# any *.yaml of a folder above, a CI or compose file, would become the config)
CONFIG_FILE = "buildtools.toml"
PYPROJECT_FILE = "pyproject.toml"
PYPROJECT_TABLE = b"[tool.buildtools"
MEPHISTO_CONF_FOLDERS = ("conf", os.path.join("hydra_configs", "conf"))
CONFIG_ENV = "BUILDTOOLS_CONFIG"
FORCE_ENV = "BUILDTOOLS_FORCE_REBUILD"
CACHE_DIR_ENV = "BUILDTOOLS_CACHE_DIR"

# Lockfile -> the package manager it belongs to (npm reads npm-shrinkwrap.json in preference
# to package-lock.json)
LOCKFILES: dict[str, str] = {
    "npm-shrinkwrap.json": "npm",
    "package-lock.json": "npm",
    "pnpm-lock.yaml": "pnpm",
    "yarn.lock": "yarn",
}
# Files of the webapp folder that the install key reads, besides the lockfile
INSTALL_FILES = ("package.json", ".npmrc")
# Bundler configs that keys read: the webpack ones for the build output folder, all of them for
# the folders they alias (buildtools.fingerprint.aliases)
WEBPACK_CONFIGS = ("webpack.config.js", "webpack.config.cjs", "webpack.config.mjs")
BUNDLER_CONFIGS = (
    *(f"vite.config.{ext}" for ext in ("js", "mjs", "cjs", "ts", "mts", "cts")),
    *WEBPACK_CONFIGS, "webpack.config.ts",
)

# The environment variables that the bundlers read (their values are part of the build key),
# besides the names that [webapp] build_env adds
BUILD_ENV_PREFIXES = ("VITE_", "REACT_APP_")
BUILD_ENV_NAMES = ("NODE_ENV",)

# A file modified this close to a scan may change again within the same mtime tick (the
# "racy git" problem): its stat signature vouches for nothing until it is older than this.
RACY_WINDOW_NS = 2_000_000_000

# A `node` in a folder of this name, or whose real file is not named like a Node binary
# (volta-shim, mise), is a version manager's shim: it picks a Node per folder.
SHIM_FOLDERS = ("shims",)


def plain_node_name(name: str) -> bool:
    """True for the file name of a Node binary: node, nodejs, node20 (openSUSE), node-20."""
    return name.startswith("node") and name.rstrip("0123456789.-") in ("node", "nodejs")


def config_search_folders(start: str) -> Iterator[str]:
    """The folders where config discovery looks, nearest first: `start`, then each folder
    above it, up to the top of its git repository (a folder holding .git) or the filesystem
    root, as git looks for its repository."""
    folder = start
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder or os.path.lexists(os.path.join(folder, ".git")):
            return
        folder = parent
