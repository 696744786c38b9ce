"""Config inputs that used to pass silently or end in a traceback: each is one exact line."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.config.load import load_config
from support.config_files import TASK_TOML, config_error, vite_project

TASK = TASK_TOML
GARBAGE = b"\x89PNG\r\n\x1a\n\x00\xff\xfe binary"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return vite_project(tmp_path)


def test_a_config_that_is_not_utf8_is_one_line(project: Path) -> None:
    (project / "buildtools.toml").write_bytes(b"[webapp]\n" + GARBAGE)
    assert config_error(project) == (
        "buildtools.toml: not UTF-8 text (an undecodable byte on line 2); save it as UTF-8"
    )


def test_a_pyproject_that_is_not_utf8_is_one_line(project: Path) -> None:
    (project / "pyproject.toml").write_bytes(b"[tool.buildtools.task]\n" + GARBAGE)
    assert config_error(project) == (
        "pyproject.toml: not UTF-8 text (an undecodable byte on line 2); save it as UTF-8"
    )


def test_a_mephisto_yaml_that_is_not_utf8_is_one_line(project: Path) -> None:
    (project / "conf.yaml").write_bytes(b"mephisto:\n  task: {}\n" + GARBAGE)
    assert config_error(project, {"BUILDTOOLS_CONFIG": "conf.yaml"}) == (
        "conf.yaml: not UTF-8 text (an undecodable byte on line 3); save it as UTF-8"
    )


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "[deploy]\nout = 'dist'\n"])
def test_a_config_without_webapp_and_task_is_an_error(project: Path, text: str) -> None:
    (project / "buildtools.toml").write_text(text)
    assert config_error(project) == (
        "buildtools.toml: no [webapp] and no [task] table; say where the webapp is ([webapp] "
        "source) and what the task is ([task] task_title...): see 'buildtools new'"
    )


def test_an_empty_tool_table_in_pyproject_is_an_error(project: Path) -> None:
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n[tool.buildtools]\n")
    assert config_error(project).startswith(
        "pyproject.toml [tool.buildtools]: no [webapp] and no [task] table; ")


@pytest.mark.parametrize("text", [TASK, "[webapp]\n"])
def test_either_table_is_enough(project: Path, text: str) -> None:
    (project / "buildtools.toml").write_text(text)
    assert load_config(project, {}).webapp.source == project / "webapp"


@pytest.mark.parametrize("table", ["webapp", "task"])
def test_build_settings_stay_out_of_the_task_settings(project: Path, table: str) -> None:
    (project / "webapp" / "setup.sh").write_text("")
    settings = "post_install_script = 'setup.sh'\nforce_rebuild = true\n"
    text = TASK + settings if table == "task" else "[webapp]\n" + settings + TASK
    (project / "buildtools.toml").write_text(text)
    config = load_config(project, {})
    assert config.webapp.post_install_script == "setup.sh"
    assert config.webapp.force_rebuild is True
    assert "force_rebuild" not in config.task
    assert "post_install_script" not in config.task
    assert config.task["task_title"] == "T"


def test_inputs_are_resolved_and_must_exist(project: Path) -> None:
    (project / "shared").mkdir()
    (project / "schema.json").write_text("{}")
    (project / "buildtools.toml").write_text(
        "[webapp]\ninputs = ['shared', 'schema.json']\n" + TASK)
    config = load_config(project, {})
    assert config.webapp.inputs == (project / "shared", project / "schema.json")
    (project / "buildtools.toml").write_text("[webapp]\ninputs = ['../nope']\n" + TASK)
    assert config_error(project) == (
        f"buildtools.toml: [webapp] inputs: '../nope' not found (looked for "
        f"{project.parent / 'nope'}); name files or folders that exist, relative to this file"
    )
