"""Config discovery from any folder of a project: the nearest config in the folder or above it,
up to the top of the git repository or the filesystem root; the no-op record's fast path finds
the same one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from buildtools.config.load import find_config, load_config
from buildtools.core import record
from buildtools.errors import UserError
from support.config_files import TASK_TOML
from support.files import make_tree

TASK = TASK_TOML
MEPHISTO = "mephisto:\n  task:\n    task_title: T\n"
DEFAULTS = "defaults:\n  - /mephisto/architect: local  # a group\n  - _self_\n"


def state_of_record(cwd: Path) -> str | None:
    return record.state_dir_for(str(cwd), {})


def test_a_subfolder_finds_the_project_config(tmp_path: Path) -> None:
    project = make_tree(tmp_path / "task", {"buildtools.toml": TASK, "webapp/src/App.jsx": "x"})
    (project / ".git").mkdir()
    src = project / "webapp" / "src"
    assert find_config(src, {}) == project / "buildtools.toml"
    config = load_config(src, {})
    assert config.root == project and config.webapp.source == project / "webapp"
    assert state_of_record(src) == str(project / ".buildtools")


def test_the_nearest_config_wins(tmp_path: Path) -> None:
    outer = make_tree(tmp_path, {
        "buildtools.toml": TASK,
        "inner/pyproject.toml": "[tool.buildtools.task]\ntask_title = 'T'\n",
        "inner/skipped/pyproject.toml": "[project]\nname = 'not a config'\n",
        "inner/skipped/deep/file.txt": "x",
    })
    deep = outer / "inner" / "skipped" / "deep"
    assert find_config(deep, {}) == outer / "inner" / "pyproject.toml"
    assert state_of_record(deep) == str(outer / "inner" / ".buildtools")
    (outer / "inner" / "skipped" / "conf").mkdir()
    (outer / "inner" / "skipped" / "conf" / "task.yaml").write_text(MEPHISTO)
    assert find_config(deep, {}) == outer / "inner" / "skipped" / "conf" / "task.yaml"


def test_the_search_stops_at_the_top_of_the_git_repository(tmp_path: Path) -> None:
    make_tree(tmp_path, {"buildtools.toml": TASK, "repo/sub/file.txt": "x"})
    repo = tmp_path / "repo"
    (repo / ".git").write_text("gitdir: elsewhere\n")  # a worktree's or submodule's .git file
    with pytest.raises(UserError) as info:
        find_config(repo / "sub", {})
    assert str(info.value) == (
        f"no buildtools.toml in {repo / 'sub'} nor in a folder above it up to {repo} (nor "
        "[tool.buildtools] in pyproject.toml, nor a Mephisto YAML in conf/); create one with "
        "'buildtools new' or set BUILDTOOLS_CONFIG")
    assert state_of_record(repo / "sub") is None


def test_several_mephisto_configs_above_are_named_from_here(tmp_path: Path) -> None:
    make_tree(tmp_path, {"conf/a.yaml": MEPHISTO, "conf/b.yaml": MEPHISTO, "webapp/x": "x"})
    with pytest.raises(UserError) as info:
        find_config(tmp_path / "webapp", {})
    assert str(info.value) == ("several Mephisto configs found (../conf/a.yaml, "
                               "../conf/b.yaml); choose one with BUILDTOOLS_CONFIG=<file>")


def test_the_record_keeps_what_decides_the_search(tmp_path: Path) -> None:
    """From a subfolder, the record holds every candidate below the config: a config, a
    Mephisto YAML or a .git that appears there changes what is found, and spoils it."""
    project = make_tree(tmp_path / "task", {"buildtools.toml": TASK, "webapp/src/App.jsx": "x"})
    src, webapp = project / "webapp" / "src", project / "webapp"
    files, listings = record.discovery_paths(str(src), {}, str(project / "buildtools.toml"))
    assert [os.path.relpath(path, project) for path in files] == [
        "webapp/src/buildtools.toml", "webapp/src/pyproject.toml", "webapp/src/.git",
        "webapp/buildtools.toml", "webapp/pyproject.toml", "webapp/.git",
        "buildtools.toml", "pyproject.toml"]
    assert listings == [str(src / "conf"), str(src / "hydra_configs" / "conf"),
                        str(webapp / "conf"), str(webapp / "hydra_configs" / "conf")]
    at_root = record.discovery_paths(str(project), {}, str(project / "buildtools.toml"))
    assert at_root == ([str(project / "buildtools.toml"), str(project / "pyproject.toml")], [])


def test_only_conf_and_hydra_configs_conf_hold_a_mephisto_yaml(tmp_path: Path) -> None:
    """As the docs say: a YAML with a `mephisto:` line in the folder itself or one above (a
    CI file, a compose file, a config of something else) is never taken for the config."""
    project = make_tree(tmp_path / "task", {"buildtools.toml": TASK, "webapp/src/App.jsx": "x",
                                       "webapp/ci.yaml": MEPHISTO, "webapp/src/x.yaml": MEPHISTO})
    (project / ".git").mkdir()
    assert find_config(project / "webapp" / "src", {}) == project / "buildtools.toml"
    alone = make_tree(tmp_path / "alone", {"example.yaml": MEPHISTO})
    with pytest.raises(UserError, match=r"no buildtools\.toml in"):
        find_config(alone, {})
    make_tree(alone, {"hydra_configs/conf/example.yaml": MEPHISTO})
    assert find_config(alone, {}) == alone / "hydra_configs" / "conf" / "example.yaml"


@pytest.mark.parametrize("conf", ["conf", "hydra_configs/conf"])
def test_the_state_folder_of_a_mephisto_yaml_is_found_without_loading_it(
        tmp_path: Path, conf: str) -> None:
    """The no-op record's and the early start's lookup finds the state folder that the loaded
    config has (the task folder's), from any folder of the project."""
    project = make_tree(tmp_path / "task", {f"{conf}/task.yaml": DEFAULTS + MEPHISTO,
                                       f"{conf}/notes.yaml": "not: mephisto\n",
                                       "webapp/src/App.jsx": "x"})
    (project / ".git").mkdir()
    config = load_config(project / "webapp" / "src", {})
    assert config.path == project / conf / "task.yaml"
    for folder in (project, project / "webapp" / "src", project / conf):
        assert state_of_record(folder) == str(config.state_dir)
    named = {"BUILDTOOLS_CONFIG": f"{conf}/task.yaml"}
    assert record.state_dir_for(str(project), named) == str(config.state_dir)


@pytest.mark.parametrize("text", [
    "task_dir: /elsewhere\n" + MEPHISTO,  # the loader's task folder comes from the YAML
    "defaults:\n  - base\n" + MEPHISTO,  # base.yaml could name it
    "defaults:\n- optional base\n" + MEPHISTO,
    "defaults: [base]\n" + MEPHISTO,
    "defaults:\n  - 'base'\n" + MEPHISTO,
    DEFAULTS + "defaults:\n  - base\n" + MEPHISTO,
])
def test_no_state_folder_for_a_mephisto_yaml_that_may_name_its_task_folder(
        tmp_path: Path, text: str) -> None:
    """Only loading the YAML would tell its task folder: no state folder (the same YAML
    without that line has one)."""
    project = make_tree(tmp_path / "task", {"conf/task.yaml": text, "conf/base.yaml": "x: 1\n"})
    (project / ".git").mkdir()
    assert state_of_record(project) is None
    assert record.state_dir_for(str(project), {"BUILDTOOLS_CONFIG": "conf/task.yaml"}) is None
    make_tree(project, {"conf/task.yaml": DEFAULTS + MEPHISTO})
    assert state_of_record(project) == str(project / ".buildtools")


def test_no_state_folder_when_several_mephisto_yamls_are_found(tmp_path: Path) -> None:
    make_tree(tmp_path, {"conf/a.yaml": MEPHISTO, "hydra_configs/conf/b.yml": MEPHISTO})
    (tmp_path / ".git").mkdir()
    assert state_of_record(tmp_path) is None
    with pytest.raises(UserError, match="several Mephisto configs"):
        find_config(tmp_path, {})
    (tmp_path / "conf" / "a.yaml").unlink()
    assert state_of_record(tmp_path) == str(tmp_path / ".buildtools")


def test_discovery_and_the_state_lookup_take_the_same_mephisto_yaml(tmp_path: Path) -> None:
    """One definition (config.mephisto_conf): a .yml counts; an undecodable file, a folder
    named like a YAML and a YAML without a top-level `mephisto:` do not."""
    project = make_tree(tmp_path / "task", {"conf/other.yaml": "  mephisto: nested\n",
                                       "hydra_configs/conf/task.yml": MEPHISTO})
    (project / "conf" / "binary.yaml").write_bytes(b"mephisto:\n\xff\xfe\n")
    (project / "conf" / "folder.yaml").mkdir()
    (project / ".git").mkdir()
    assert find_config(project, {}) == project / "hydra_configs" / "conf" / "task.yml"
    assert state_of_record(project) == str(project / ".buildtools")
