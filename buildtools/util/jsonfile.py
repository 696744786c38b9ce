"""Read a JSON file that buildtools or npm may have left, or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`; None when the file is missing or unreadable, is not JSON, or
    holds something else than an object. A byte-order mark is allowed (editors on Windows
    write one into package.json)."""
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
