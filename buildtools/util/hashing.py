"""A stable digest of JSON-serialisable values, for stage keys and template versions."""

from __future__ import annotations

import json

import xxhash


def digest(*parts: object) -> str:
    """A stable xxh3_128 hex digest of JSON-serialisable parts."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return xxhash.xxh3_128_hexdigest(canonical.encode("utf-8"))
