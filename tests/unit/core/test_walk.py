"""The walk over the stages with a fake npm (buildtools.testing.fake_npm): which stage runs,
which is skipped and why, what npm is asked to run, what lands in the output and the bundle,
which stamps are written. A skip that is wrong either way fails one of these."""

from __future__ import annotations

import shutil

import pytest

from buildtools.core import early
from buildtools.testing.fake_npm import Writes
from support.fake_project import Project

STAGES = {"node", "install", "build", "bundle"}


def test_a_first_build_runs_npm_and_bundles_its_output(project: Project) -> None:
    result = project.build()

    assert project.npm.ran() == ["node --version", "npm ci", "npm run build"]
    assert result.ran == ["install", "build", "bundle"]
    assert project.stamps() == STAGES
    bundle = project.files(project.bundle)
    assert bundle.keys() == {"index.html", "app.js", "logo.svg", "task_config.json"}
    assert bundle["index.html"] == "<p>built</p>"
    assert '"task_title": "t"' in bundle["task_config.json"]
    install, build = project.npm.calls[1:]
    assert install.cwd == build.cwd == project.webapp
    assert build.env["PATH"].split(":")[0].startswith(str(project.environ["BUILDTOOLS_CACHE_DIR"]))
    assert ("output", "", "> vite build") in project.events.heard


def test_a_second_build_runs_nothing_and_says_each_stage_is_up_to_date(
        project: Project) -> None:
    project.build()
    stamps = {name: (project.root / ".buildtools/stamps" / f"{name}.json").read_text()
              for name in STAGES}

    result = project.build()

    assert project.npm.ran() == []  # node's version is cached too
    assert result.ran == [] and result.up_to_date
    assert [stage for stage, _ in project.events.of("up_to_date")] == [
        "node", "install", "build", "bundle"]
    assert stamps == {name: (project.root / ".buildtools/stamps" / f"{name}.json").read_text()
                      for name in STAGES}


def test_a_source_edit_runs_the_build_and_the_bundle_only(project: Project) -> None:
    project.build()
    project.write("src/main.js", "console.log('edited')\n")
    project.npm.scripts["build"] = Writes({"dist/index.html": "<p>edited</p>"})

    result = project.build()

    assert project.npm.ran() == ["npm run build"]
    assert result.ran == ["build", "bundle"]
    assert ("runs", "build", "files changed: src/main.js") in project.events.heard
    # the build's output folder is the new build's only: app.js of the last build is gone
    assert project.files(project.webapp / "dist") == {"index.html": "<p>edited</p>"}
    assert project.files(project.bundle)["index.html"] == "<p>edited</p>"
    assert "app.js" not in project.files(project.bundle)


def test_a_dependency_change_runs_the_install_then_the_build(project: Project) -> None:
    project.build()
    project.package(dependencies={"react": "^19.1.0"})
    project.lock()

    result = project.build()

    assert project.npm.ran() == ["npm ci", "npm run build"]
    assert result.ran == ["install", "build", "bundle"]


def test_an_extra_source_edit_runs_the_bundle_only(project: Project) -> None:
    project.build()
    (project.root / "assets" / "logo.svg").write_text("<svg>new</svg>")

    result = project.build()

    assert project.npm.ran() == []
    assert result.ran == ["bundle"]
    assert project.files(project.bundle)["logo.svg"] == "<svg>new</svg>"
    assert project.events.of("runs") == [("bundle", "extra_source_dir changed: logo.svg")]


def test_node_modules_gone_with_the_build_up_to_date_installs_nothing(project: Project) -> None:
    """walk._built_for_these_inputs: the bundle was made from this very install."""
    project.build()
    shutil.rmtree(project.webapp / "node_modules")

    result = project.build()

    assert project.npm.ran() == []
    assert result.ran == []
    assert ("up_to_date", "install", "not needed: the build is up to date for these packages"
            ) in project.events.heard
    assert not (project.webapp / "node_modules").exists()


