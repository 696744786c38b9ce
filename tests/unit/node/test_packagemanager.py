"""Package manager detection, install commands, package.json reading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from buildtools.errors import UserError
from buildtools.node.packagemanager import (
    PackageManager,
    detect_package_manager,
    install_command,
    package_manager_env,
    read_package_json,
    run_script_command,
)

NPM = PackageManager("npm", "package-lock.json")
PNPM = PackageManager("pnpm", "pnpm-lock.yaml")
YARN = PackageManager("yarn", "yarn.lock")


def write_package(webapp: Path, **fields: Any) -> None:
    webapp.mkdir(parents=True, exist_ok=True)
    (webapp / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0", **fields}))


def npm_lock(webapp: Path, **root: Any) -> None:
    lock = {
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {"": {"name": "app", "version": "1.0.0", **root}},
    }
    (webapp / "package-lock.json").write_text(json.dumps(lock, indent=2))


# -- read_package_json --------------------------------------------------------------------------


def test_read_package_json(tmp_path: Path) -> None:
    write_package(tmp_path, scripts={"build": "vite build"})
    assert read_package_json(tmp_path)["scripts"] == {"build": "vite build"}


def test_read_package_json_with_bom(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_bytes(b'\xef\xbb\xbf{"name": "app"}')
    assert read_package_json(tmp_path) == {"name": "app"}


def test_package_json_missing(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        read_package_json(tmp_path / "webapp")
    assert str(err.value) == (
        f"no package.json in {tmp_path / 'webapp'}: set [webapp] source to the folder holding it"
    )


def test_package_json_invalid(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{\n  "name": "app",\n  "scripts": {,}\n}\n')
    with pytest.raises(UserError) as err:
        read_package_json(tmp_path)
    assert str(err.value) == (
        f"{tmp_path}/package.json is not valid JSON: "
        "Expecting property name enclosed in double quotes (line 3)"
    )


def test_package_json_not_an_object(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('["app"]')
    with pytest.raises(UserError) as err:
        read_package_json(tmp_path)
    assert str(err.value) == f"{tmp_path}/package.json must hold a JSON object, not a list"


def test_package_json_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_bytes(b'{\n  "name": "caf\xe9"\n}')
    with pytest.raises(UserError) as err:
        read_package_json(tmp_path)
    assert str(err.value) == f"{tmp_path}/package.json is not valid UTF-8 (line 2)"


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
    with pytest.raises(UserError) as err:
        detect_package_manager(tmp_path)
    assert str(err.value) == (
        f"{tmp_path} has lockfiles of several package managers (package-lock.json, yarn.lock): "
        'delete the ones you do not use, or set "packageManager" in package.json'
    )


def test_detect_refuses_unknown_package_manager(tmp_path: Path) -> None:
    write_package(tmp_path, packageManager="bun@1.1.0")
    with pytest.raises(UserError) as err:
        detect_package_manager(tmp_path)
    assert str(err.value) == (
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


# -- install_command: pnpm ---------------------------------------------------------------------

PNPM_V9 = """\
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      react:
        specifier: ^18.3.1
        version: 18.3.1
    devDependencies:
      vite:
        specifier: ^5.4.0
        version: 5.4.10

packages:

  react@18.3.1:
    resolution: {integrity: sha512-abc}
"""

PNPM_V6 = """\
lockfileVersion: '6.0'

dependencies:
  react:
    specifier: ^18.3.1
    version: 18.3.1

devDependencies:
  vite:
    specifier: ^5.4.0
    version: 5.4.10

packages:

  /react@18.3.1:
    resolution: {integrity: sha512-abc}
"""

PNPM_V5 = """\
lockfileVersion: 5.4

specifiers:
  react: ^18.3.1
  vite: ^5.4.0

dependencies:
  react: 18.3.1

devDependencies:
  vite: 5.4.10

packages:

  /react/18.3.1:
    resolution: {integrity: sha512-abc}
