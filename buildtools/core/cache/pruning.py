"""What leaves the local store of the build cache: entries unused for [cache] max_age_days,
then the least recently used beyond max_size_mb (a build prunes at most every ten minutes:
buildtools.core.cache.reuse), every entry (`clean --cache`), a project's own (`clean --all`),
and the scratch folders that interrupted runs left."""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from pathlib import Path

from buildtools.config.load import CacheConfig, Config
from buildtools.core.cache.local import META, Entry, remove_entry, settings


def entries(config: Config | CacheConfig) -> list[Entry]:
    cache = settings(config)
    found: list[Entry] = []
    root = cache.dir / "entries"
    if not root.is_dir():
        return found
    for shard in root.iterdir():
        if not shard.is_dir():
            continue
        for path in shard.iterdir():
            entry = _read_any(path)
            if entry is not None:
                found.append(entry)
            elif path.is_dir():
                found.append(Entry(path.name, path, {}))  # damaged: pruned first
    return found


def _read_any(path: Path) -> Entry | None:
    try:
        meta = json.loads((path / META).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("key") != path.name:
        return None
    return Entry(path.name, path, meta)


def prune(config: Config | CacheConfig, *, now: float | None = None) -> list[str]:
    """Delete entries unused for max_age_days, then the least recently used ones until the
    cache fits in max_size_mb; also leftovers of interrupted runs. Returns the deleted keys."""
    cache = settings(config)
    now = time.time() if now is None else now
    removed: list[str] = []
    found = sorted(entries(cache), key=lambda entry: (bool(entry.meta), entry.used))
    max_age = cache.max_age_days * 86400
    keep: list[Entry] = []
    for entry in found:
        if not entry.meta or (max_age and now - entry.used > max_age):
            remove_entry(cache, entry)
            removed.append(entry.key)
        else:
            keep.append(entry)
    budget = cache.max_size_mb * 1024 * 1024
    total = sum(entry.size for entry in keep)
    for entry in keep:  # least recently used first
        if total <= budget:
            break
        remove_entry(cache, entry)
        removed.append(entry.key)
        total -= entry.size
    _sweep_tmp(cache, now)
    return removed


def _sweep_tmp(cache: CacheConfig, now: float) -> None:
    """Remove scratch folders that an interrupted run left (older than an hour)."""
    tmp = cache.dir / "tmp"
    if not tmp.is_dir():
        return
    for path in tmp.iterdir():
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > 3600:
                shutil.rmtree(path, ignore_errors=True)


def clear(config: Config | CacheConfig) -> int:
    """Delete every entry; returns how many there were."""
    cache = settings(config)
    found = entries(cache)
    for entry in found:
        remove_entry(cache, entry)
    _sweep_tmp(cache, time.time() + 7200)
    return len(found)


def remove_keys(config: Config | CacheConfig, keys: set[str]) -> tuple[int, int]:
    """Delete the entries of these keys; (removed, other entries kept)."""
    cache = settings(config)
    found = entries(cache)
    chosen = [entry for entry in found if entry.key in keys]
    for entry in chosen:
        remove_entry(cache, entry)
    return len(chosen), len(found) - len(chosen)


def size(config: Config | CacheConfig) -> tuple[int, int]:
    """(entries, bytes) in the cache."""
    found = entries(config)
    return len(found), sum(entry.size for entry in found)
