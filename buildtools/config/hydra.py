"""Hydra's composition of a config file, as far as buildtools reads Mephisto's: the files its
defaults list names (`- base`) merged under it, its group choices (`- /mephisto/architect:
local`), and its interpolations (`${task_dir}`, `${a.b}`, `${oc.env:NAME,default}`)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from buildtools.config import yaml_safe
from buildtools.config.discovery import read_config_text
from buildtools.config.mephisto_conf import default_task_dir
from buildtools.errors import UserError

_INTERPOLATION = re.compile(r"\$\{([^}]+)\}")
_MAX_INCLUDES = 8
_MAX_INTERPOLATION_DEPTH = 32


def load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml_safe.load(read_config_text(path), path.name) or {}
    except yaml.YAMLError as exc:
        raise yaml_syntax_error(path.name, exc) from None
    if not isinstance(data, dict):
        raise UserError(f"{path.name}: must be a mapping at the top, as Mephisto's configs are")
    return data


def yaml_syntax_error(name: str, exc: Exception) -> UserError:
    """One line naming the line and column where PyYAML found the problem (its own message
    names the line of the enclosing block first), and that block's line after it."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if not problem or mark is None:
        return UserError(f"{name}: not valid YAML: {' '.join(str(exc).split())}")
    text = f"{name}: not valid YAML on line {mark.line + 1}, column {mark.column + 1}: {problem}"
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line != mark.line:
        text += f" ({context} on line {context_mark.line + 1})"
    return UserError(text)


def composed(path: Path, depth: int = 0) -> tuple[dict[str, Any], dict[str, str]]:
    """The config with the files its defaults list names merged under it, and the group
    choices (`mephisto/architect: local` -> {"architect": "local"}) of the whole list."""
    data = load_yaml(path)
    merged: dict[str, Any] = {}
    groups: dict[str, str] = {}
    defaults = data.get("defaults") or []
    for entry in defaults if isinstance(defaults, list) else []:
        if isinstance(entry, str) and entry != "_self_":
            included = _included(path, entry, depth)
            if included is not None:
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


def _included(path: Path, entry: str, depth: int) -> Path | None:
    """The file a defaults entry names (`- base` is base.yaml beside it); as Hydra, a missing
    one is an error unless the entry says `optional`."""
    optional = entry.startswith("optional ")
    name = entry.removeprefix("optional ").strip().lstrip("/")
    if depth >= _MAX_INCLUDES:
        raise UserError(f"{path.name}: defaults: '{entry}' is included {_MAX_INCLUDES} files "
                        "deep; do the defaults lists include each other in a circle?")
    included = path.parent / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if included.is_file() or optional:
        return included if included.is_file() else None
    raise UserError(f"{path.name}: defaults: '{entry}' names {included}, which does not "
                    "exist; create it, correct the name, or remove the entry")


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
    return Path(default_task_dir(str(path)))


def expanded(value: Any, data: dict[str, Any], root: Path, environ: Mapping[str, str],
             chain: tuple[str, ...] = (), *, name: str = "config") -> Any:
    """`value` with its interpolations replaced; `chain` is the keys being expanded (to see
    one that refers back to itself, which Hydra refuses too)."""
    if isinstance(value, dict):
        return {key: expanded(item, data, root, environ, chain, name=name)
                for key, item in value.items()}
    if isinstance(value, list):
        return [expanded(item, data, root, environ, chain, name=name) for item in value]
    if not isinstance(value, str) or "${" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        key = match.group(1).strip()
        if key == "task_dir":
            return str(root)
        if key.startswith("oc.env:"):
            variable, _, default = key.removeprefix("oc.env:").partition(",")
            return environ.get(variable.strip(), default.strip())
        found = _lookup(data, key)
        if not isinstance(found, (str, int, float)) or isinstance(found, bool):
            return match.group(0)
        if key in chain:
            circle = " -> ".join((*chain[chain.index(key):], key))
            raise UserError(f"{name}: the interpolation ${{{key}}} refers back to itself "
                            f"({circle}); give one of these keys a plain value")
        if len(chain) >= _MAX_INTERPOLATION_DEPTH:
            raise UserError(f"{name}: the interpolation ${{{key}}} goes through more than "
                            f"{_MAX_INTERPOLATION_DEPTH} other keys; shorten the chain")
        return str(expanded(str(found), data, root, environ, (*chain, key), name=name))

    return _INTERPOLATION.sub(replace, value)


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    current: Any = data
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current
