"""Which files the last build of given static inputs read (its discovered inputs: see
buildtools.core.stages.discovered), kept in the build cache beside the entries:

    <cache>/discovered/<k[:2]>/<static key>.json   the paths, from the webapp

The build key holds the hashes of those files, so a project whose build stamp is gone (a new
clone, `buildtools clean`) learns here which files to hash to find its entry. Pruned with the
entries, by age.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from buildtools.config.load import CacheConfig, Config

FOLDER = "discovered"


def _settings(config: Config | CacheConfig) -> CacheConfig:
    return config.cache if isinstance(config, Config) else config


def _index_path(cache: CacheConfig, static_key: str) -> Path:
    return cache.dir / FOLDER / static_key[:2] / f"{static_key}.json"


def remember_discovered(config: Config | CacheConfig, static_key: str,
                        paths: list[str]) -> None:
    """Keep which files the build of these static inputs read."""
    from buildtools.util import atomic

    cache = _settings(config)
    if cache.enabled:
        with contextlib.suppress(OSError):
            atomic.write_json(_index_path(cache, static_key), sorted(paths))


def discovered_paths(config: Config | CacheConfig, static_key: str) -> list[str] | None:
    """The files the last build of these static inputs read, None when unknown."""
    cache = _settings(config)
    if not cache.enabled:
        return None
    try:
        paths = json.loads(_index_path(cache, static_key).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return [str(path) for path in paths] if isinstance(paths, list) else None


def prune_index(cache: CacheConfig, older_than: float | None) -> None:
    """Remove the lists not written since `older_than` (a time; None: keep them all)."""
    if older_than is None:
        return
    for dirpath, _dirs, names in os.walk(cache.dir / FOLDER):
        for name in names:
            path = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                if os.stat(path).st_mtime < older_than:
                    os.unlink(path)
