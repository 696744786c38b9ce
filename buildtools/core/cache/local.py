"""The local store of the build cache: finished builds kept by key, restored without npm.

An entry is keyed by the build's inputs less the files it read besides the tree (those, with
their hashes, are in its meta.json and checked before a restore: buildtools.core.cache.reuse):
the install key, the source tree, the command, the output folder, the environment. It holds:

    <cache>/entries/<k[:2]>/<key>/meta.json   what it is: keys, output folder name, size
                                  content.json  every file's size and hash (cache.content)
                                  bundle/     the content of dist/bundle, for meta's bundle_key
                                  output/     the webapp's build output folder (e.g. dist/)

The output always comes back, with its build stamp; the bundle too when it was made for the
same task settings and extra_source_dir, else the bundle stage makes it from the output
(another task YAML never reruns webpack). node_modules is not cached.
Safe when several runs share the cache: an entry is written in <cache>/tmp/ and renamed into
place in one step (never visible half-written), and never changes once there (a second writer
of the same key drops its copy). Pruning renames an entry away before deleting it; a restore
that loses its entry midway builds instead. Entries are pruned oldest-used first beyond
[cache] max_size_mb, and when unused for max_age_days (a restore refreshes an entry's time);
a build prunes at most every ten minutes (buildtools.core.cache.reuse).

Nothing is restored unchecked: the copy about to be put in place must match the content
recorded when the entry was stored; a damaged entry is dropped (with one warning) and the
stages run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtools.config.load import CacheConfig, Config
from buildtools.core.cache.content import CONTENT, mismatch, read_content, write_content
from buildtools.util import atomic
from buildtools.util.ignored import make_ignored_dir

META = "meta.json"
FORMAT = 2  # 2: content.json lists what the entry holds


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path
    meta: dict[str, Any]

    @property
    def size(self) -> int:
        return int(self.meta.get("bytes", 0))

    @property
    def used(self) -> float:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return 0.0


def settings(config: Config | CacheConfig) -> CacheConfig:
    return config.cache if isinstance(config, Config) else config


def entry_dir(cache: CacheConfig, key: str) -> Path:
    return cache.dir / "entries" / key[:2] / key


def lookup(config: Config | CacheConfig, key: str) -> Entry | None:
    """The complete entry for `key`, or None."""
    cache = settings(config)
    if not cache.enabled:
        return None
    path = entry_dir(cache, key)
    try:
        meta = json.loads((path / META).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("key") != key:
        return None
    return Entry(key, path, meta)


def variant_key(inputs_key: str, read_key: str) -> str:
    """The key of an entry: the build's inputs less what it read besides the tree, then what
    it read (one entry per content of those files: going back to one restores its build)."""
    return f"{inputs_key}-{read_key[:16]}"


def inputs_key_of(key: str) -> str:
    return key.partition("-")[0]


def is_variant_of(key: object, inputs_key: str) -> bool:
    """Whether `key` names an entry made from `inputs_key` (and is safe as a folder name)."""
    if not isinstance(key, str):
        return False
    head, dash, tail = key.partition("-")
    return head == inputs_key and (not dash or (tail.isalnum() and tail.isascii()))


def variants(config: Config | CacheConfig, inputs_key: str) -> list[Entry]:
    """The complete entries made from `inputs_key`, the most recently used first."""
    cache = settings(config)
    if not cache.enabled:
        return []
    try:
        names = os.listdir(cache.dir / "entries" / inputs_key[:2])
    except OSError:
        return []
    found = [entry for name in names if name.startswith(inputs_key + "-")
             if (entry := lookup(cache, name)) is not None]
    return sorted(found, key=lambda entry: -entry.used)


def _tree_size(folder: Path) -> tuple[int, int]:
    files = size = 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                size += os.lstat(os.path.join(dirpath, name)).st_size
                files += 1
    return files, size


def scratch_dir(cache: CacheConfig) -> Path:
    """A new folder in <cache>/tmp, on the entries' disk, where an entry is made."""
    make_ignored_dir(cache.dir)
    tmp = cache.dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="entry-", dir=tmp))


