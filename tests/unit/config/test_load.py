"""Config loading: every bad input gets one exact, actionable line."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.config.load import load_config
from support.config_files import TASK_TOML, config_error, vite_project

TASK = TASK_TOML


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return vite_project(tmp_path)


def write(project: Path, text: str, name: str = "buildtools.toml") -> None:
    (project / name).write_text(text)


def test_defaults_are_filled(project: Path) -> None:
    write(project, TASK)
    config = load_config(project, {})
    assert config.webapp.source == project / "webapp"
    assert config.webapp.build_command == "build"
    assert config.task["task_name"] == "webapp"
    assert config.task["task_lifetime_in_seconds"] == 2678400
    assert config.task["assignment_duration_in_seconds"] == 1800
    assert config.task["no_submission_patience"] == 43200
    assert config.task["submission_timeout"] == 600
    assert config.task["allowed_concurrent"] == 0
    assert config.task["resume_incomplete_run"] is False
    assert config.deploy.architects == ("local", "heroku", "ec2", "static")
    assert config.bundle_dir == project / "dist" / "bundle"
    assert config.missing_task_keys() == []


def test_missing_required_task_keys_are_listed(project: Path) -> None:
    write(project, "[task]\ntask_title = 'T'\n")
    config = load_config(project, {})
    assert config.missing_task_keys() == ["task_description", "task_reward", "task_tags"]



def test_missing_source_folder(project: Path) -> None:
    write(project, "[webapp]\nsource = 'nope'\n" + TASK)
    assert config_error(project) == (
        f"buildtools.toml: [webapp] source: folder 'nope' not found (looked for {project / 'nope'})"
    )


def test_missing_extra_source_dir(project: Path) -> None:
    write(project, "[webapp]\nextra_source_dir = 'assets'\n" + TASK)
    assert config_error(project) == (
        "buildtools.toml: [webapp] extra_source_dir: folder 'assets' not found "
        f"(looked for {project / 'assets'})"
    )



def test_post_install_script_outside_webapp(project: Path) -> None:
    (project / "evil.sh").write_text("echo hi\n")
    write(project, "[webapp]\npost_install_script = '../evil.sh'\n" + TASK)
    assert config_error(project) == (
        "buildtools.toml: [webapp] post_install_script: '../evil.sh' lies outside the webapp "
        "folder webapp; put the script inside it"
    )


@pytest.mark.parametrize(("output", "found"), [
    ("../../x", "must be a folder inside the webapp folder, got '../../x' (it leads out of it)"),
    ("dist/../../x", "must be a folder inside the webapp folder, got 'dist/../../x' (it leads "
                     "out of it)"),
    ("..", "must be a folder inside the webapp folder, got '..' (it leads out of it)"),
    ("/tmp/abs", "must be a folder relative to the webapp folder, got '/tmp/abs' (an absolute "
                 "path)"),
])
def test_an_output_outside_the_webapp_is_refused(project: Path, output: str, found: str) -> None:
    write(project, f"[webapp]\noutput = '{output}'\n" + TASK)
    assert config_error(project) == (
        f"buildtools.toml: [webapp] output {found}; make the build write into a folder of the "
        "webapp (Vite build.outDir, webpack output.path) and name that folder here"
        + (", e.g. 'dist'" if output.startswith("/") else ""))


@pytest.mark.parametrize("output", ["dist", "./build/", "out/../dist", "..dist"])
def test_an_output_inside_the_webapp_is_taken(project: Path, output: str) -> None:
    write(project, f"[webapp]\noutput = '{output}'\n" + TASK)
    assert load_config(project, {}).webapp.output == output


def test_post_install_script_in_both_tables_must_agree(project: Path) -> None:
    (project / "webapp" / "a.sh").write_text("")
    (project / "webapp" / "b.sh").write_text("")
    write(project, "[webapp]\npost_install_script = 'a.sh'\n" + TASK
          + "post_install_script = 'b.sh'\n")
    assert config_error(project) == (
        "buildtools.toml: post_install_script is 'a.sh' in [webapp] but 'b.sh' in [task]; "
        "keep one of them"
    )


def test_post_install_script_may_stand_in_task(project: Path) -> None:
    (project / "webapp" / "setup.sh").write_text("")
    write(project, TASK + "post_install_script = 'setup.sh'\nforce_rebuild = true\n")
    config = load_config(project, {})
    assert config.webapp.post_install_script == "setup.sh"
    assert config.webapp.force_rebuild is True


def test_force_rebuild_from_environment(project: Path) -> None:
    write(project, TASK)
    assert load_config(project, {"BUILDTOOLS_FORCE_REBUILD": "1"}).webapp.force_rebuild
    assert not load_config(project, {"BUILDTOOLS_FORCE_REBUILD": "0"}).webapp.force_rebuild



def test_invalid_toml(project: Path) -> None:
    write(project, "[webapp\n")
    assert config_error(project).startswith("buildtools.toml: not valid TOML: ")


def test_no_config_at_all(tmp_path: Path) -> None:
    assert config_error(tmp_path).startswith(f"no buildtools.toml in {tmp_path} ")


def test_pyproject_table(project: Path) -> None:
    write(project, "[project]\nname='x'\n[tool.buildtools.webapp]\nbuild_command='build'\n"
          + TASK.replace("[task]", "[tool.buildtools.task]"), name="pyproject.toml")
    config = load_config(project, {})
    assert config.task["task_title"] == "T"
    write(project, "[tool.buildtools.webapp]\nsorce='x'\n", name="pyproject.toml")
    assert config_error(project) == (
        "pyproject.toml [tool.buildtools]: [webapp] unknown key 'sorce'; did you mean 'source'?"
    )


MEPHISTO_YAML = """\
#@package _global_
defaults:
  - /mephisto/blueprint: static_react_task
  - /mephisto/architect: local
  - /mephisto/provider: mock
