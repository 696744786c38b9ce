"""Mephisto's examples as a new user brings them, shaped as in facebookresearch/Mephisto (the
task of tests/fixtures/mephisto_task with YAMLs like those of parlai_chat_task_demo,
form_composer_demo and static_react_task): what their YAML and webpack config say is what is
built; a typo or a syntax error is one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buildtools.config.load import load_config_file
from buildtools.core.webapp import checked_package_json, output_folder
from support.config_files import (
    MEPHISTO_TASK_YAML,
    config_file_error,
    mephisto_task_copy,
    write_conf,
)

TASK = MEPHISTO_TASK_YAML


@pytest.fixture
def task(tmp_path: Path) -> Path:
    return mephisto_task_copy(tmp_path / "task")


def test_parlai_chat_demo_output_comes_from_webpack_output_filename(task: Path) -> None:
    """parlai_chat_task_demo: no task_source in its YAML (a base.yaml in its defaults list),
    and a webpack config with `path: __dirname, filename: "build/bundle.js"`."""
    write_conf(task, "#@package _global_\ndefaults:\n  - /mephisto/blueprint: parlai_chat\n"
               "  - /mephisto/architect: local\n  - /mephisto/provider: mock\nmephisto:\n"
               "  blueprint:\n    num_conversations: 1\n", "base.yaml")
    config = load_config_file(write_conf(task, "#@package _global_\ndefaults:\n  - base\n"
                                         "mephisto:\n" + TASK), {})
    assert config.webapp.source == task / "webapp" and config.webapp.build_command == "dev"
    assert config.webapp.output == ""  # the YAML does not say: the webpack config does
    assert output_folder(config, checked_package_json(config)) == "build"


def test_form_composer_task_source_is_built_by_the_script_that_writes_it(task: Path) -> None:
    """form_composer_demo's dynamic_presigned_urls YAML: task_source names
    build/bundle.presigned_urls.js, which only build:presigned_urls writes."""
    path = write_conf(task, "#@package _global_\ndefaults:\n"
                      "  - /mephisto/blueprint: remote_procedure\n"
                      "  - /mephisto/architect: ec2\n  - /mephisto/provider: mock\nmephisto:\n"
                      "  blueprint:\n"
                      "    task_source: ${task_dir}/webapp/build/bundle.presigned_urls.js\n"
                      "    task_source_review: ${task_dir}/webapp/build/bundle.review.js\n"
                      "    extra_source_dir: ${task_dir}/webapp/src/static\n" + TASK
                      + "    force_rebuild: true\n")
    config = load_config_file(path, {})
    assert config.webapp.build_command == "build:presigned_urls"
    assert config.webapp.output == "build"
    assert config.webapp.extra_build_commands == ("build:review",)
    assert config.deploy.architects == ("ec2",)

    package = task / "webapp" / "package.json"
    data = json.loads(package.read_text())
    del data["scripts"]["build:presigned_urls"]
    package.write_text(json.dumps(data))
    assert config_file_error(path) == (
        "example.yaml: mephisto.blueprint.task_source: bundle.presigned_urls.js must come from "
        "a script of webapp/package.json whose webpack config names it, and none does; name "
        "the script under buildtools: webapp: build_command")


def test_an_architect_typo_is_an_error(task: Path) -> None:
    text = (task / "hydra_configs" / "conf" / "example.yaml").read_text()
    path = write_conf(task, text.replace("architect: local", "architect: herokuu"))
    assert config_file_error(path) == (
        "example.yaml: architect 'herokuu' (- /mephisto/architect in its defaults list) is not "
        "one of Mephisto's architects: local, heroku, ec2, mock; did you mean 'heroku'?")
    typed = text.replace("mephisto:\n", "mephisto:\n  architect:\n    _architect_type: ecc2\n")
    assert config_file_error(write_conf(task, typed)) == (
        "example.yaml: architect 'ecc2' (mephisto.architect._architect_type) is not one of "
        "Mephisto's architects: local, heroku, ec2, mock; did you mean 'ec2'?")


def test_a_yaml_syntax_error_names_the_line_of_the_problem(task: Path) -> None:
    text = (task / "hydra_configs" / "conf" / "example.yaml").read_text()
    lines = text.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if "task_title" in line)
    lines[number] = lines[number].replace("    task_title", "   task_title")  # one space short
    message = config_file_error(write_conf(task, "".join(lines)))
    assert "\n" not in message
    assert message.startswith(f"example.yaml: not valid YAML on line {number + 1}, column 4: "
                              "expected <block end>, but found '<block mapping start>' "
                              "(while parsing a block mapping on line "), message


def test_buildtools_force_rebuild_false_wins_over_the_task_yaml(task: Path) -> None:
    """Every form_composer and video_annotator YAML says mephisto.task.force_rebuild: true."""
    text = (task / "hydra_configs" / "conf" / "example.yaml").read_text()
    path = write_conf(task, text.replace("force_rebuild: false", "force_rebuild: true"))
    assert load_config_file(path, {}).webapp.force_rebuild is True
    beside = task / "hydra_configs" / "conf" / "buildtools.yaml"
    beside.write_text(beside.read_text() + "  force_rebuild: false\n")
    config = load_config_file(path, {})
    assert config.webapp.force_rebuild is False
    assert "force_rebuild" not in config.task
    assert load_config_file(path, {"BUILDTOOLS_FORCE_REBUILD": "1"}).webapp.force_rebuild
