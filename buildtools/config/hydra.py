"""Hydra's composition of a config file, as far as buildtools reads Mephisto's: the files its
defaults list names (`- base`) merged under it, its group choices (`- /mephisto/architect:
local`), and its interpolations (`${task_dir}`, `${a.b}`, `${oc.env:NAME,default}`)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from buildtools.config.discovery import read_config_text
from buildtools.errors import UserError

_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")
_MAX_INCLUDES = 8


def load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(read_config_text(path)) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"{path.name}: not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise UserError(f"{path.name}: must be a mapping at the top, as Mephisto's configs are")
    return data


def composed(path: Path, depth: int = 0) -> tuple[dict[str, Any], dict[str, str]]:
    """The config with the files its defaults list names merged under it, and the group
    choices (`mephisto/architect: local` -> {"architect": "local"}) of the whole list."""
    data = load_yaml(path)
    merged: dict[str, Any] = {}
    groups: dict[str, str] = {}
    defaults = data.get("defaults") or []
    for entry in defaults if isinstance(defaults, list) else []:
        if isinstance(entry, str) and entry != "_self_" and depth < _MAX_INCLUDES:
            included = path.parent / f"{entry}.yaml"
            if included.is_file():
                sub, sub_groups = composed(included, depth + 1)
                merged = _merge(merged, sub)
                groups.update(sub_groups)
        elif isinstance(entry, dict):
            for group, choice in entry.items():
                group = str(group).removeprefix("override").strip().strip("/")
                if group.startswith("mephisto/") and isinstance(choice, str):
                    groups[group.removeprefix("mephisto/")] = choice
    own = {key: value for key, value in data.items() if key != "defaults"}
    return _merge(merged, own), groups


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def task_dir(path: Path, data: dict[str, Any]) -> Path:
    given = data.get("task_dir")
    if isinstance(given, str) and given and "${" not in given:
        return Path(os.path.expanduser(given))
    folder = path.parent
    if folder.name == "conf":
        folder = folder.parent
    if folder.name == "hydra_configs":
        folder = folder.parent
    return folder


def expanded(value: Any, data: dict[str, Any], root: Path, environ: Mapping[str, str],
              depth: int = 0) -> Any:
    if isinstance(value, dict):
        return {key: expanded(item, data, root, environ, depth) for key, item in value.items()}
    if isinstance(value, list):
        return [expanded(item, data, root, environ, depth) for item in value]
    if not isinstance(value, str) or "${" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name == "task_dir":
            return str(root)
        if name.startswith("oc.env:"):
            variable, _, default = name.removeprefix("oc.env:").partition(",")
            return environ.get(variable.strip(), default.strip())
        found = _lookup(data, name)
        if isinstance(found, (str, int, float)) and not isinstance(found, bool) and depth < 4:
            return str(expanded(str(found), data, root, environ, depth + 1))
        return match.group(0)

    return _INTERPOLATION.sub(replace, value)


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    current: Any = data
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current
