"""A Mephisto Hydra YAML, read as Mephisto reads it, unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buildtools.config.load import load_config, load_config_file
from buildtools.deploy.run import check_ready
from buildtools.errors import UserError
from support.config_files import config_file_error, mephisto_task_copy, write_conf


@pytest.fixture
def task(tmp_path: Path) -> Path:
    """The Mephisto-style task of the fixtures (no node_modules: nothing here runs npm)."""
    return mephisto_task_copy(tmp_path / "task")


def test_the_fixture_yaml_builds_as_mephisto_would(task: Path) -> None:
    config = load_config(task, {})  # the single YAML in hydra_configs/conf/
    assert config.path == task / "hydra_configs" / "conf" / "example.yaml"
    assert config.root == task
    assert config.webapp.source == task / "webapp"
    assert config.webapp.build_command == "dev"
    assert config.webapp.output == "build"
    # task_source_review: the script whose webpack config writes bundle.review.js
    assert config.webapp.extra_build_commands == ("build:review",)
    assert config.webapp.extra_source_dir == task / "assets"
    assert config.webapp.page is None
    assert config.deploy.architects == ("local",)
    assert config.deploy.crowd_wrapper == task / "provider" / "wrap_crowd_source.js"
    assert config.task["task_name"] == "buildtools-fixture-rating"
    assert config.task["max_num_concurrent_units"] == 10
    assert "force_rebuild" not in config.task
    assert config.warnings == ()


def test_the_architect_comes_from_the_defaults_list_or_architect_type(task: Path) -> None:
    text = (task / "hydra_configs" / "conf" / "example.yaml").read_text()
    mock = write_conf(task, text.replace("architect: local", "architect: mock"))
    assert load_config_file(mock, {}).deploy.architects == ()
    with pytest.raises(UserError) as info:
        check_ready(load_config_file(mock, {}), None)
    assert str(info.value) == (
        "example.yaml: the task's architect (mock) is deployed by Mephisto itself, there is "
        "nothing to package; name one (`doit deploy local`) or set deploy: architects in "
        "buildtools.yaml")
    assert check_ready(load_config_file(mock, {}), ["local"]) == ["local"]
    heroku = write_conf(task, text.replace("mephisto:\n", "mephisto:\n  architect:\n"
                                                     "    _architect_type: heroku\n", 1))
    assert load_config_file(heroku, {}).deploy.architects == ("heroku",)
    override = write_conf(task, text.replace("- /mephisto/architect: local",
                                       "- override /mephisto/architect: ec2"))
    assert load_config_file(override, {}).deploy.architects == ("ec2",)


def test_defaults_compose_other_files_and_values_interpolate(task: Path) -> None:
    write_conf(task, """\
defaults:
  - /mephisto/blueprint: parlai_chat
  - /mephisto/architect: local
mephisto:
  blueprint:
    custom_source_bundle: ${task_dir}/webapp/build/bundle.js
    extra_source_dir: ${task_dir}/${mephisto.task.task_name}
  task:
    task_name: assets
""", name="base.yaml")
    prebuilt = write_conf(task, """\
#@package _global_
defaults:
  - base
mephisto:
  task:
    task_title: "${oc.env:TASK_TITLE,Untitled}"
""", name="custom_prebuilt.yaml")
    config = load_config_file(prebuilt, {"TASK_TITLE": "Chat with a partner"})
    assert config.webapp.source == task / "webapp"
    assert config.webapp.output == "build"
    assert config.webapp.extra_source_dir == task / "assets"
    assert config.task["task_title"] == "Chat with a partner"
    assert load_config_file(prebuilt, {}).task["task_title"] == "Untitled"


def test_custom_source_dir_is_a_webapp_or_a_clear_error(task: Path) -> None:
    custom = task / "custom"
    custom.mkdir()
    (custom / "main.js").write_text("// ParlAI overlay\n")
    path = write_conf(task, "mephisto:\n  blueprint:\n    custom_source_dir: ${task_dir}/custom\n")
    assert config_file_error(path) == (
        f"example.yaml: mephisto.blueprint.custom_source_dir: {custom} has no package.json; "
        "Mephisto builds such a folder inside its own ParlAI webapp, buildtools does not: make "
        "it a webapp (package.json, a `dev` script writing build/bundle.js) or point "
        "custom_source_bundle at a bundle"
    )
    (custom / "package.json").write_text(json.dumps({"scripts": {"dev": "webpack"}}))
    config = load_config_file(path, {})
    assert (config.webapp.source, config.webapp.output) == (custom, "build")


def test_an_html_task_source_needs_no_npm(task: Path) -> None:
    pages = task / "server_files"
    pages.mkdir()
    (pages / "demo_task.html").write_text("<p>${text}</p>\n")
    path = write_conf(task, """\