"""


@pytest.mark.parametrize("lock", [PNPM_V9, PNPM_V6, PNPM_V5], ids=["v9", "v6", "v5"])
def test_pnpm_in_sync(tmp_path: Path, lock: str) -> None:
    write_package(tmp_path, dependencies={"react": "^18.3.1"}, devDependencies=DEV)
    (tmp_path / "pnpm-lock.yaml").write_text(lock)
    assert install_command(tmp_path, PNPM) == (
        ["corepack", "pnpm", "install", "--frozen-lockfile"],
        "pnpm-lock.yaml is in sync",
    )


@pytest.mark.parametrize("lock", [PNPM_V9, PNPM_V6, PNPM_V5], ids=["v9", "v6", "v5"])
def test_pnpm_out_of_sync(tmp_path: Path, lock: str) -> None:
    write_package(tmp_path, dependencies={"react": "^19.0.0"}, devDependencies=DEV)
    (tmp_path / "pnpm-lock.yaml").write_text(lock)
    assert install_command(tmp_path, PNPM) == (
        ["corepack", "pnpm", "install", "--no-frozen-lockfile"],
        "pnpm-lock.yaml is out of sync with package.json "
        "(react: ^19.0.0 in package.json, ^18.3.1 in pnpm-lock.yaml)",
    )


def test_pnpm_without_lockfile(tmp_path: Path) -> None:
    write_package(tmp_path, packageManager="pnpm@9.12.0")
    assert install_command(tmp_path, detect_package_manager(tmp_path)) == (
        ["corepack", "pnpm", "install", "--no-frozen-lockfile"],
        "no pnpm-lock.yaml",
    )


# -- install_command: yarn ---------------------------------------------------------------------

YARN_CLASSIC = """\
# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@vitejs/plugin-react@^4.3.0":
  version "4.3.3"

react@^18.2.0, react@^18.3.1:
  version "18.3.1"
"""

YARN_BERRY = """\
# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"@vitejs/plugin-react@npm:^4.3.0":
  version: 4.3.3

"react@npm:^18.3.1":
  version: 18.3.1
"""


def test_yarn_classic_in_sync(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        dependencies={"react": "^18.3.1"},
        devDependencies={"@vitejs/plugin-react": "^4.3.0"},
    )
    (tmp_path / "yarn.lock").write_text(YARN_CLASSIC)
    # Yarn 1 ignores --immutable (it rewrites the lockfile): it needs --frozen-lockfile
    assert install_command(tmp_path, YARN) == (
        ["corepack", "yarn", "install", "--frozen-lockfile"],
        "yarn.lock is in sync",
    )


def test_yarn_berry_in_sync(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        dependencies={"react": "^18.3.1"},
        devDependencies={"@vitejs/plugin-react": "^4.3.0"},
        packageManager="yarn@4.5.3",
    )
    (tmp_path / "yarn.lock").write_text(YARN_BERRY)
    assert install_command(tmp_path, YARN) == (
        ["corepack", "yarn", "install", "--immutable"],
        "yarn.lock is in sync",
    )


def test_yarn_out_of_sync(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies={"react": "^19.0.0"})
    (tmp_path / "yarn.lock").write_text(YARN_CLASSIC)
    assert install_command(tmp_path, YARN) == (
        ["corepack", "yarn", "install"],
        "yarn.lock is out of sync with package.json (react@^19.0.0 is not in yarn.lock)",
    )


def test_yarn_berry_needs_a_package_manager_field(tmp_path: Path) -> None:
    write_package(tmp_path, dependencies={"react": "^18.3.1"})
    (tmp_path / "yarn.lock").write_text(YARN_BERRY)
    with pytest.raises(UserError) as err:
        install_command(tmp_path, YARN)
    assert str(err.value) == (
        f"{tmp_path}/yarn.lock is a Yarn 2+ lockfile but package.json has no "
        '"packageManager" field: add one, e.g. "packageManager": "yarn@4.5.3" '
        "(otherwise corepack runs Yarn 1)"
    )
    (tmp_path / ".yarnrc.yml").write_text("yarnPath: .yarn/releases/yarn-4.5.3.cjs\n")
    assert install_command(tmp_path, YARN)[0] == ["corepack", "yarn", "install", "--immutable"]


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
