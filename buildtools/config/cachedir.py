"""The user's cache folder (the build cache, Node versions, nodeenv installs), and what to do
when HOME cannot hold it.

In order: $BUILDTOOLS_CACHE_DIR (the user's choice: used as given); $XDG_CACHE_HOME/buildtools;
~/.cache/buildtools when HOME is a folder; else a folder of this user's own in the temporary
folder. A folder is taken when it can be created and written; a HOME that is unset, missing
(it is never created), unwritable or read-only so costs the cache its lasting place, never the
build. Each is made with a .gitignore holding `*`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from buildtools.envnames import CACHE_DIR_ENV
from buildtools.errors import UserError
from buildtools.util.ignored import make_ignored_dir


def user_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(CACHE_DIR_ENV):
        return Path(env[CACHE_DIR_ENV])
    for candidate in _candidates(env):
        if _usable(candidate):
            return candidate
    fallback = Path(tempfile.gettempdir()) / f"buildtools-{os.getuid()}"
    if _own_private(fallback):
        return fallback
    raise UserError(
        f"no folder for the build cache: HOME ({env.get('HOME') or 'unset'}) and "
        f"{fallback} cannot be written; set {CACHE_DIR_ENV} to a folder you may write"
    )


def _candidates(env: Mapping[str, str]) -> list[Path]:
    found = []
    if env.get("XDG_CACHE_HOME"):
        found.append(Path(env["XDG_CACHE_HOME"]) / "buildtools")
    home = env.get("HOME") if "HOME" in env else _passwd_home()
    if home and os.path.isdir(home):  # a missing HOME is not made up
        found.append(Path(home) / ".cache" / "buildtools")
    return found


def _passwd_home() -> str:
    try:
        return str(Path.home())
    except (RuntimeError, KeyError):  # no HOME and no passwd entry (a container's uid)
        return ""


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    make_ignored_dir(folder)
    return True


def _own_private(folder: Path) -> bool:
    """The fallback in the shared temporary folder: this user's, and only this user's."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return False
    return _usable(folder)


def npm_cache_env(env: Mapping[str, str]) -> dict[str, str]:
    """npm keeps its cache in ~/.npm and fails when HOME cannot hold it (with advice to chown
    it): then it gets one in the user's cache folder, unless its cache was chosen already."""
    if any(name.lower() == "npm_config_cache" for name in env):
        return {}
    home = env.get("HOME") if "HOME" in env else _passwd_home()
    npm = Path(home or "/nonexistent") / ".npm"
    writable = npm if npm.is_dir() else npm.parent
    if home and writable.is_dir() and os.access(writable, os.W_OK | os.X_OK):
        return {}
    return {"npm_config_cache": str(user_cache_dir(env) / "npm")}
