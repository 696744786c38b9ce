"""Config files for the config tests: a [task] table, a Mephisto task YAML, the fixture task's
hydra_configs/conf, and the one error line a bad config gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from buildtools.config.load import load_config, load_config_file
from buildtools.errors import UserError
from support.mephisto import FIXTURE as MEPHISTO_FIXTURE

TASK_TOML = """
[task]
task_title = "T"
task_description = "D"
task_reward = 0.5
task_tags = "a,b"
"""
# the task: table of a Mephisto YAML, indented under `mephisto:`
MEPHISTO_TASK_YAML = """\
  task:
    task_name: example
    task_title: "Rate a sentence"
    task_description: "Rate it."
    task_reward: 0.3
    task_tags: "test"
"""


def vite_project(root: Path) -> Path:
    """`root` with webapp/package.json (a `vite build` script) and no config yet."""
    webapp = root / "webapp"
    webapp.mkdir(parents=True)
    (webapp / "package.json").write_text(json.dumps({"scripts": {"build": "vite build"}}))
    return root


def mephisto_task_copy(dest: Path) -> Path:
    """tests/fixtures/mephisto_task copied to `dest` (no node_modules: nothing runs npm)."""
    shutil.copytree(MEPHISTO_FIXTURE, dest)
    return dest


def write_conf(task: Path, text: str, name: str = "example.yaml") -> Path:
    """hydra_configs/conf/`name` of the task folder `task`, holding `text`."""
    path = task / "hydra_configs" / "conf" / name
    path.write_text(text)
    return path


def config_error(project: Path, env: dict[str, str] | None = None) -> str:
    """The UserError that loading the config of `project` must raise, as text."""
    with pytest.raises(UserError) as info:
        load_config(project, env or {})
    return str(info.value)


def config_file_error(path: Path) -> str:
    """The UserError that loading the config file `path` must raise, as text."""
    with pytest.raises(UserError) as info:
        load_config_file(path, {})
    return str(info.value)
