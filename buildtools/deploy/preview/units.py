"""The units a preview hands out: task data dicts read from a JSON list, JSON Lines or CSV file,
as Mephisto's static blueprints read `data_json`, `data_jsonl` and `data_csv` (CSV: the first
row names the columns, every value is a string; UTF-8 with or without a byte-order mark)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from buildtools.errors import UserError

SUFFIXES = (".json", ".jsonl", ".csv")


def load_units(path: Path) -> list[dict[str, Any]]:
    """The task data dicts of `path`, in file order; a UserError naming the file (and the line
    or row) when it cannot be read or is not a list of objects."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(f"{path}: a data file must end in .json (a list of objects), .jsonl "
                        "(one object a line) or .csv (a header row, then one unit a row)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{path}: no such data file; pass --data FILE") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if suffix == ".csv":
        units = _csv_units(path, text)
    elif suffix == ".jsonl":
        units = _jsonl_units(path, text)
    else:
        units = _json_units(path, text)
    if not units:
        raise UserError(f"{path}: holds no unit; add at least one task data object")
    return units


def _bad(path: Path, what: str) -> UserError:
    return UserError(f"{path}: {what}; fix it, or pass another file with --data")


def _json_units(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad(path, f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, list):
        raise UserError(f"{path}: must hold a JSON list of objects, not a {_kind(data)}")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise UserError(f"{path}: item {index} is a {_kind(item)}, not an object")
    return data


def _jsonl_units(path: Path, text: str) -> list[dict[str, Any]]:
    units = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _bad(path, f"line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(item, dict):
            raise UserError(f"{path}: line {number} is a {_kind(item)}, not an object")
        units.append(item)
    return units


def _csv_units(path: Path, text: str) -> list[dict[str, Any]]:
    rows = csv.reader(io.StringIO(text, newline=""))
    headers = next(rows, None)
    if not headers:
        raise UserError(f"{path}: no header row; the first row names the columns")
    units = []
    for number, row in enumerate(rows, 2):
        if len(row) > len(headers):
            raise UserError(f"{path}: row {number} has {len(row)} values for "
                            f"{len(headers)} columns")
        units.append(dict(zip(headers, row, strict=False)))
    return units


def _kind(value: object) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean",
            type(None): "null"}.get(type(value), "number")
