"""The real package managers (npm, and pnpm and yarn through corepack) agree with our in-sync
verdict: the frozen install we choose succeeds when we say in sync and fails when we say not."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from buildtools.node.packagemanager import (
    PackageManager,
    detect_package_manager,
    install_command,
    package_manager_env,
    run_script_command,
)
from buildtools.node.toolchain import Toolchain, find_system_node, resolve_toolchain


def write_package(webapp: Path, **fields: Any) -> None:
    (webapp / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0", **fields}))


needs_system_node = pytest.mark.skipif(
    find_system_node() is None, reason="no system node with npm on PATH"
)


@pytest.fixture(scope="module")
def toolchain(tmp_path_factory: pytest.TempPathFactory) -> Toolchain:
    return resolve_toolchain("auto", "", None, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def pm_env(toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {**toolchain.env(os.environ), **package_manager_env()}
    env["COREPACK_HOME"] = str(tmp_path_factory.mktemp("corepack"))
    env.pop("CI", None)
    return env


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("manager", ["npm", "pnpm", "yarn"])
def test_real_install_commands(
    manager: str, tmp_path: Path, pm_env: dict[str, str], toolchain: Toolchain
) -> None:
    if manager != "npm" and not (toolchain.bin_dir / "corepack").exists():
        pytest.skip(f"Node {toolchain.node_version} ships no corepack")
    deps = {"is-number": "^7.0.0"}
    write_package(tmp_path, dependencies=deps)
    pm = PackageManager(manager, None)

    argv, reason = install_command(tmp_path, pm)
    assert reason.startswith("no ")
    done = run(argv, tmp_path, pm_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "node_modules" / "is-number").is_dir()
    pm = detect_package_manager(tmp_path)
    assert pm.name == manager
    assert json.loads((tmp_path / "package.json").read_text()).get("packageManager") is None

    argv, reason = install_command(tmp_path, pm)
    assert reason == f"{pm.lockfile} is in sync"
    done = run(argv, tmp_path, pm_env)
    assert done.returncode == 0, done.stdout + done.stderr

    write_package(tmp_path, dependencies={"is-number": "^6.0.0"})
    frozen = argv
    argv, reason = install_command(tmp_path, pm)
    assert "out of sync" in reason
    assert run(frozen, tmp_path, pm_env).returncode != 0  # they agree: the frozen one fails
    done = run(argv, tmp_path, pm_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert install_command(tmp_path, pm) == (frozen, f"{pm.lockfile} is in sync")

    script = run_script_command(pm, "hello")
    write_package(tmp_path, dependencies={"is-number": "^6.0.0"}, scripts={"hello": "node -v"})
    done = run(script, tmp_path, pm_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"v{toolchain.node_version}" in done.stdout
