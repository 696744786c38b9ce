"""The local build cache: entries by bundle key, atomic and immutable, pruned by size and age.
With real npm: tests/integration/test_cache.py."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools.config.load import CacheConfig
from buildtools.core.cache import local, pruning

KEY = "0123456789abcdef0123456789abcdef"


def settings(tmp_path: Path, **changes: object) -> CacheConfig:
    values: dict[str, object] = {
        "enabled": True, "dir": tmp_path / "cache", "max_size_mb": 1024, "max_age_days": 30,
        "remote_url": "", "remote_team": "", "remote_token_env": "T", "signature_key_env": "K",
        "remote_timeout_s": 1.0,
    }
    values.update(changes)
    return CacheConfig(**values)  # type: ignore[arg-type]


def built(root: Path, text: str = "hello") -> tuple[Path, Path]:
    bundle, output = root / "bundle", root / "dist"
    for folder in (bundle, output / "assets"):
        folder.mkdir(parents=True, exist_ok=True)
    (bundle / "index.html").write_text(text)
    (bundle / "task_config.json").write_text("{}")
    (output / "index.html").write_text(text)
    (output / "assets" / "app.js").write_text("js")
    return bundle, output


def store(config: CacheConfig, root: Path, key: str = KEY, text: str = "hello") -> local.Entry:
    bundle, output = built(root, text)
    entry = local.store(config, key, bundle=bundle, output=output, output_name="dist",
                        build_key="b" * 32)
    assert entry is not None
    return entry


def test_store_then_restore_both_folders(tmp_path: Path) -> None:
    config = settings(tmp_path)
    assert local.lookup(config, KEY) is None
    entry = store(config, tmp_path / "project")
    assert local.lookup(config, KEY) == entry
    assert entry.meta["output"] == "dist" and entry.meta["files"] == 4
    target = tmp_path / "other"
    (target / "bundle").mkdir(parents=True)
    (target / "bundle" / "stale.txt").write_text("old")
    assert local.restore(entry, target / "bundle", target / "webapp" / "dist")
    assert sorted(p.name for p in (target / "bundle").iterdir()) == ["index.html",
                                                                     "task_config.json"]
    assert (target / "webapp" / "dist" / "assets" / "app.js").read_text() == "js"
    assert not any(p.name.startswith(".") for p in target.iterdir())  # no staging left


def test_disabled_cache_stores_and_finds_nothing(tmp_path: Path) -> None:
    config = settings(tmp_path, enabled=False)
    bundle, output = built(tmp_path / "p")
    assert local.store(config, KEY, bundle=bundle, output=output, output_name="dist",
                       build_key="b") is None
    assert local.lookup(config, KEY) is None


def test_half_written_or_damaged_entries_are_invisible(tmp_path: Path) -> None:
    config = settings(tmp_path)
    scratch = local.scratch_dir(config)  # what a writer interrupted midway leaves
    (scratch / "bundle").mkdir()
    assert local.lookup(config, KEY) is None
    damaged = local.entry_dir(config, KEY)
    damaged.mkdir(parents=True)
    (damaged / "meta.json").write_text("{not json")
    assert local.lookup(config, KEY) is None
    assert KEY in pruning.prune(config)  # and pruning clears it away
    assert not damaged.exists()


def test_entries_are_immutable_and_concurrent_writers_agree(tmp_path: Path) -> None:
    config = settings(tmp_path)
    first = store(config, tmp_path / "a", text="first")
    again = store(config, tmp_path / "b", text="second")  # same key: the first one stays
    assert again.path == first.path
    assert (first.path / "bundle" / "index.html").read_text() == "first"

    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            store(config, tmp_path / f"w{index}", key="f" * 32, text="same")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert local.lookup(config, "f" * 32) is not None
    assert list((config.dir / "tmp").iterdir()) == []  # every scratch copy was cleaned up


def test_restore_of_a_vanished_entry_changes_nothing(tmp_path: Path) -> None:
    config = settings(tmp_path)
    entry = store(config, tmp_path / "p")
    pruning.clear(config)
    target = tmp_path / "t"
    (target / "bundle").mkdir(parents=True)
    (target / "bundle" / "keep.txt").write_text("previous build")
    assert not local.restore(entry, target / "bundle", target / "dist")
    assert (target / "bundle" / "keep.txt").read_text() == "previous build"
    assert not (target / "dist").exists()


def test_a_restore_that_cannot_swap_leaves_no_staging_folder(
        tmp_path: Path, immutable: Callable[..., None]) -> None:
    """The copies are made, then the swap fails: both staging folders go (the one beside the
    build output would otherwise be hashed as a source by the next build)."""
    config = settings(tmp_path)
    entry = store(config, tmp_path / "p")
    target = tmp_path / "t"
    for folder in (target / "dist" / "bundle", target / "webapp" / "dist"):
        folder.mkdir(parents=True)
        (folder / "keep.txt").write_text("previous build")
    immutable(target / "dist" / "bundle")
    with pytest.raises(PermissionError):
        local.restore(entry, target / "dist" / "bundle", target / "webapp" / "dist")
    assert sorted(p.name for p in (target / "dist").iterdir()) == ["bundle"]
    assert sorted(p.name for p in (target / "webapp").iterdir()) == ["dist"]
    assert (target / "webapp" / "dist" / "keep.txt").read_text() == "previous build"


def test_prune_by_age_then_by_size_least_recently_used_first(tmp_path: Path) -> None:
    config = settings(tmp_path, max_age_days=10)
    old = store(config, tmp_path / "1", key="1" * 32)
    lru = store(config, tmp_path / "2", key="2" * 32)
    recent = store(config, tmp_path / "3", key="3" * 32)
    now = time.time()
    os.utime(old.path, (now - 11 * 86400, now - 11 * 86400))
    os.utime(lru.path, (now - 5 * 86400, now - 5 * 86400))
    assert pruning.prune(config, now=now) == [old.key]
    assert pruning.size(config)[0] == 2
    tiny = settings(tmp_path, max_size_mb=0)
    assert pruning.prune(tiny, now=now) == [lru.key, recent.key]
    assert pruning.size(config) == (0, 0)


def test_clear_counts_the_entries(tmp_path: Path) -> None:
    config = settings(tmp_path)
    store(config, tmp_path / "1", key="1" * 32)
    store(config, tmp_path / "2", key="2" * 32)
    assert pruning.clear(config) == 2
    assert pruning.entries(config) == []


def test_a_prune_is_due_ten_minutes_after_the_last_one(tmp_path: Path) -> None:
    from buildtools.core.cache.reuse import PRUNE_EVERY, PRUNED_MARK, prune_due

    folder = tmp_path / "cache"
    folder.mkdir()
    assert prune_due(folder)  # never pruned
    (folder / PRUNED_MARK).touch()
    mark = (folder / PRUNED_MARK).stat().st_mtime
    assert not prune_due(folder, now=mark + PRUNE_EVERY - 1)
    assert prune_due(folder, now=mark + PRUNE_EVERY)
