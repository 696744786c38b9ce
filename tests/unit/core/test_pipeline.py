"""The Session (buildtools.core.pipeline) over a project whose npm is fake: check, status and
build share one walk; the no-op record answers a check once every stage is up to date; the
npm run started early is adopted by the build stage only when nothing ran before it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from buildtools.core import early, pipeline, record
from buildtools.core.early import LAUNCH_NAME
from buildtools.core.events import NullReporter
from buildtools.testing.fake_npm import Writes
from support.fake_project import Project


class FakeEarly:
    """An npm run started early and held at its gate (buildtools.core.early.EarlyBuild, in
    early._held as the CLI's early.start leaves it)."""

    def __init__(self, take: bool = True) -> None:
        self.take = take
        self.offered: list[list[str]] = []
        self.stopped = 0

    def adopt(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> object | None:
        self.offered.append(list(argv))
        return self if self.take else None

    def stop(self) -> None:
        self.stopped += 1


@pytest.fixture(autouse=True)
def in_the_project(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The no-op record is kept per working folder."""
    project.root.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(project.root)


def test_check_says_stale_before_a_build_and_up_to_date_after_it(project: Project) -> None:
    session = project.session()
    assert session.check_up_to_date() is False
    assert session.known_stale
    session.run_stale_stages()  # the check found a stale stage: the walk runs once, under the lock
    assert project.npm.ran() == ["node --version", "npm ci", "npm run build"]

    project.npm.calls.clear()
    fresh = project.session()
    assert fresh.check_up_to_date() is True
    assert project.npm.ran() == []
    assert [stage for stage, _ in project.events.of("up_to_date")] == [
        "node", "install", "build", "bundle"]
    assert project.events.of("all_up_to_date") == [("", str(fresh.config.bundle_dir))]
    assert project.events.of("final") == []  # the ui says "build is up to date"


def test_the_no_op_record_answers_once_a_check_found_everything_fresh(
        project: Project, no_racy_window: None) -> None:
    project.build()
    record.forget(project.root / ".buildtools")
    assert project.session().answered_by_record() is False
    assert project.session().check_up_to_date() is True  # a fresh check writes it

    again = project.session()
    assert again.answered_by_record() is True
    assert [stage for stage, _ in project.events.of("up_to_date")] == [
        "node", "install", "build", "bundle"]

    project.write("src/main.js", "console.log('edited')\n")
    assert project.session().answered_by_record() is False
    assert project.session().check_up_to_date() is False


def test_the_run_after_a_build_answers_from_the_record(
        project: Project, no_racy_window: None) -> None:
    project.build()
    assert project.session().answered_by_record() is True  # no full check in between
    project.write("src/main.js", "console.log('edited')\n")
    assert project.session().answered_by_record() is False
    project.build()
    assert project.session().answered_by_record() is True


def test_the_run_after_a_restore_answers_from_the_record(
        project: Project, no_racy_window: None) -> None:
    project.build()
    project.write("src/main.js", "console.log('edited')\n")
    project.build()
    project.write("src/main.js", "console.log('hi')\n")  # back to the first sources
    assert project.build().ran == ["bundle (restored from cache)"]
    assert project.session().answered_by_record() is True
    assert project.npm.ran() == []


def test_a_source_edited_while_the_build_runs_leaves_no_record(
        project: Project, no_racy_window: None) -> None:
    """The record after a build is taken from a check made once the outputs are final: an
    input that changed after the build's key was computed makes that check stale."""
    project.npm.scripts = {"build": Writes({"dist/index.html": "<p>hi</p>",
                                            "src/main.js": "console.log('meanwhile')\n"})}
    project.build()
    assert project.session().answered_by_record() is False
    assert project.session().check_up_to_date() is False


def test_status_says_why_each_stage_would_run_and_runs_nothing(project: Project) -> None:
    stages = project.status()
    assert {name: stage.reason for name, stage in stages.items()} == {
        "node": "it has not run here before",
        "install": "it has not run here before",
        "build": "it has not run here before",
        "bundle": "it has not run here before",
    }
    assert project.npm.ran() == ["node --version"]
    assert project.stamps() == set()

    project.build()
    project.write("src/main.js", "console.log('edited')\n")
    stages = project.status()
    assert [name for name, stage in stages.items() if not stage.up_to_date] == [
        "build", "bundle"]
    assert stages["build"].reason == "files changed: src/main.js"


def test_status_with_force_calls_a_fresh_project_up_to_date_all_the_same(
        project: Project) -> None:
    project.build()
    session = project.session()
    assert session.status(force=True).up_to_date is False
    assert pipeline.status(session.config, session=session).up_to_date
    assert session.check_up_to_date()


def test_a_forced_build_runs_even_after_a_check_found_it_fresh(project: Project) -> None:
    project.build()
    session = project.session()
    assert session.check_up_to_date()
    project.npm.calls.clear()
    assert session.run_stale_stages(force=True).ran == ["install", "build", "bundle"]
    assert project.npm.ran() == ["npm ci", "npm run build"]


def test_force_rebuild_in_the_config_makes_every_build_run(project: Project) -> None:
    project.build()
    project.webapp_settings["force_rebuild"] = True
    assert project.build().ran == ["install", "build", "bundle"]


def test_the_build_adopts_the_npm_run_started_early(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.build()
    project.write("src/main.js", "console.log('edited')\n")
    held = FakeEarly()
    monkeypatch.setattr(early, "_held", [held])
    project.npm.calls.clear()

    result = project.session().run_stale_stages()

    assert [call.adopted for call in project.npm.calls] == [True]
    assert held.offered == [[str(project.npm.calls[0].env["PATH"]).split(":")[0] + "/npm",
                             "run", "build"]]
    assert result.ran == ["build", "bundle"]
    assert ("done", "build", "webapp/dist/ (npm started during the check)"
            ) in project.events.heard


def test_an_early_npm_run_is_stopped_when_the_install_ran_first(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    held = FakeEarly()
    monkeypatch.setattr(early, "_held", [held])

    project.session().run_stale_stages()

    assert held.offered == []  # npm read package.json before the install: never adopted
    assert held.stopped == 1
    assert [call.adopted for call in project.npm.calls] == [False, False, False]


def test_a_build_remembers_how_it_started_npm_for_the_next_early_start(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(early, "_held", [FakeEarly(take=False)])
    project.session().run_stale_stages()
    assert (project.root / ".buildtools" / LAUNCH_NAME).is_file()
    assert [call.adopted for call in project.npm.calls][-1] is False


def test_the_module_functions_run_one_session_each(project: Project) -> None:
    config = project.config()
    project.session().run_stale_stages()  # the fake's node version is cached from now on
    project.write("src/main.js", "console.log('edited')\n")
    with pytest.raises(AssertionError, match="a unit test started a process"):
        pipeline.run_stale_stages(config, environ=project.environ)  # the real runner, refused here
    assert pipeline.check_up_to_date(config, environ=project.environ) is False
    project.session().run_stale_stages()
    assert pipeline.check_up_to_date(config, reporter=NullReporter(), environ=project.environ)
    assert pipeline.status(config, environ=project.environ).up_to_date
    assert Path(pipeline.status(config, environ=project.environ).bundle_dir) == project.bundle
