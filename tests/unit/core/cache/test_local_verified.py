"""A cache entry is restored only when it holds exactly what was stored; a damaged one is
dropped with one warning, and nothing in the project changes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools.config.load import CacheConfig
from buildtools.core.cache import local

KEY = "0123456789abcdef0123456789abcdef"


def settings(tmp_path: Path) -> CacheConfig:
    return CacheConfig(True, tmp_path / "cache", 1024, 30, "", "", "T", "K", 1.0)


def stored(tmp_path: Path) -> tuple[CacheConfig, local.Entry]:
    bundle, output = tmp_path / "made" / "bundle", tmp_path / "made" / "dist"
    (output / "assets").mkdir(parents=True)
    bundle.mkdir()
    (bundle / "index.html").write_text("<script src=assets/app.js></script>")
    (output / "index.html").write_text("<script src=assets/app.js></script>")
    (output / "assets" / "app.js").write_text("console.log('the real app')")
    os.symlink("app.js", output / "assets" / "latest.js")
    config = settings(tmp_path)
    entry = local.store(config, KEY, bundle=bundle, output=output, output_name="dist",
                        build_key="b" * 32)
    assert entry is not None
    return config, entry


def truncate(entry: Path) -> None:
    (entry / "output" / "assets" / "app.js").write_bytes(b"")


def same_size_edit(entry: Path) -> None:
    (entry / "output" / "assets" / "app.js").write_text("console.log('the fake app')")


def remove(entry: Path) -> None:
    (entry / "bundle" / "index.html").unlink()


def add(entry: Path) -> None:
    (entry / "output" / "evil.js").write_text("x")


def relink(entry: Path) -> None:
    (entry / "output" / "assets" / "latest.js").unlink()
    os.symlink("index.html", entry / "output" / "assets" / "latest.js")


def no_content_list(entry: Path) -> None:
    (entry / "content.json").unlink()


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (truncate, "output/assets/app.js has 0 bytes, 27 were stored"),
    "edited": (same_size_edit, "output/assets/app.js does not hold what was stored"),
    "removed": (remove, "bundle/index.html is missing"),
    "added": (add, "output/evil.js was not stored"),
    "relinked": (relink, "output/assets/latest.js is not the link that was stored"),
    "unlisted": (no_content_list, "its content.json is missing or unreadable"),
}


def test_a_whole_entry_is_restored(tmp_path: Path) -> None:
    _, entry = stored(tmp_path)
    target = tmp_path / "project"
    warned: list[str] = []
    assert local.restore(entry, target / "bundle", target / "dist", warn=warned.append)
    assert warned == []
    assert (target / "dist" / "assets" / "app.js").read_text() == "console.log('the real app')"
    assert os.readlink(target / "dist" / "assets" / "latest.js") == "app.js"


@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_a_damaged_entry_is_dropped_with_one_warning(tmp_path: Path, how: str) -> None:
    config, entry = stored(tmp_path)
    damage, why = DAMAGE[how]
    damage(entry.path)
    target = tmp_path / "project"
    (target / "bundle").mkdir(parents=True)
    (target / "bundle" / "index.html").write_text("the last good bundle")
    warned: list[str] = []
    assert not local.restore(entry, target / "bundle", target / "dist", warn=warned.append)
    assert warned == [f"the build cache entry {KEY[:12]} in {config.dir} is damaged ({why}); "
                      "it was dropped and the stages run"]
    assert local.lookup(config, KEY) is None and not entry.path.exists()
    assert (target / "bundle" / "index.html").read_text() == "the last good bundle"
    assert sorted(path.name for path in target.iterdir()) == ["bundle"]  # no staging left


def test_the_content_list_is_stored_with_the_entry(tmp_path: Path) -> None:
    _, entry = stored(tmp_path)
    content = json.loads((entry.path / "content.json").read_text())
    assert content["output"]["assets/latest.js"] == ["link", "app.js"]
    assert content["output"]["assets/app.js"][0] == 27
    assert sorted(content["bundle"]) == ["index.html"]
