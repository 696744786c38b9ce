"""`doit build`'s up-to-date check asks the no-op record before loading anything else, and its
action builds in the session of that check (buildtools.core.run, the one way of every front
end)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from buildtools.core import record
from buildtools.core.run import BuildRun, Outcome
from buildtools.ui import tasks


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a buildtools.toml (the record's state folder is found from it)."""
    (tmp_path / "buildtools.toml").write_text("[webapp]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    monkeypatch.setattr(tasks, "_this_run", {})
    return tmp_path


def test_the_record_answers_before_the_config_is_loaded(
        here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def no_config(*args: Any) -> None:
        raise AssertionError("the config was loaded although the record answered")

    monkeypatch.setattr("buildtools.config.load.load_config", no_config)
    monkeypatch.setattr(record, "check", lambda *a: ([("node", "system Node 20")], "/b"))
    monkeypatch.setenv("NO_COLOR", "1")
    assert tasks._stages_up_to_date(SimpleNamespace(options={}), {}) is True
    assert tasks._this_run["fresh"] is True
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"{'node':<14} up to date (system Node 20)"
    assert printed[1].startswith("build is up to date (") and printed[1].endswith("): /b")


def test_always_execute_skips_the_record(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record, "check", lambda *a: ([], "/b"))
    assert tasks._stages_up_to_date(SimpleNamespace(options={"always": True}), {}) is False


def test_the_action_builds_in_the_run_of_the_check(here: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that found everything fresh, then the action all the same: `doit -a build`, a
    forced build, in the same run (the scans of its check are reused)."""
    monkeypatch.setattr(record, "check", lambda *a: ([], "/b"))
    built: list[tuple[BuildRun, bool | None]] = []

    def execute(run: BuildRun, force: bool | None = None) -> Outcome:
        built.append((run, force))
        return Outcome(fresh=False)

    monkeypatch.setattr(BuildRun, "execute", execute)
    assert tasks._stages_up_to_date(SimpleNamespace(options={}), {}) is True
    tasks._build_action(always=False)
    assert built == [(tasks._this_run["run"], True)]
