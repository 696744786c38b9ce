"""`buildtools clean`: outputs, --all and --cache removed; node_modules and the project kept."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import invoke

# ---------------------------------------------------------------- clean


def test_clean_removes_outputs_and_keeps_node_modules(made: Path) -> None:
    for folder in ("dist/bundle", "webapp/dist", "webapp/node_modules/x", ".buildtools/stamps"):
        (made / folder).mkdir(parents=True)
    result = invoke("clean")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "removed dist (deploy output)\nremoved webapp/dist (build output)\n"
        "clean: removed 2 items\n"
    )
    assert not (made / "dist").exists() and not (made / "webapp/dist").exists()
    assert (made / "webapp/node_modules/x").is_dir() and (made / ".buildtools").is_dir()
    assert invoke("clean").output == "clean: nothing to remove\n"


def test_clean_all_and_cache(made: Path, tmp_path: Path) -> None:
    def cache_entry(key: str = "abcdef") -> Path:
        entry = tmp_path / "cache" / "cache" / "entries" / key[:2] / key
        entry.mkdir(parents=True)
        (entry / "meta.json").write_text(json.dumps({"key": key}))
        return entry

    entry = cache_entry()
    (made / "webapp/node_modules/x").mkdir(parents=True)
    (made / ".buildtools/stamps").mkdir(parents=True)
    (made / ".doit.db").write_text("")
    result = invoke("clean", "--cache")
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"removed {tmp_path / 'cache' / 'cache'} (build cache, 1 entry)\n"
        "clean: removed 1 item\n"
    )
    assert not entry.exists() and (made / ".buildtools").is_dir()

    # --all: only the entries this project stored or restored; another project's stays
    entry, other = cache_entry(), cache_entry("cdef01")
    (made / ".buildtools" / "cache-keys").write_text("abcdef\n")
    result = invoke("clean", "--all")
    assert result.exit_code == 0, result.output
    for gone in ("webapp/node_modules", ".buildtools", ".doit.db"):
        assert not (made / gone).exists(), gone
    assert not entry.exists() and other.is_dir()
    assert f"removed {tmp_path / 'cache' / 'cache'} (build cache, 1 entry of this project)\n" \
        in result.output
    assert (f"kept 1 build cache entry of other projects in {tmp_path / 'cache' / 'cache'}; "
            "'buildtools clean --cache' clears the whole cache\n") in result.output
    assert (made / "webapp/package.json").is_file() and (made / "assets").is_dir()
    assert invoke("clean", "--all").output == (
        f"kept 1 build cache entry of other projects in {tmp_path / 'cache' / 'cache'}; "
        "'buildtools clean --cache' clears the whole cache\nclean: nothing to remove\n")


def test_clean_never_removes_the_project(made: Path) -> None:
    toml = made / "buildtools.toml"
    toml.write_text(toml.read_text().replace("[deploy]", '[deploy]\nout = "."'))
    result = invoke("clean")
    assert result.exit_code == 0
    assert "warning: kept" in result.output
    assert (made / "buildtools.toml").is_file()
