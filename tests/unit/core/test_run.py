"""The one way through a build or a check (buildtools.core.run), over a project whose npm is
fake: the record's answer is data and loads nothing, a forced build asks neither the record nor
the check, the early npm start comes before the session and is stopped after it, whatever
happens."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from buildtools.core import early, record
from buildtools.core import run as run_module
from buildtools.core.run import BuildRun, Request, tell
from buildtools.errors import CommandFailed, UserError
from buildtools.fingerprint import statcache
from buildtools.testing.fake_npm import Fails
from support.fake_project import Events, Project

STAGES = ["node", "install", "build", "bundle"]


@pytest.fixture(autouse=True)
def in_the_project(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The no-op record is kept per working folder; every file was written just now: the
    record vouches for those written before the check began."""
    project.root.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(project.root)
    monkeypatch.setattr(statcache, "RACY_WINDOW_NS", 0)


def request(project: Project, **asked: bool) -> Request:
    return Request(cwd=str(project.root), environ=project.environ, config=project.config(),
                   runner=project.npm, **asked)


def fresh_events(project: Project) -> Events:
    project.session()  # a new Events, kept as project.events
    return project.events


def test_a_build_then_the_record_answers_with_nothing_made_then_a_check(
        project: Project) -> None:
    built = BuildRun(request(project), lambda: fresh_events(project)).carry_out()
    assert not built.fresh and not built.from_record
    assert built.result is not None and built.result.ran == ["install", "build", "bundle"]
    assert project.npm.ran() == ["node --version", "npm ci", "npm run build"]

    made: list[str] = []
    project.npm.calls.clear()
    run = BuildRun(request(project), lambda: made.append("reporter") or project.events)
    answered = run.carry_out()  # the build left the record
    assert answered.from_record and answered.fresh and answered.result is None
    assert [stage for stage, _ in answered.lines] == STAGES
    assert answered.bundle == str(project.bundle)
    assert made == [] and project.npm.ran() == []
    assert run.answer_from_record() is None  # asked once per run

    events = fresh_events(project)
    tell(answered, events)
    assert [stage for stage, _ in events.of("up_to_date")] == STAGES
    assert events.of("all_up_to_date") == [("", str(project.bundle))]

    state = project.config().state_dir
    record.forget(state)  # without the record: the recall point the build left answers
    recalled = BuildRun(request(project), lambda: fresh_events(project)).check()
    assert recalled is not None and recalled.fresh and recalled.from_record
    assert recalled.restored == [] and [stage for stage, _ in recalled.lines] == STAGES
    record.forget(state)
    shutil.rmtree(state / "recall")  # without either: the session's check
    checked = BuildRun(request(project), lambda: fresh_events(project)).check()
    assert checked is not None and checked.fresh and not checked.from_record
    assert [stage for stage, _ in project.events.of("up_to_date")] == STAGES
    assert project.events.of("all_up_to_date") == [("", str(project.bundle))]


def test_a_forced_build_asks_neither_the_record_nor_the_check(project: Project) -> None:
    project.build()
    assert BuildRun(request(project), lambda: fresh_events(project)).check() is not None

    project.npm.calls.clear()
    forced = BuildRun(request(project, force=True), lambda: fresh_events(project))
    assert forced.check() is None
    outcome = forced.carry_out()
    assert outcome.result is not None and outcome.result.ran == ["install", "build", "bundle"]
    assert project.npm.ran() == ["npm ci", "npm run build"]


def test_the_check_then_the_build_share_one_session(project: Project) -> None:
    """doit's up-to-date check, then its action: the build does not check again."""
    run = BuildRun(request(project), lambda: fresh_events(project))
    assert run.check() is None
    session = run.session
    outcome = run.execute()
    assert run.session is session and not outcome.fresh
    assert project.npm.ran() == ["node --version", "npm ci", "npm run build"]


def test_showing_the_keys_of_a_build_with_nothing_to_do(project: Project) -> None:
    project.build()
    BuildRun(request(project), lambda: fresh_events(project)).check()  # the record is written
    keys: list[str] = []
    events = fresh_events(project)
    events.key = lambda stage, key: keys.append(stage)  # type: ignore[method-assign]
    project.npm.calls.clear()
    outcome = BuildRun(request(project, show_keys=True), lambda: events).carry_out()
    assert outcome.fresh and not outcome.from_record  # the record keeps no keys
    assert keys == STAGES
    assert [stage for stage, _ in events.of("up_to_date")] == STAGES
    assert events.of("all_up_to_date") == [("", str(project.bundle))]
    assert "npm ci" not in project.npm.ran() and "npm run build" not in project.npm.ran()


@pytest.mark.parametrize("fails", [False, True], ids=["built", "failed"])
def test_the_early_start_comes_before_the_session_and_is_stopped_after_it(
        project: Project, monkeypatch: pytest.MonkeyPatch, fails: bool) -> None:
    steps: list[str] = []
    monkeypatch.setattr(early, "start", lambda state, environ: steps.append(f"start {state}"))
    monkeypatch.setattr(early, "stop", lambda: steps.append("stop"))
    if fails:
        project.npm.scripts["build"] = Fails(2, ["npm error Build failed"])

    def reporter() -> Events:
        steps.append("session")
        return fresh_events(project)

    run = BuildRun(request(project, early_start=True), reporter)
    if fails:
        with pytest.raises(CommandFailed):
            run.execute()
    else:
        run.execute()
    # (the build stage may stop it too, when it does not adopt it)
    assert steps[:2] == [f"start {project.root / '.buildtools'}", "session"]
    assert steps[-1] == "stop"


def test_the_early_start_is_stopped_when_the_session_cannot_open(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[str] = []
    monkeypatch.setattr(early, "start", lambda state, environ: steps.append("start"))
    monkeypatch.setattr(early, "stop", lambda: steps.append("stop"))

    def reporter() -> Events:
        raise UserError("buildtools.toml: [webapp] unknown key")

    with pytest.raises(UserError):
        BuildRun(request(project, early_start=True), reporter).execute()
    assert steps == ["start", "stop"]


def test_no_early_start_unless_asked(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[str] = []
    monkeypatch.setattr(early, "start", lambda state, environ: steps.append("start"))
    monkeypatch.setattr(early, "stop", lambda: steps.append("stop"))
    BuildRun(request(project), lambda: fresh_events(project)).carry_out()
    assert "start" not in steps


def test_the_config_warnings_are_said_once_per_process(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """doit's check and its action, preview's rebuilds: one YAML warning, said once."""
    monkeypatch.setattr(run_module, "_warned", set())
    monkeypatch.setattr("buildtools.config.load.load_config",
                        lambda start: SimpleNamespace(warnings=("example.yaml: x is unread",)))
    events = fresh_events(project)
    run_module.find_config(str(project.root), events)
    run_module.find_config(str(project.root), events)
    assert events.of("warn") == [("", "example.yaml: x is unread")]
