"""The Node toolchain with fake node scripts: the version cache (by the binary's identity), a
system Node that does not satisfy engines, version-manager shims."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools.errors import UserError
from buildtools.node.toolchain import find_system_node, resolve_toolchain
from support.fake_node import FakeNode

# -- fake node: the version cache ----------------------------------------------------------


def test_versions_are_cached_by_the_binary_identity(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = FakeNode.make(tmp_path / "prefix", "20.1.0", npm_version="10.2.0")
    monkeypatch.setenv("PATH", str(bin_dir))
    cache = tmp_path / "cache"

    first = resolve_toolchain("system", "", ">=18", cache)
    assert (first.provider, first.node_version, first.npm_version) == ("system", "20.1.0", "10.2.0")
    assert FakeNode.runs(bin_dir) == 1
    assert sorted(p.name for p in first.bin_dir.iterdir()) == ["node", "npm"]
    assert (first.bin_dir / "node").resolve() == bin_dir / "node"
    assert first.bin_dir.parent == cache / "bin"

    # warm: no node started, and no range parser imported (the engines answers are cached)
    monkeypatch.delitem(sys.modules, "nodesemver", raising=False)
    assert resolve_toolchain("system", "", ">=18", cache) == first
    assert resolve_toolchain("auto", "", ">=18", cache) == first
    assert resolve_toolchain("auto", "", None, cache) == first
    assert FakeNode.runs(bin_dir) == 1
    assert "nodesemver" not in sys.modules
    with pytest.raises(UserError, match=r'engines\.node ">=18 <<" is not a valid version range'):
        resolve_toolchain("auto", "", ">=18 <<", cache)
    assert "nodesemver" in sys.modules

    # node replaced in place (same path, new content): asked again
    (bin_dir / "node").write_text(
        f'#!/bin/sh\necho x >> "{bin_dir.parent / "runs"}"\necho v22.3.0\n'
    )
    second = resolve_toolchain("system", "", None, cache)
    assert second.node_version == "22.3.0"
    assert second.bin_dir == first.bin_dir  # same targets, same links
    assert FakeNode.runs(bin_dir) == 2

    # npm upgraded: its package.json changed, node is not run again
    package = bin_dir.parent / "lib/node_modules/npm/package.json"
    package.write_text('{"name": "npm", "version": "10.9.1"}')
    os.utime(package, ns=(1, 1))
    third = resolve_toolchain("system", "", None, cache)
    assert (third.node_version, third.npm_version) == ("22.3.0", "10.9.1")


def test_system_not_satisfying_engines(
    monkeypatch: pytest.MonkeyPatch,


    tmp_path: Path,


    no_wheel: Callable[[], None],
) -> None:
    bin_dir = FakeNode.make(tmp_path / "prefix", "18.1.0")
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(UserError) as err:
        resolve_toolchain("system", "", ">=20.3 <23", tmp_path / "cache")
    assert str(err.value) == (
        f"the system Node is 18.1.0 ({bin_dir / 'node'}) but package.json engines.node asks for "
        '">=20.3 <23": install a matching Node, or set [webapp] node = "wheel" or a matching '
        "version to download with nodeenv"
    )
    no_wheel()
    with pytest.raises(UserError) as err:  # nothing listens on port 9: like nodejs.org here
        resolve_toolchain("auto", "http://127.0.0.1:9", ">=20.3 <23", tmp_path / "cache")
    assert str(err.value) == (
        f"no usable Node.js (found system Node 18.1.0 at {bin_dir / 'node'}) and nodeenv could "
        "not download one (cannot read http://127.0.0.1:9/index.json: [Errno 111] Connection "
        "refused): pip install 'buildtools[node]', or install Node.js with npm "
        '(package.json engines.node asks for ">=20.3 <23")'
    )
    assert not (tmp_path / "cache" / "nodeenv").exists()


def make_version_manager(root: Path, target: Path, folder: str = "shims") -> Path:
    """<root>/<folder>/node: a shim (like asdf's) that runs `target`, counting its runs."""
    shims = root / folder
    shims.mkdir(parents=True)
    shim = shims / "node"
    shim.write_text(
        f'#!/bin/sh\necho x >> "{root / "shim-runs"}"\n'
        f'if [ "$1" = "-p" ]; then echo "{target}"; else exec "{target}" "$@"; fi\n'
    )
    shim.chmod(0o755)
    return shims


def test_version_manager_shims_are_asked_for_their_node(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_bin = FakeNode.make(tmp_path / "installs" / "18.1.0", "18.1.0", npm_version="10.1.0")
    shims = make_version_manager(tmp_path / "asdf", real_bin / "node")
    monkeypatch.setenv("PATH", str(shims))
    cache = tmp_path / "cache"

    toolchain = resolve_toolchain("system", "", None, cache, project=tmp_path)

    assert (toolchain.node_version, toolchain.npm_version) == ("18.1.0", "10.1.0")
    assert (toolchain.bin_dir / "node").resolve() == real_bin / "node"  # the shim is bypassed
    with pytest.raises(UserError, match=rf"\(\{shims / 'node'} -> {real_bin / 'node'}\)"):
        resolve_toolchain("system", "", ">=20", cache)
    # the shim is asked on every resolve (the answer depends on the folder), node only once
    assert len((tmp_path / "asdf" / "shim-runs").read_text().split()) == 2
    assert FakeNode.runs(real_bin) == 1


def test_shims_found_by_their_real_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """volta and mise link node to their own binary: not a node, so it is asked too."""
    real_bin = FakeNode.make(tmp_path / "image" / "20.5.0", "20.5.0")
    tool = make_version_manager(tmp_path / "volta", real_bin / "node", folder="tools") / "node"
    tool.rename(tool.with_name("volta-shim"))
    links = tmp_path / "volta" / "bin"
    links.mkdir()
    (links / "node").symlink_to(tool.with_name("volta-shim"))
    monkeypatch.setenv("PATH", str(links))
    found = find_system_node()
    assert found is not None
    assert found.node == real_bin / "node"


