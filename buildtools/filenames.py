"""The names of the files and folders buildtools reads and keeps in a project, and where config
discovery looks for them; this module imports nothing but os.

The no-op record (buildtools.core.record) answers "up to date" without loading the core, so it
cannot ask the core which files a stage key reads or where the config is: both read them here.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs more to import than the no-op check
if TYPE_CHECKING:
    from collections.abc import Iterator

# The project's state folder (stamps, stat caches, manifests, the no-op record)
STATE_DIR_NAME = ".buildtools"
STAMPS_DIR_NAME = "stamps"

# Config discovery: $BUILDTOOLS_CONFIG (buildtools.envnames), else in the folder of the command
# and then in each one above it (see config_search_folders): buildtools.toml, pyproject.toml
# with [tool.buildtools], one Mephisto YAML in its conf/ or its hydra_configs/conf/ (never a
# YAML of the folder itself: any *.yaml of a folder above, a CI or compose file, would become
# the config)
CONFIG_FILE = "buildtools.toml"
PYPROJECT_FILE = "pyproject.toml"
PYPROJECT_TABLE = b"[tool.buildtools"
MEPHISTO_CONF_FOLDERS = ("conf", os.path.join("hydra_configs", "conf"))

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