defaults:
  - /mephisto/blueprint: static_task
mephisto:
  blueprint:
    task_source: ${task_dir}/server_files/demo_task.html
    extra_source_dir: ${task_dir}/assets
""")
    config = load_config_file(path, {})
    assert config.webapp.page == pages / "demo_task.html"
    assert config.webapp.source == pages


def test_buildtools_settings_beside_the_yaml_or_in_it(task: Path) -> None:
    """buildtools.yaml beside the config (Mephisto's Hydra refuses an undeclared top-level
    key), or a `buildtools:` mapping in the config itself where the script declares one."""
    text = (task / "hydra_configs" / "conf" / "example.yaml").read_text()
    text += ("buildtools:\n  node: system\n  build_env: [API_URL]\n"
             "  build_command: dev:watch\n  cache:\n    enabled: false\n")
    config = load_config_file(write_conf(task, text), {})
    assert config.webapp.node == "system"
    assert config.webapp.build_env == ("API_URL",)
    assert config.webapp.build_command == "dev:watch"
    assert config.cache.enabled is False
    assert config.deploy.crowd_wrapper == task / "provider" / "wrap_crowd_source.js"  # beside
    assert config_file_error(write_conf(task, text + "  nod: 20\n")) == (
        "example.yaml: buildtools: unknown key 'nod'; did you mean 'node'?"
    )
    beside = task / "hydra_configs" / "conf" / "buildtools.yaml"
    beside.write_text(beside.read_text().replace("crowd_wrapper: provider/", "crowd_wrapper: x/"))
    assert config_file_error(write_conf(task, text)) == (
        "example.yaml: [deploy] crowd_wrapper: file 'x/wrap_crowd_source.js' not found "
        f"(looked for {task / 'x' / 'wrap_crowd_source.js'})"
    )
    beside.write_text("buildtools:\n  nodes: 20\n")
    assert config_file_error(write_conf(task, text)) == (
        "buildtools.yaml: buildtools: unknown key 'nodes'; did you mean 'node'?"
    )


def test_keys_nobody_reads_are_warnings_with_the_closest_key(task: Path) -> None:
    text = (task / "hydra_configs" / "conf" / "example.yaml").read_text()
    text = text.replace("    force_rebuild: false\n", "    force_rebuid: false\n")
    text = text.replace("    link_task_source: false\n", "    link_task_source: false\n"
                                                           "    node: '20'\n")
    config = load_config_file(write_conf(task, text), {})
    assert config.warnings == (
        "example.yaml: mephisto.task.force_rebuid is neither a Mephisto nor a buildtools "
        "setting; did you mean 'force_rebuild'?",
        "example.yaml: mephisto.blueprint.node is neither a Mephisto nor a buildtools setting; "
        "buildtools settings go under `buildtools:` (buildtools.node)",
    )


def test_a_review_bundle_without_a_script_is_a_clear_error(task: Path) -> None:
    package = task / "webapp" / "package.json"
    data = json.loads(package.read_text())
    del data["scripts"]["build:review"]
    package.write_text(json.dumps(data))
    assert config_file_error(task / "hydra_configs" / "conf" / "example.yaml") == (
        "example.yaml: mephisto.blueprint.task_source_review: no script of webapp/package.json "
        "writes bundle.review.js (looked for build:review); name it under buildtools: webapp: "
        "extra_build_commands"
    )
