"""extra_source_dir: what looks like a secret, the checks and allow list of collect_assets, and
copy_assets refusing to overwrite a build output."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.assets import collect_assets, copy_assets, looks_secret
from buildtools.errors import UserError


@pytest.mark.parametrize(
    ("path", "secret"),
    [(".env", True), (".env.production", True), ("keys/server.pem", True), ("id_rsa", True),
     (".git/config", True), ("img/TestImg.png", False), ("environment.json", False),
     ("docs/key.txt", False)],
)
def test_looks_secret(path: str, secret: bool) -> None:
    assert looks_secret(path) is secret


def test_collect_assets_checks_and_allow_list(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    (assets / "img").mkdir(parents=True)
    (assets / "img" / "a.png").write_bytes(b"png")
    (assets / "inside").symlink_to("img/a.png")
    (assets / "server.pem").write_text("cert")
    with pytest.raises(UserError, match=r"'assets/server\.pem' looks like a secret"):
        collect_assets(assets)
    found = collect_assets(assets, allow=["*.pem"])
    assert sorted(found) == ["img/a.png", "inside", "server.pem"]
    (assets / ".git").mkdir()
    (assets / ".git" / "HEAD").write_text("ref")
    with pytest.raises(UserError, match=r"'assets/\.git/' looks like a secret"):
        collect_assets(assets, allow=["*.pem"])


def test_copy_assets_refuses_overwriting_a_build_output(tmp_path: Path) -> None:
    source = tmp_path / "a.js"
    source.write_text("x")
    with pytest.raises(UserError) as info:
        copy_assets({"assets/index.js": source}, tmp_path / "bundle", {"assets/index.js"},
                    "webapp/dist", "static/")
    assert str(info.value) == (
        "extra_source_dir: 'static/assets/index.js' would overwrite the build output "
        "'webapp/dist/assets/index.js'; rename one of them"
    )


def test_a_symlinked_folder_is_listed_file_by_file_and_a_loop_refused(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    (assets / "sub").mkdir(parents=True)
    (assets / "sub" / "a.txt").write_text("private")
    (assets / "alias").symlink_to("sub")
    found = collect_assets(assets)
    assert sorted(found) == ["alias/a.txt", "sub/a.txt"]
    assert found["alias/a.txt"] == (assets / "sub" / "a.txt").resolve()
    (assets / "sub" / "up").symlink_to("..")
    with pytest.raises(UserError) as caught:
        collect_assets(assets)
    assert str(caught.value) == (
        "extra_source_dir: 'assets/alias/up' is a symlink to a folder that contains it (a "
        "loop); remove it")
    (assets / "sub" / "up").unlink()
    (assets / "sub" / ".SSH").mkdir()
    with pytest.raises(UserError, match=r"'assets/alias/\.SSH/' looks like a secret"):
        collect_assets(assets)
