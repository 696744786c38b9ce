"""How long a browser or a CDN may keep each file of an artifact: a bundler's content-hashed
file for a year (its name changes with its content), the page and task_config.json never."""

from __future__ import annotations

import re

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
NO_CACHE_FILES = ("index.html", "task_config.json")

# A bundler's content-hashed file: assets/index-B9jXQm3a.js (Vite), static/js/main.3f2a1b9c.js
# (webpack). The hash must hold a digit or a capital, so that assets/my-background.png is not
# taken for one; a file that came from extra_source_dir never is.
_HASHED = re.compile(
    r"^(?:.+/)?(?:assets|static)/(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]*?[-.]"
    r"(?P<hash>[A-Za-z0-9_-]{8,})\.[A-Za-z0-9]+$"
)


def is_hashed(relative: str) -> bool:
    match = _HASHED.match(relative)
    if not match:
        return False
    value = match.group("hash")
    return any(ch.isdigit() or ch.isupper() for ch in value)


def hashed_assets(files: list[str], extra: set[str]) -> list[str]:
    """The files that may be cached for a year: content-hashed build outputs."""
    return [name for name in files if name not in extra and is_hashed(name)]
