"""Which configuration file a command in a folder uses: $BUILDTOOLS_CONFIG, else the first
one found in the folder or a folder above it (buildtools.filenames.config_search_folders, which
the no-op record walks too)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from buildtools.config.mephisto_conf import mephisto_yamls
from buildtools.envnames import CONFIG_ENV
from buildtools.errors import UserError
from buildtools.filenames import (
    CONFIG_FILE,
    PYPROJECT_FILE,
    PYPROJECT_TABLE,
    config_search_folders,
)


def find_config(start: Path, env: Mapping[str, str] | None = None) -> Path:
    """The configuration file for the project in `start`: in `start` or the nearest folder
    above it that has one (filenames.config_search_folders)."""
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        path = (start / env[CONFIG_ENV]).resolve()
        if not path.is_file():
            raise UserError(f"{CONFIG_ENV}={env[CONFIG_ENV]}: no such file ({path})")
        return path
    top = start
    for folder in map(Path, config_search_folders(str(start))):
        found = _config_in(folder, start)
        if found is not None:
            return found.resolve()
        top = folder
    above = f" nor in a folder above it up to {top}" if top != start else ""
    raise UserError(
        f"no {CONFIG_FILE} in {start}{above} (nor [tool.buildtools] in pyproject.toml, nor a "
        f"Mephisto YAML in conf/); create one with 'buildtools new' or set {CONFIG_ENV}"
    )


def _config_in(folder: Path, start: Path) -> Path | None:
    toml_path = folder / CONFIG_FILE
    if toml_path.is_file():
        return toml_path
    pyproject = folder / PYPROJECT_FILE
    if pyproject.is_file() and PYPROJECT_TABLE in read_bytes(pyproject):
        return pyproject
    candidates = [Path(found) for found in mephisto_yamls(str(folder))]
    if len(candidates) > 1:
        names = ", ".join(os.path.relpath(path, start) for path in candidates)
        raise UserError(
            f"several Mephisto configs found ({names}); choose one with {CONFIG_ENV}=<file>"
        )
    return candidates[0] if candidates else None


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}; make it readable") from None


def read_config_text(path: Path) -> str:
    """The text of a configuration file; one clear line when it is not UTF-8."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{path.name}: not UTF-8 text (an undecodable byte on line {line}); "
            "save it as UTF-8"
        ) from None
