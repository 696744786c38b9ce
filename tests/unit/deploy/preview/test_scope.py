"""Only static tasks are previewed: a Mephisto YAML that names a live or remote-procedure
blueprint gets one line that says so."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from buildtools.deploy.preview.scope import blueprint_of, out_of_scope
from support.bundle import make_config

YAML = """\
#@package _global_
defaults:
  - /mephisto/blueprint: {blueprint}
  - /mephisto/architect: local
mephisto:
  task:
    task_name: t
"""


@pytest.mark.parametrize(("blueprint", "refused"), [
    ("static_react_task", False), ("static_task", False),
    ("parlai_chat", True), ("remote_procedure", True)])
def test_live_and_remote_procedure_blueprints_are_out_of_scope(
        tmp_path: Path, blueprint: str,
        refused: bool) -> None:
    path = tmp_path / "conf" / "example.yaml"
    path.parent.mkdir()
    path.write_text(YAML.format(blueprint=blueprint))
    assert blueprint_of(path) == blueprint
    config = make_config(tmp_path / "task")
    message = out_of_scope(dataclasses.replace(config, path=path))
    if refused:
        assert message == (
            f"example.yaml: the {blueprint} blueprint is a live or remote-procedure task; "
            "preview serves static tasks only (static_task, static_react_task): launch it "
            "with Mephisto")
    else:
        assert message is None


def test_a_buildtools_project_is_static(tmp_path: Path) -> None:
    assert out_of_scope(make_config(tmp_path / "task")) is None
