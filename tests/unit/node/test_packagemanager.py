"""Package manager detection (lockfile, packageManager field), npm's install command (ci when
package-lock.json is in sync, else install, saying why), script commands and environment."""

from __future__ import annotations

import json
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
from support.errors import user_error
from support.package_json import NPM, PNPM, YARN, npm_lock, write_package

# -- detect_package_manager ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lockfile", "expected"),
    [
        ("package-lock.json", PackageManager("npm", "package-lock.json")),
        ("npm-shrinkwrap.json", PackageManager("npm", "npm-shrinkwrap.json")),
        ("pnpm-lock.yaml", PackageManager("pnpm", "pnpm-lock.yaml")),
        ("yarn.lock", PackageManager("yarn", "yarn.lock")),
        (None, PackageManager("npm", None)),
    ],
)
def test_detect_by_lockfile(tmp_path: Path, lockfile: str | None, expected: PackageManager) -> None:
    write_package(tmp_path)
    if lockfile:
        (tmp_path / lockfile).write_text("")
    assert detect_package_manager(tmp_path) == expected


def test_detect_by_package_manager_field(tmp_path: Path) -> None:
    write_package(tmp_path, packageManager="pnpm@9.12.0+sha512.abc")
    assert detect_package_manager(tmp_path) == PackageManager("pnpm", None)
    (tmp_path / "package-lock.json").write_text("{}")
    (tmp_path / "pnpm-lock.yaml").write_text("")
    assert detect_package_manager(tmp_path) == PackageManager("pnpm", "pnpm-lock.yaml")


def test_detect_refuses_mixed_lockfiles(tmp_path: Path) -> None:
    write_package(tmp_path)
    (tmp_path / "package-lock.json").write_text("{}")
    (tmp_path / "yarn.lock").write_text("")
    assert user_error(detect_package_manager, tmp_path) == (
        f"{tmp_path} has lockfiles of several package managers (package-lock.json, yarn.lock): "
        'delete the ones you do not use, or set "packageManager" in package.json'
    )


def test_detect_refuses_unknown_package_manager(tmp_path: Path) -> None:
    write_package(tmp_path, packageManager="bun@1.1.0")
    assert user_error(detect_package_manager, tmp_path) == (
        f"{tmp_path}/package.json: packageManager 'bun@1.1.0' is not supported: "
        "use npm, pnpm or yarn"
    )


# -- install_command: npm ----------------------------------------------------------------------

DEPS = {"react": "^18.3.1", "react-dom": "^18.3.1"}
DEV = {"vite": "^5.4.0"}


def test_npm_in_sync(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies=DEPS, devDependencies=DEV)
    npm_lock(tmp_path, dependencies=DEPS, devDependencies=DEV)
    assert install_command(tmp_path, NPM) == (["npm", "ci"], "package-lock.json is in sync")


def test_npm_out_of_sync(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies={**DEPS, "react": "^19.0.0"}, devDependencies=DEV)
    npm_lock(tmp_path, dependencies=DEPS, devDependencies=DEV)
    assert install_command(tmp_path, NPM) == (
        ["npm", "install"],
        "package-lock.json is out of sync with package.json "
        "(react: ^19.0.0 in package.json, ^18.3.1 in package-lock.json)",
    )


def test_npm_out_of_sync_lists_a_few(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies={"a": "1", "b": "1"}, peerDependencies={"c": "1"})
    npm_lock(tmp_path, dependencies={"b": "2", "z": "1"}, optionalDependencies={"d": "1"})
    argv, reason = install_command(tmp_path, NPM)
    assert argv == ["npm", "install"]
    assert reason == (
        "package-lock.json is out of sync with package.json ("
        "a: 1 in package.json, nothing in package-lock.json; "
        "b: 1 in package.json, 2 in package-lock.json; "
        "z: nothing in package.json, 1 in package-lock.json; and 2 more)"
    )


def test_npm_dependency_moved_to_dev(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies={}, devDependencies=DEPS)
    npm_lock(tmp_path, dependencies=DEPS)
    assert install_command(tmp_path, NPM)[0] == ["npm", "install"]


def test_npm_without_lockfile(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies=DEPS)
    assert install_command(tmp_path, PackageManager("npm", None)) == (
        ["npm", "install"],
        "no package-lock.json",
    )
    # detected with a lockfile that was deleted since
    assert install_command(tmp_path, NPM) == (["npm", "install"], "no package-lock.json")


def test_npm_shrinkwrap(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies=DEPS)
    npm_lock(tmp_path, dependencies=DEPS)
    (tmp_path / "package-lock.json").rename(tmp_path / "npm-shrinkwrap.json")
    manager = detect_package_manager(tmp_path)
    assert install_command(tmp_path, manager) == (["npm", "ci"], "npm-shrinkwrap.json is in sync")


def test_npm_lockfile_v1_compares_names(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies=DEPS)
    locked: dict[str, Any] = {"react": {"version": "18.3.1"}}
    lock = {"lockfileVersion": 1, "dependencies": locked}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    assert install_command(tmp_path, NPM) == (
        ["npm", "install"],
        "package-lock.json is out of sync with package.json "
        "(react-dom: ^18.3.1 in package.json, nothing in package-lock.json)",
    )
    locked["react-dom"] = {"version": "18.3.1"}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    assert install_command(tmp_path, NPM)[0] == ["npm", "ci"]


def test_npm_broken_lockfile(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies=DEPS)
    (tmp_path / "package-lock.json").write_text("{")
    assert install_command(tmp_path, NPM) == (
        ["npm", "install"],
        "package-lock.json is out of sync with package.json (package-lock.json is not valid JSON)",
    )


# -- scripts and environment -------------------------------------------------------------------


def test_run_script_command() -> None:
    assert run_script_command(NPM, "build") == ["npm", "run", "build"]
    assert run_script_command(PNPM, "build") == ["corepack", "pnpm", "run", "build"]
    assert run_script_command(YARN, "build:prod") == ["corepack", "yarn", "run", "build:prod"]


def test_package_manager_env() -> None:
    env = package_manager_env()
    assert env["COREPACK_ENABLE_DOWNLOAD_PROMPT"] == "0"
    assert env["COREPACK_ENABLE_AUTO_PIN"] == "0"
    assert env["COREPACK_DEFAULT_TO_LATEST"] == "0"
