"""The state folder and the build cache ignore themselves in git."""

from __future__ import annotations

from pathlib import Path

from buildtools.config.load import CacheConfig
from buildtools.core.cache import local
from buildtools.core.freshness import StampStore
from buildtools.util.ignored import make_ignored_dir


def ignores_everything(folder: Path) -> bool:
    lines = (folder / ".gitignore").read_text().splitlines()
    return "*" in [line.strip() for line in lines if not line.startswith("#")]


def test_the_state_folder_is_made_with_a_gitignore(tmp_path: Path) -> None:
    state = tmp_path / "project" / ".buildtools"
    StampStore(state).write("build", "k")
    assert ignores_everything(state)


def test_an_existing_gitignore_is_kept(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("mine\n")
    make_ignored_dir(tmp_path)
    assert (tmp_path / ".gitignore").read_text() == "mine\n"


def test_the_cache_folder_is_made_with_a_gitignore(tmp_path: Path) -> None:
    settings = CacheConfig(True, tmp_path / "in-project-cache", 1024, 30, "", "",
                           "TOKEN", "KEY", 1.0)
    bundle, output = tmp_path / "bundle", tmp_path / "output"
    for folder in (bundle, output):
        folder.mkdir()
        (folder / "index.html").write_text("<p>x</p>")
    assert local.store(settings, "ab" * 16, bundle=bundle, output=output, output_name="dist",
                       build_key="b") is not None
    assert ignores_everything(settings.dir)