def store(
    config: Config | CacheConfig,
    key: str,
    *,
    bundle: Path,
    output: Path,
    output_name: str,
    build_key: str,
    extra_meta: dict[str, Any] | None = None,
) -> Entry | None:
    """Copy a finished bundle and build output into the cache under `key` (no-op if there).
    `extra_meta`: more for meta.json (bundle_key, what the build read)."""
    cache = settings(config)
    if not cache.enabled:
        return None
    existing = lookup(cache, key)
    if existing is not None:
        return existing
    scratch = scratch_dir(cache)
    try:
        shutil.copytree(bundle, scratch / "bundle", symlinks=True)
        shutil.copytree(output, scratch / "output", symlinks=True)
        files, size = _tree_size(scratch)
        write_content(scratch)
        meta = {"format": FORMAT, "key": key, "build_key": build_key, "output": output_name,
                **(extra_meta or {}),
                "files": files, "bytes": size, "created": time.time()}
        (scratch / META).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        return adopt(cache, key, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def adopt(cache: CacheConfig, key: str, scratch: Path) -> Entry | None:
    """Rename a complete entry folder (made in <cache>/tmp) into place, atomically."""
    final = entry_dir(cache, key)
    final.parent.mkdir(parents=True, exist_ok=True)
    # If another run stored the same key first, the rename fails: entries of one key are equal.
    with contextlib.suppress(OSError):
        os.rename(scratch, final)
    return lookup(cache, key)


def restore(entry: Entry, bundle: Path | None, output: Path | None,
            warn: Callable[[str], None] | None = None) -> bool:
    """Put the entry's bundle and build output (those not None) in place, each checked against
    the content recorded when it was stored; False (nothing changed) when the entry vanished,
    or is damaged: then it is dropped and `warn` is told why, in one line."""
    content = read_content(entry.path)
    if content is None:
        return _drop_damaged(entry, f"its {CONTENT} is missing or unreadable", warn)
    staged: list[tuple[Path, Path]] = []
    try:
        for part, final in (("bundle", bundle), ("output", output)):
            if final is None:
                continue
            staging = atomic.staging_dir(final)
            staged.append((staging, final))
            shutil.copytree(entry.path / part, staging, symlinks=True, dirs_exist_ok=True)
            why = mismatch(content[part], staging, part)
            if why:
                _discard(staged)
                return _drop_damaged(entry, why, warn)
    except OSError:
        _discard(staged)
        return False  # pruned by another run meanwhile, or unreadable: the stages run
    except BaseException:
        _discard(staged)
        raise
    try:
        for staging, final in staged:
            atomic.replace_dir(staging, final)
    finally:
        _discard(staged)  # those not swapped in yet, when one swap failed
    with contextlib.suppress(OSError):
        os.utime(entry.path)  # used now: pruned last
    return True


def _discard(staged: list[tuple[Path, Path]]) -> None:
    for staging, _final in staged:
        shutil.rmtree(staging, ignore_errors=True)


def _drop_damaged(entry: Entry, why: str, warn: Callable[[str], None] | None) -> bool:
    remove_entry(entry.path.parent.parent.parent, entry)
    if warn is not None:
        warn(f"the build cache entry {entry.key[:12]} in {entry.path.parent.parent.parent} is "
             f"damaged ({why}); it was dropped and the stages run")
    return False


def remove_entry(cache: CacheConfig | Path, entry: Entry) -> None:
    cache_dir = cache if isinstance(cache, Path) else cache.dir
    trash = cache_dir / "tmp" / f"deleting-{entry.key}-{os.getpid()}-{time.monotonic_ns()}"
    trash.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(entry.path, trash)
    except OSError:
        return  # already gone
    shutil.rmtree(trash, ignore_errors=True)
