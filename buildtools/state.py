"""Stage stamps: the key each stage had at its last success, written atomically after success."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xxhash

from buildtools import atomic

STATE_DIR_NAME = ".buildtools"


def digest(*parts: object) -> str:
    """A stable xxh3_128 hex digest of JSON-serialisable parts."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return xxhash.xxh3_128_hexdigest(canonical.encode("utf-8"))


@dataclass(frozen=True)
class Stamp:
    key: str
    info: dict[str, Any] = field(default_factory=dict)


class StampStore:
    """One JSON file per stage under <state_dir>/stamps/."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.folder = state_dir / "stamps"

    def path(self, stage: str) -> Path:
        return self.folder / f"{stage.replace('/', '_')}.json"

    def read(self, stage: str) -> Stamp | None:
        try:
            data = json.loads(self.path(stage).read_text("utf-8"))
            return Stamp(key=str(data["key"]), info=dict(data.get("info", {})))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def write(self, stage: str, key: str, info: dict[str, Any] | None = None) -> None:
        atomic.write_json(self.path(stage), {"key": key, "info": info or {}})

    def clear(self, stage: str) -> None:
        self.path(stage).unlink(missing_ok=True)
