"""Where the user's cache goes when HOME cannot hold it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from buildtools.config.cachedir import npm_cache_env, user_cache_dir
from buildtools.errors import UserError


@pytest.fixture
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return tmp_path / "tmp"


def fallback(tmp: Path) -> Path:
    return tmp / f"buildtools-{os.getuid()}"


def test_explicit_then_xdg_then_home(tmp_path: Path, tmp: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert user_cache_dir({"BUILDTOOLS_CACHE_DIR": "/x/y", "HOME": str(home)}) == Path("/x/y")
    xdg = user_cache_dir({"XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(home)})
    assert xdg == tmp_path / "xdg" / "buildtools"
    assert (xdg / ".gitignore").read_text().splitlines()[-1] == "*"
    assert user_cache_dir({"HOME": str(home)}) == home / ".cache" / "buildtools"


def test_a_missing_home_is_not_made(tmp_path: Path, tmp: Path) -> None:
    home = tmp_path / "gone"
    assert user_cache_dir({"HOME": str(home)}) == fallback(tmp)
    assert not home.exists()
    assert fallback(tmp).stat().st_mode & 0o777 == 0o700


def test_no_home_and_no_passwd_entry(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert user_cache_dir({}) == fallback(tmp)


def test_a_fallback_of_someone_else_is_refused(tmp_path: Path, tmp: Path) -> None:
    fallback(tmp).mkdir(mode=0o777)
    fallback(tmp).chmod(0o777)  # anyone could have made it: not trusted
    with pytest.raises(UserError, match="set BUILDTOOLS_CACHE_DIR to a folder you may write"):
        user_cache_dir({"HOME": str(tmp_path / "gone")})


def test_npm_gets_a_cache_when_home_cannot_hold_it(tmp_path: Path, tmp: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert npm_cache_env({"HOME": str(home)}) == {}
    assert npm_cache_env({"HOME": str(tmp_path / "gone"), "npm_config_cache": "/c"}) == {}
    assert npm_cache_env({"HOME": str(tmp_path / "gone")}) == {
        "npm_config_cache": str(fallback(tmp) / "npm")}
