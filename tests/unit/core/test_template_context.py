"""buildtools.core.template's context (npm package names, TOML values) and the real
webapp_template rendered."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from buildtools.core.template import (
    DEFAULT_PACKAGE_NAME,
    npm_package_name,
    render_tree,
    template_context,
    template_root,
    toml_value,
)
from support.html import NASTY_TITLE, html_titles

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


# --- context, names, TOML ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task_name", "expected"),
    [
        ("my-task", "my-task"),
        ("My Task", "my-task"),
        ("Café Crème", "cafe-creme"),
        ("__hidden.task__", "hidden.task"),
        ("..a/b\\c@d", "a-b-c-d"),
        ("under_score.dot-dash", "under_score.dot-dash"),
        ("!!!", DEFAULT_PACKAGE_NAME),
        ("", DEFAULT_PACKAGE_NAME),
        ("node_modules", DEFAULT_PACKAGE_NAME),
        ("日本語", DEFAULT_PACKAGE_NAME),
        (42, "42"),
    ],
)
def test_npm_package_name(task_name: object, expected: str) -> None:
    assert npm_package_name(task_name) == expected


def test_npm_package_name_is_at_most_214_chars() -> None:
    name = npm_package_name("a" * 300)
    assert len(name) == 214
    assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name)


def test_template_context_keeps_task_keys_and_adds_package_name() -> None:
    task = {"task_name": "Image Labels", "task_title": "T", "extra": 1}
    context = template_context(task)
    assert context["package_name"] == "image-labels"
    assert context["task_title"] == "T"
    assert context["extra"] == 1
    assert {"task_description", "task_reward", "task_tags"} <= context.keys()
    assert "package_name" not in task


@pytest.mark.parametrize(
    "value",
    [
        'quote " backslash \\ tab \t newline \n bell \x07 emoji 😀',
        "",
        0.3,
        5,
        True,
        ["a", "b", 1],
        {"k": "v", "n": [1.5]},
    ],
)
def test_toml_value_round_trips(value: Any) -> None:
    assert tomllib.loads(f"x = {toml_value(value)}\n") == {"x": value}


def test_toml_value_rejects_unknown_types() -> None:
    with pytest.raises(TypeError, match="TOML"):
        toml_value(object())


# --- the real webapp_template ------------------------------------------------------------------


def test_template_root_holds_the_webapp_template() -> None:
    root = template_root()
    for rel in [
        "buildtools.toml.j2",
        "dodo.py",
        "gitignore",
        "assets/TestImg.png",
        "webapp/package.json.j2",
        "webapp/index.html.j2",
        "webapp/vite.config.js",
        "webapp/src/main.jsx",
        "webapp/src/App.jsx",
        "webapp/src/App.css",
    ]:
        assert (root / rel).is_file(), rel
    lockfiles = [p.name for p in (root / "webapp").glob("package-lock.json*")]
    assert len(lockfiles) == 1
    assert (root / "assets" / "TestImg.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_template_lockfile_has_no_local_paths() -> None:
    text = next((template_root() / "webapp").glob("package-lock.json*")).read_text(encoding="utf-8")
    assert not re.search(r'"(/|[A-Za-z]:\\\\)|file:|/home/|/tmp/|/root/|/work/', text)


def test_rendered_template_is_valid(tmp_path: Path) -> None:
    task = {
        "task_name": "Label Cats!",
        "task_title": NASTY_TITLE,
        "task_description": 'Say "meow"\nthen submit',
        "task_reward": 0.25,
        "task_tags": ["cats", "images"],
    }
    written = render_tree(template_root(), tmp_path, template_context(task))
    assert Path("webapp/package.json") in written
    assert Path(".gitignore") in written

    package = json.loads((tmp_path / "webapp" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((tmp_path / "webapp" / "package-lock.json").read_text(encoding="utf-8"))
    assert package["name"] == lock["name"] == lock["packages"][""]["name"] == "label-cats"
    assert package["scripts"]["build"] == "vite build"
    assert package["private"] is True
    assert package["type"] == "module"
    for section in ("dependencies", "devDependencies"):
        assert package[section] == lock["packages"][""][section]

    html = (tmp_path / "webapp" / "index.html").read_text(encoding="utf-8")
    assert html_titles(html) == [NASTY_TITLE]

    config = tomllib.loads((tmp_path / "buildtools.toml").read_text(encoding="utf-8"))
    assert config["webapp"] == {
        "source": "webapp",
        "build_command": "build",
        "output": "dist",
        "extra_source_dir": "assets",
    }
    assert config["task"] == task
    assert config["deploy"]["architects"] == ["local", "heroku", "ec2", "static"]

    gitignore = (tmp_path / ".gitignore").read_text(encoding="utf-8").split()
    assert {"node_modules/", "dist/", ".buildtools/", ".doit.db*", "webapp/dist/"} <= set(gitignore)
    assert "from buildtools.tasks import *" in (tmp_path / "dodo.py").read_text(encoding="utf-8")
    assert render_tree(template_root(), tmp_path, template_context(task)) == []
