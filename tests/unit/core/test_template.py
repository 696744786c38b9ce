"""Tests for buildtools.core.template: rendering the default task webapp."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from html.parser import HTMLParser
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

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

NASTY_TITLE = 'Label the "cat" <b>pictures</b> & it\'s </title><script>x</script> 😀'
OLD_MTIME_NS = 1_600_000_000 * 10**9


class _TitleParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.titles[-1] += data


def html_titles(text: str) -> list[str]:
    parser = _TitleParser()
    parser.feed(text)
    parser.close()
    return parser.titles


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def age(root: Path) -> None:
    """Set every file's mtime far in the past, so a rewrite is visible even on coarse clocks."""
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))


def mtimes(root: Path) -> dict[Path, int]:
    return {p.relative_to(root): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def src(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    write(root / "hello.txt.j2", "Hello {{ name }}!\n")
    write(root / "static.txt", "{{ not rendered }}\n")
    write(root / "gitignore", "node_modules/\n")
    write(root / "img" / "pixel.bin", bytes(range(256)) + b"\x00\xff{{ x }}")
    write(root / "web" / "package.json.j2", '{"name": {{ name|tojson }}}\n')
    write(root / "web" / "index.html.j2", "<title>{{ name }}</title>\n")
    return root


# --- render_tree -------------------------------------------------------------------------------


def test_renders_j2_files_without_suffix(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    written = render_tree(src, dest, {"name": "World"})
    assert (dest / "hello.txt").read_text(encoding="utf-8") == "Hello World!\n"
    assert not (dest / "hello.txt.j2").exists()
    assert (dest / "static.txt").read_text(encoding="utf-8") == "{{ not rendered }}\n"
    assert sorted(written) == sorted(
        Path(p)
        for p in [
            "hello.txt",
            "static.txt",
            ".gitignore",
            "img/pixel.bin",
            "web/package.json",
            "web/index.html",
        ]
    )


def test_copies_binary_files_byte_for_byte(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    render_tree(src, dest, {"name": "x"})
    assert (dest / "img" / "pixel.bin").read_bytes() == (src / "img" / "pixel.bin").read_bytes()


def test_gitignore_is_written_as_dotfile(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    render_tree(src, dest, {"name": "x"})
    assert (dest / ".gitignore").read_text(encoding="utf-8") == "node_modules/\n"
    assert not (dest / "gitignore").exists()


def test_second_render_writes_nothing_and_keeps_mtimes(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    render_tree(src, dest, {"name": "x"})
    age(dest)
    before = mtimes(dest)
    assert render_tree(src, dest, {"name": "x"}) == []
    assert mtimes(dest) == before


def test_only_changed_files_are_rewritten(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    render_tree(src, dest, {"name": "x"})
    age(dest)
    written = render_tree(src, dest, {"name": "y"})
    assert sorted(written) == [Path("hello.txt"), Path("web/index.html"), Path("web/package.json")]
    after = mtimes(dest)
    assert after[Path("static.txt")] == OLD_MTIME_NS
    assert after[Path("img/pixel.bin")] == OLD_MTIME_NS
    assert after[Path("hello.txt")] != OLD_MTIME_NS


def test_a_locally_edited_file_is_restored(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    render_tree(src, dest, {"name": "x"})
    write(dest / "static.txt", "edited\n")
    assert render_tree(src, dest, {"name": "x"}) == [Path("static.txt")]
    assert (dest / "static.txt").read_text(encoding="utf-8") == "{{ not rendered }}\n"


def test_leaves_node_modules_and_foreign_files_alone(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    write(src / "web" / "node_modules" / "dep" / "index.js", "from the template\n")
    write(src / "web" / "dist" / "index.html", "old build output\n")
    write(src / "__pycache__" / "dodo.cpython-311.pyc", b"\x00")
    write(src / ".doit.db", b"\x00")
    nm_file = write(dest / "web" / "node_modules" / "dep" / "index.js", "installed\n")
    foreign = write(dest / "mine.txt", "user file\n")
    dist = write(dest / "web" / "dist" / "index.html", "built\n")
    age(dest)

    written = render_tree(src, dest, {"name": "x"})

    assert not any(p.parts[0] in {"__pycache__", ".doit.db"} for p in written)
    assert not any("node_modules" in p.parts or "dist" in p.parts for p in written)
    assert nm_file.read_text(encoding="utf-8") == "installed\n"
    assert foreign.read_text(encoding="utf-8") == "user file\n"
    assert dist.read_text(encoding="utf-8") == "built\n"
    for path in (nm_file, foreign, dist):
        assert path.stat().st_mtime_ns == OLD_MTIME_NS
    assert not (dest / "__pycache__").exists()
    assert not (dest / ".doit.db").exists()


def test_written_files_are_readable_and_no_temp_files_remain(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    script = write(src / "run.sh", "#!/bin/sh\n")
    script.chmod(0o755)
    render_tree(src, dest, {"name": "x"})
    assert stat.S_IMODE((dest / "hello.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((dest / "run.sh").stat().st_mode) == 0o755
    assert not [p for p in dest.rglob("*") if p.name.endswith(".tmp")]


def test_undefined_variable_is_an_error(src: Path, tmp_path: Path) -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError, match="name"):
        render_tree(src, tmp_path / "dest", {})


def test_missing_source_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="template folder not found"):
        render_tree(tmp_path / "nope", tmp_path / "dest", {})


def test_values_are_escaped_for_json_and_html(src: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    render_tree(src, dest, {"name": NASTY_TITLE})
    assert json.loads((dest / "web" / "package.json").read_text(encoding="utf-8")) == {
        "name": NASTY_TITLE
    }
    html = (dest / "web" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert html_titles(html) == [NASTY_TITLE]
    # a non-HTML template is not autoescaped
    render_tree(src, dest, {"name": "<b>&"})
    assert (dest / "hello.txt").read_text(encoding="utf-8") == "Hello <b>&!\n"


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
