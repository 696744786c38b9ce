"""`buildtools new DIR`: a ready-to-build task project rendered from webapp_template/."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtools.core.template import DEFAULT_TASK, render_tree, template_context, template_root
from buildtools.errors import UserError
from buildtools.ui.common import PROG
from buildtools.util.paths import shown


@dataclass(frozen=True)
class NewProject:
    root: Path
    written: list[Path]  # relative to root
    task: dict[str, Any]


def task_settings(
    dest: Path, title: str | None = None, description: str | None = None
) -> dict[str, Any]:
    """The [task] settings of a new project in `dest`: its name is the folder's name."""
    name = dest.resolve().name or str(DEFAULT_TASK["task_name"])
    return {
        "task_name": name,
        "task_title": title if title else DEFAULT_TASK["task_title"],
        "task_description": description if description else DEFAULT_TASK["task_description"],
        "task_reward": DEFAULT_TASK["task_reward"],
        "task_tags": DEFAULT_TASK["task_tags"],
    }


def check_destination(dest: Path, force: bool) -> None:
    """Refuse a file, or a folder that holds anything, unless `force`."""
    if dest.is_symlink() and not dest.exists():
        raise UserError(f"{dest} is a broken symbolic link; choose another folder")
    if dest.exists() and not dest.is_dir():
        raise UserError(f"{dest} exists and is not a folder; choose another name")
    if dest.is_dir() and not force and any(dest.iterdir()):
        raise UserError(
            f"{dest} is not empty; choose a new folder, or pass --force to write the template "
            "files into it (files of the same name are overwritten, others are kept)"
        )


def new_project(
    dest: Path,
    *,
    title: str | None = None,
    description: str | None = None,
    force: bool = False,
) -> NewProject:
    """Render webapp_template into `dest` (created if needed) with the given title."""
    check_destination(dest, force)
    task = task_settings(dest, title, description)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        written = render_tree(template_root(), dest, template_context(task))
    except OSError as exc:
        raise UserError(f"cannot write the project into {dest}: {exc.strerror or exc}") from None
    return NewProject(root=dest, written=written, task=task)


def run_new(
    directory: Path,
    title: str | None,
    description: str | None,
    force: bool,
    ask: Callable[[str, str], str] | None = None,
) -> None:
    """Render the template into `directory`; `ask(question, default)` prompts, when given."""
    check_destination(directory, force)
    if ask is not None:
        if title is None:
            title = ask("Task title", str(DEFAULT_TASK["task_title"]))
        if description is None:
            description = ask("Task description", str(DEFAULT_TASK["task_description"]))
    made = new_project(directory, title=title, description=description, force=force)
    where = shown(made.root.resolve(), Path.cwd())
    print(f"created {where}/ ({len(made.written)} files written): "
          f"task {made.task['task_name']!r}, title {made.task['task_title']!r}")
    print("next:")
    print(f"  cd {_shell_quote(where)}")
    print(f"  {PROG} preview --watch   # the task with sample_data.json; edits reload the page")
    print(f"  {PROG} build             # or: doit build")
    print(f"  {PROG} deploy            # or: doit deploy; or launch with Mephisto: "
          "python run_task.py")


def _shell_quote(text: str) -> str:
    return shlex.quote(text)
