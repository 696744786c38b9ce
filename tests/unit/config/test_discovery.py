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
