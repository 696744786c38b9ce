"""`doit build`'s up-to-date check asks the no-op record before loading anything else."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from buildtools.ui import cli, tasks


def test_the_record_answers_before_the_config_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def no_config() -> None:
        raise AssertionError("the config was loaded although the record answered")

    monkeypatch.setattr(tasks, "_config", no_config)
    monkeypatch.setattr(cli, "answer_from_record",
                        lambda command, quiet, state_dir: asked.append(command) or True)
    monkeypatch.setattr(tasks, "_session", {})
    assert tasks._stages_up_to_date(SimpleNamespace(options={}), {}) is True
    assert asked == ["build"] and tasks._session == {"fresh": True}


def test_always_execute_skips_the_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "answer_from_record", lambda command, quiet, state_dir: True)
    assert tasks._stages_up_to_date(SimpleNamespace(options={"always": True}), {}) is False
