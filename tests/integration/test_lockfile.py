"""An install is not redone because npm rewrote the lockfile, and a lockfile that `npm ci`
refuses (out of sync deeper than package.json's own entries) falls back to `npm install`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.projects import make_tiny

pytestmark = pytest.mark.needs("npm")

DEPENDENCIES = {"is-odd": "3.0.1"}  # and through it is-number: two packages from the registry


def test_the_lockfile_npm_writes_does_not_make_the_next_run_install(tmp_path: Path) -> None:
    tiny = make_tiny(tmp_path / "tiny", lockfile=False)
    tiny.edit_package_json(devDependencies=DEPENDENCIES)
    first = tiny.run("build")
    assert "$ npm install   # no package-lock.json" in first.stdout
    assert (tiny.webapp / "package-lock.json").is_file()
    second = tiny.run("build")
    assert "install        up to date" in second.stdout, second.stdout
    assert "build is up to date" in second.stdout
    assert (tiny.count("install"), tiny.count("build")) == (1, 1)


def test_what_the_post_install_script_writes_is_recorded_as_installed(tmp_path: Path) -> None:
    tiny = make_tiny(tmp_path / "tiny")
    (tiny.webapp / "setup.sh").write_text("echo 'fund=false' > .npmrc\n")
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text().replace(
        'output = "dist"', 'output = "dist"\npost_install_script = "setup.sh"'))
    tiny.run("build")
    again = tiny.run("build")
    assert "build is up to date" in again.stdout, again.stdout
    assert tiny.count("install") == 1


def test_npm_ci_refusing_the_lockfile_falls_back_to_npm_install(tmp_path: Path) -> None:
    tiny = make_tiny(tmp_path / "tiny", lockfile=False)
    tiny.edit_package_json(devDependencies=DEPENDENCIES)
    tiny.run("build")
    lock_path = tiny.webapp / "package-lock.json"
    lock = json.loads(lock_path.read_text())
    # package.json's own entries still match (the shallow check says "in sync"), a package
    # below them is missing, as for a lockfile made where an optional package was skipped
    del lock["packages"]["node_modules/is-number"]
    lock_path.write_text(json.dumps(lock, indent=2) + "\n")

    result = tiny.run("build")
    assert "$ npm ci   # package-lock.json is in sync" in result.stdout
    assert ("npm ci refused package-lock.json as out of sync with package.json (Missing: "
            "is-number@") in result.stdout, result.stdout
    assert "running npm install" in result.stdout
    assert "npm error" not in result.stdout + result.stderr  # npm's usage text is not shown
    assert "node_modules/is-number" in json.loads(lock_path.read_text())["packages"]
    assert tiny.count("install") == 2
    again = tiny.run("build")
    assert "build is up to date" in again.stdout, again.stdout


def test_why_npm_install_runs_is_one_level_of_parentheses(tmp_path: Path) -> None:
    tiny = make_tiny(tmp_path / "tiny")  # its lockfile lists no dependency
    tiny.edit_package_json(devDependencies=DEPENDENCIES)
    result = tiny.run("build")
    line = next(line for line in result.stdout.splitlines() if "$ npm" in line)
    assert line.strip() == (
        "$ npm install   # package-lock.json is out of sync with package.json (is-odd: 3.0.1 in "
        "package.json, nothing in package-lock.json)")
