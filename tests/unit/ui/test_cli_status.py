"""`buildtools status`, `check` and `build` (flags, verbose keys) and the fast path of main()
(the no-op record answers build and check without click)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from buildtools.core import record
from buildtools.core.run import BuildRun, Outcome, Request
from buildtools.ui import cli
from buildtools.ui.terminal import Reporter
from support.cli import fake_status, invoke

# ---------------------------------------------------------------- status and check


def test_status_when_everything_is_up_to_date(made: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {})
    result = invoke("status")
    assert result.exit_code == 0
    assert result.output == (
        "node           up to date (system Node 20.1.0, npm 10.0.0)\n"
        "install        up to date (npm)\n"
        "build          up to date (7 source files)\n"
        "bundle         up to date (dist/bundle)\n"
        f"everything is up to date: {made / 'dist' / 'bundle'}\n"
    )


def test_status_names_what_changed_and_what_would_run(made: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {"build": "files changed: src/App.jsx",
                                    "bundle": "the build changed"})
    result = invoke("status")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[2] == "build          would run because files changed: src/App.jsx"
    assert lines[3] == "bundle         would run because the build changed"
    assert lines[4] == "2 stages would run (build, bundle): run 'buildtools build'"

    verbose = invoke("status", "-v").output.splitlines()
    assert verbose[1] == f"{'':<14} key key-node"


def test_status_json(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {"install": "package-lock.json changed"})
    result = invoke("status", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["up_to_date"] is False
    assert data["would_run"] == ["install"]
    assert data["config"] == str(made / "buildtools.toml")
    assert data["stages"][1] == {"name": "install", "up_to_date": False,
                                 "reason": "package-lock.json changed", "detail": "npm",
                                 "key": "key-install"}
    assert [stage["name"] for stage in data["stages"]] == ["node", "install", "build", "bundle"]


def test_check_fails_when_stale(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {"build": "files changed: src/App.jsx",
                                    "bundle": "the build changed"})
    result = invoke("check")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "error: the bundle is stale (build, bundle would run); run 'buildtools build'"
    )
    assert "build          would run because files changed: src/App.jsx" in result.output
    quiet = invoke("check", "-q")
    assert quiet.exit_code == 1
    assert quiet.output == (
        "error: the bundle is stale (build, bundle would run); run 'buildtools build'\n"
    )


# ---------------------------------------------------------------- build


def test_build_passes_the_flags(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bool, bool, bool, bool]] = []

    def carry_out(run: BuildRun) -> Outcome:
        reporter = run.reporter
        assert isinstance(reporter, Reporter)
        calls.append((run.request.force, run.request.show_keys, reporter.quiet,
                      reporter.verbose))
        return Outcome(fresh=False)

    monkeypatch.setattr(BuildRun, "carry_out", carry_out)
    assert invoke("build", "--force", "-q").exit_code == 0
    assert invoke("build", "-v").exit_code == 0
    assert calls == [(True, False, True, False), (False, True, False, True)]


def test_verbose_noop_build_shows_the_keys(made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_status(monkeypatch, made, {})
    result = invoke("build", "-v")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("node           up to date")
    assert lines[1] == f"{'':<14} key key-node"
    assert lines[-1].startswith("build is up to date (")


# ---------------------------------------------------------------- the fast path of main()


def test_main_builds_when_the_record_does_not_answer(made: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[tuple[bool, bool]] = []

    def execute(run: BuildRun, force: bool | None = None) -> Outcome:
        ran.append((run.request.early_start, run.request.term_interrupts))
        return Outcome(fresh=False)

    monkeypatch.setattr(BuildRun, "execute", execute)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build"])
    assert exit_info.value.code == 0
    assert ran == [(True, True)]  # npm starts during the check; SIGTERM exits 130


def test_the_fresh_record_answers_build_and_check(made: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def no_config(*args: Any) -> None:
        raise AssertionError("the config was loaded although the record answered")

    monkeypatch.setattr("buildtools.config.load.load_config", no_config)
    monkeypatch.setattr(record, "check", lambda *a: ([("node", "system Node 20")], "/b"))

    def main(*args: str) -> None:
        with pytest.raises(SystemExit) as exit_info:
            cli.main(list(args))
        assert exit_info.value.code == 0

    main("build", "-q")
    assert capsys.readouterr().out.startswith("build is up to date (0.00 s): /b\n")
    main("check", "-q")
    assert capsys.readouterr().out.startswith("check passed: the bundle is up to date (")
    main("build")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"{'node':<14} up to date (system Node 20)"
    assert printed[1].startswith("build is up to date (")
    monkeypatch.setattr(record, "check", lambda *a: None)

    def no_reporter() -> Reporter:
        raise AssertionError("a reporter was made for the record's answer")

    assert BuildRun(Request(), no_reporter).answer_from_record() is None
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("args", [["build", "--force"], ["build", "-v"], ["status"], []])
def test_other_commands_take_the_click_path(args: list[str]) -> None:
    assert cli._fast_command(args) is None


def test_fast_path_reports_user_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["build"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith(f"error: no buildtools.toml in {tmp_path}")
