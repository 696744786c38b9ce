"""A Mephisto-style task built through the drop-in (run_task.py), `buildtools build` and
`doit build`, for the tests of inputs observed, not guessed: an edit of a file the build read
must reach the built bundle, with the no-op record armed first."""

from __future__ import annotations

import os
import subprocess
import time

from buildtools.core import record as fresh
from buildtools.mephisto import pair_state_dir
from support.mephisto import MephistoTask
from support.projects import DOIT

FRONTS = ("dropin", "buildtools", "doit")
# a buildtools.toml that makes `buildtools build` and `doit build` build what the drop-in's
# `dev` call builds (the drop-in takes only [task] and the settings its call does not decide)
TASK_TOML = """\
[webapp]
source = "webapp"
output = "build"
build_command = "dev"

[task]
task_title = "Rate a sentence"
task_description = "Say whether it is good."
task_reward = 0.05
task_tags = "test"
"""
DODO = "from buildtools.tasks import *  # noqa: F403\n"


def write_files(task: MephistoTask, files: dict[str, str]) -> None:
    """Each of `files` (a path relative to the task folder: its text) written there."""
    for name, text in files.items():
        (task.root / name).parent.mkdir(parents=True, exist_ok=True)
        (task.root / name).write_text(text)


def built_text(task: MephistoTask) -> str:
    """Every file of webapp/build, as one text."""
    return "".join(path.read_text(errors="replace")
                   for path in (task.webapp / "build").rglob("*") if path.is_file())


def environ(task: MephistoTask) -> dict[str, str]:
    """The variables the task's commands run with (support.mephisto.task_env)."""
    env = {**os.environ, "NO_COLOR": "1", "CYPRESS_INSTALL_BINARY": "0",
           "BUILDTOOLS_CACHE_DIR": str(task.cache)}
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG"):
        env.pop(name, None)
    return env


def build(task: MephistoTask, front: str) -> str:
    """A build through the drop-in (run_task.py), `buildtools build` or `doit build`."""
    if front == "dropin":
        return task.run_task().stdout
    if front == "buildtools":
        return task.buildtools("build")
    result = subprocess.run([DOIT, "build"], cwd=task.root, env=environ(task),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def recorded(task: MephistoTask, front: str) -> bool:
    """The no-op record of that front end proves everything up to date."""
    state = pair_state_dir(task.root, "webapp", "dev") if front == "dropin" else None
    return fresh.check(str(task.root), environ(task),
                       state_dir=None if state is None else str(state)) is not None


def armed(task: MephistoTask, front: str) -> None:
    """Wait out the racy window; a no-op run of `front` then leaves its no-op record."""
    for _ in range(2):  # a loaded machine may make the first no-op run too soon
        time.sleep(2.2)
        out = build(task, front)
        if recorded(task, front):
            return
    raise AssertionError(f"no no-op record after two no-op runs:\n{out}")


def edited_reaches_the_bundle(task: MephistoTask, name: str, old: str, new: str,
                              front: str) -> None:
    """With the record of `front` armed, replacing `old` by `new` in the file `name` (relative
    to the task folder) runs the build, saying that file changed, and the bundle then holds
    `new`, not `old`; the next run is up to date."""
    assert old in built_text(task)
    armed(task, front)
    path = task.root / name
    path.write_text(path.read_text().replace(old, new))
    out = build(task, front)
    assert "build          runs because files the last build read changed: " \
        f"{os.path.relpath(path, task.webapp)}" in out, out
    text = built_text(task)
    assert new in text and old not in text
    assert "build          up to date" in build(task, front)