def test_node_modules_gone_and_a_source_edit_installs_before_the_build(
        project: Project) -> None:
    project.build()
    shutil.rmtree(project.webapp / "node_modules")
    project.write("src/main.js", "console.log('edited')\n")

    project.build()

    assert project.npm.ran() == ["npm ci", "npm run build"]


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no_cache"])
def test_a_deleted_bundle_is_made_again_from_the_build_output_without_npm(
        project: Project, cache: bool) -> None:
    project.cache_settings["enabled"] = cache
    project.build()
    shutil.rmtree(project.bundle)

    result = project.build()

    assert project.npm.ran() == []
    assert result.ran == ["bundle"]
    assert project.files(project.bundle)["index.html"] == "<p>built</p>"
    assert (project.root / "cache").exists() == cache


def test_a_deleted_build_output_runs_the_build_and_keeps_the_bundle(project: Project) -> None:
    project.build()
    shutil.rmtree(project.webapp / "dist")

    result = project.build()

    assert project.npm.ran() == ["npm run build"]
    assert result.ran == ["build"]  # the same inputs: the bundle made from them is kept
    assert project.files(project.webapp / "dist")["index.html"] == "<p>built</p>"


def test_force_runs_every_stage_again(project: Project) -> None:
    project.build()

    result = project.build(force=True)

    assert project.npm.ran() == ["npm ci", "npm run build"]
    assert result.ran == ["install", "build", "bundle"]


def test_a_changed_build_environment_runs_the_build(project: Project) -> None:
    project.build()
    project.environ["VITE_API"] = "https://example.org"

    project.build()

    assert project.npm.ran() == ["npm run build"]
    assert ("runs", "build", "build environment changed: VITE_API") in project.events.heard
    assert project.npm.calls[0].env["VITE_API"] == "https://example.org"


def test_a_new_node_version_is_noted_and_runs_the_install(project: Project) -> None:
    project.build()
    project.npm.node_version = "22.1.0"
    (project.root.parent / "node" / "bin" / "node").write_text("#!/bin/false\n# v22\n")

    result = project.build()

    assert project.npm.ran() == ["node --version", "npm ci", "npm run build"]
    assert result.ran == ["install", "build", "bundle"]
    notes = project.events.of("note")
    assert notes[0][0] == "node" and "Node 22.1.0" in notes[0][1]


def test_the_build_cache_restores_a_bundle_built_before(project: Project) -> None:
    project.build()
    project.write("src/main.js", "console.log('edited')\n")
    project.npm.scripts["build"] = Writes({"dist/index.html": "<p>edited</p>"})
    project.build()
    project.write("src/main.js", "console.log('hi')\n")  # back to the first sources

    result = project.build()

    assert project.npm.ran() == []
    assert result.ran == ["bundle (restored from cache)"]
    assert project.files(project.bundle)["index.html"] == "<p>built</p>"
    assert project.files(project.webapp / "dist")["index.html"] == "<p>built</p>"
    assert project.stamps() == STAGES


def test_a_restore_stops_the_npm_started_early_at_once(project: Project,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The npm started during the check is not left running through the restore: its start
    would share the CPUs with it until the session ends."""
    project.build()
    project.write("src/main.js", "console.log('edited')\n")
    project.build()
    project.write("src/main.js", "console.log('hi')\n")  # back to the first sources
    stops: list[str] = []
    monkeypatch.setattr(early, "stop", lambda: stops.append("stopped"))

    result = project.build()

    assert result.ran == ["bundle (restored from cache)"]
    assert stops == ["stopped"]


def test_a_task_setting_change_runs_the_bundle_only(project: Project) -> None:
    project.build()
    project.task["task_title"] = "a new title"

    result = project.build()

    assert project.npm.ran() == []
    assert result.ran == ["bundle"]
    assert '"task_title": "a new title"' in project.files(project.bundle)["task_config.json"]
