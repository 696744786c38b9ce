"""A small declarative schema: each table lists its keys with type, default and checks.

Errors name the file, the table and key, the value found and what was expected.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from buildtools.errors import UserError

REQUIRED = object()


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    default: Any = None
    minimum: float | None = None
    check: Callable[[Any], str | None] | None = None  # returns a problem text, or None


_KIND_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


def kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)


def closest(name: str, choices: list[str]) -> str | None:
    matches = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_key_error(source: str, table: str, key: str, known: list[str]) -> UserError:
    hint = closest(key, known)
    suggestion = f"; did you mean '{hint}'?" if hint else f"; valid keys: {', '.join(known)}"
    return UserError(f"{source}: [{table}] unknown key '{key}'{suggestion}")


def validate_table(
    source: str, table: str, data: Mapping[str, Any], fields: Mapping[str, Field],
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return the table with defaults filled in; raise UserError on the first problem.
    `names` maps "table.key" to where the setting stands, when that is not `source` [table]
    key (a YAML config's "example.yaml: mephisto.task.task_reward")."""
    if not isinstance(data, Mapping):
        raise UserError(f"{source}: [{table}] must be a table, got {type(data).__name__}")
    for key in data:
        if key not in fields:
            raise unknown_key_error(source, table, key, list(fields))
    values: dict[str, Any] = {}
    for key, spec in fields.items():
        if key not in data:
            values[key] = spec.default
            continue
        value = data[key]
        where = (names or {}).get(f"{table}.{key}") or f"{source}: [{table}] {key}"
        values[key] = _check_value(where, value, spec)
    return values


def _check_value(where: str, value: Any, spec: Field) -> Any:
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    # bool is an int subclass: never accept true/false where a number is expected
    ok = False if isinstance(value, bool) and bool not in kinds else isinstance(value, kinds)
    if not ok:
        raise UserError(
            f"{where} must be {kind_name(spec.kind)}, got {value!r} ({type(value).__name__})"
        )
    if spec.minimum is not None and value < spec.minimum:
        minimum = int(spec.minimum) if float(spec.minimum).is_integer() else spec.minimum
        raise UserError(f"{where} must be >= {minimum}, got {value!r}")
    if spec.check is not None:
        problem = spec.check(value)
        if problem:
            raise UserError(f"{where} {problem}")
    return value
