"""npm install runs when a build needs node_modules, not because node_modules is missing while
the bundle is up to date for the very same packages (after a restore from the cache, or
`rm -rf node_modules`); and a stage whose last run failed says so."""

from __future__ import annotations

import shutil

import pytest

from support.projects import Project

pytestmark = pytest.mark.needs("npm")


def run(project: Project, *args: str) -> str:
    result = project.run(*args)
    return result.stdout + result.stderr


def test_no_install_while_the_bundle_is_fresh_then_one_when_a_build_needs_it(
    project: Project,
) -> None:
    project.doit("build")
    assert (project.count("install"), project.count("build")) == (1, 1)
    shutil.rmtree(project.webapp / "node_modules")

    out = run(project, "check")
    assert "check passed" in out
    status = run(project, "status")
    assert "install        up to date (not needed: the build is up to date" in status
    project.doit("build")
    assert (project.count("install"), project.count("build")) == (1, 1)
    assert not (project.webapp / "node_modules").exists()

    app = project.webapp / "src" / "App.jsx"
    app.write_text(app.read_text() + "\n// an edit\n")
    project.doit("build")
    assert (project.count("install"), project.count("build")) == (2, 2)
    assert (project.webapp / "node_modules").is_dir()


def test_a_stage_whose_last_run_failed_says_so(project: Project) -> None:
    project.doit("build")
    app = project.webapp / "src" / "App.jsx"
    good = app.read_text()
    app.write_text(good + "\nthis is not javascript (\n")
    project.doit("build", check=False)
    status = run(project, "status")
    assert "build          would run because its last run failed or was interrupted" in status
    app.write_text(good)
    project.doit("build")
    status = run(project, "status")
    assert "everything is up to date" in status