mephisto:
  blueprint:
    task_source: ${task_dir}/webapp/build/bundle.js
    extra_source_dir: ${task_dir}/webapp/src/static
    units_per_assignment: 1
  task:
    task_name: react-static-task-example
    task_title: "Rating a sentence as good or bad"
    task_description: "In this task, you'll be given a sentence."
    task_reward: 0.05
    task_tags: "static,task,testing"
    force_rebuild: true
  architect:
    _architect_type: heroku  # wins over the defaults list
"""


def test_mephisto_yaml_is_found_and_mapped(project: Path) -> None:
    (project / "webapp" / "src" / "static").mkdir(parents=True)
    (project / "conf").mkdir()
    (project / "conf" / "example.yaml").write_text(MEPHISTO_YAML)
    config = load_config(project, {})
    assert config.webapp.source == project / "webapp"
    assert config.webapp.output == "build"
    assert config.webapp.extra_source_dir == project / "webapp" / "src" / "static"
    assert config.webapp.force_rebuild is True
    assert config.task["task_name"] == "react-static-task-example"
    assert config.task["task_reward"] == 0.05
    assert config.deploy.architects == ("heroku",)


@pytest.mark.parametrize(("file", "setting", "named"), [
    ("example.yaml", "buildtools:\n  node: '21x'\n", "example.yaml: buildtools.node"),
    ("example.yaml", "buildtools:\n  webapp:\n    node: '21x'\n",
     "example.yaml: buildtools.webapp.node"),
    ("buildtools.yaml", "buildtools:\n  node: '21x'\n", "buildtools.yaml: buildtools.node"),
])
def test_yaml_errors_name_the_yaml_key(project: Path, file: str, setting: str,
                                       named: str) -> None:
    (project / "webapp" / "src" / "static").mkdir(parents=True)
    (project / "conf").mkdir()
    (project / "conf" / "example.yaml").write_text(MEPHISTO_YAML)
    with (project / "conf" / file).open("a") as handle:
        handle.write(setting)
    assert config_error(project) == (
        f'{named} must be "auto", "system", "wheel" or a Node version like '
        "\"20.11.1\", got '21x'")
    (project / "conf" / "buildtools.yaml").unlink(missing_ok=True)
    (project / "conf" / "example.yaml").write_text(
        MEPHISTO_YAML.replace("task_reward: 0.05", "task_reward: many"))
    assert config_error(project) == (
        "example.yaml: mephisto.task.task_reward must be a number, got 'many' (str)")


@pytest.mark.parametrize("node", ["21x", "20", "lts"])
def test_an_unknown_node_setting_is_refused_at_load(project: Path, node: str) -> None:
    write(project, f"[webapp]\nnode = '{node}'\n" + TASK)
    assert config_error(project) == (
        f'buildtools.toml: [webapp] node must be "auto", "system", "wheel" or a Node version '
        f"like \"20.11.1\", got '{node}'")
    write(project, "[webapp]\nnode = ' v20.11.1 '\n" + TASK)
    assert load_config(project, {}).webapp.node == " v20.11.1 "


def test_mephisto_yaml_by_environment_and_errors(project: Path) -> None:
    (project / "webapp" / "src" / "static").mkdir(parents=True)
    (project / "conf").mkdir()
    (project / "conf" / "a.yaml").write_text(MEPHISTO_YAML)
    (project / "conf" / "b.yaml").write_text(MEPHISTO_YAML.replace("0.05", "-2"))
    assert config_error(project) == (
        "several Mephisto configs found (conf/a.yaml, conf/b.yaml); "
        "choose one with BUILDTOOLS_CONFIG=<file>"
    )
    config = load_config(project, {"BUILDTOOLS_CONFIG": "conf/a.yaml"})
    assert config.task["task_title"] == "Rating a sentence as good or bad"
    assert config_error(project, {"BUILDTOOLS_CONFIG": "conf/b.yaml"}) == (
        "b.yaml: mephisto.task.task_reward must be >= 0, got -2.0"
    )
    assert config_error(project, {"BUILDTOOLS_CONFIG": "conf/c.yaml"}) == (
        f"BUILDTOOLS_CONFIG=conf/c.yaml: no such file ({project / 'conf' / 'c.yaml'})"
    )


@pytest.mark.parametrize(("toml", "error"), [
    pytest.param("[webapp]\nbuild_comand = 'build'\n" + TASK,
                 "buildtools.toml: [webapp] unknown key 'build_comand'; did you mean "
                 "'build_command'?",
                 id="unknown_key_suggests_the_closest"),
    pytest.param("[webap]\n" + TASK,
                 "buildtools.toml: unknown table 'webap'; did you mean 'webapp'?",
                 id="unknown_table"),
    pytest.param(TASK.replace("0.5", '"lots"'),
                 "buildtools.toml: [task] task_reward must be a number, got 'lots' (str)",
                 id="wrong_type"),
    pytest.param(TASK + "submission_timeout = true\n",
                 "buildtools.toml: [task] submission_timeout must be an integer, got True (bool)",
                 id="bool_is_not_a_number"),
    pytest.param(TASK.replace("0.5", "-1"),
                 "buildtools.toml: [task] task_reward must be >= 0, got -1.0",
                 id="negative_reward"),
    pytest.param(TASK + "assignment_duration_in_seconds = -5\n",
                 "buildtools.toml: [task] assignment_duration_in_seconds must be >= 0, got -5",
                 id="negative_duration"),
    pytest.param("[webapp]\npost_install_script = 'setup.sh'\n" + TASK,
                 "buildtools.toml: [webapp] post_install_script: 'setup.sh' not found in webapp/",
                 id="post_install_script_missing"),
    pytest.param(TASK + "[deploy]\narchitects = ['local', 'gcp']\n",
                 "buildtools.toml: [deploy] architects names an unknown architect 'gcp'; "
                 "known: local, heroku, ec2, static",
                 id="unknown_architect"),
    pytest.param(TASK + "[deploy.local]\nport = 70000\n",
                 "buildtools.toml: [deploy.local] port must be a port number (0-65535), got 70000",
                 id="bad_port"),
])
def test_a_bad_config_is_one_exact_line(project: Path, toml: str, error: str) -> None:
    write(project, toml)
    assert config_error(project) == error
