"""The names of environment variables buildtools gives a meaning to; this module imports
nothing.

Which variables the no-op record is keyed on is not listed here: the record is the trace of
what the check looked up (buildtools.util.reads). The file names are in buildtools.filenames.
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
