"""Render the default task webapp (webapp_template/) into a project folder with jinja2."""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

TEMPLATE_SUFFIX = ".j2"
# Source names written under another name (a dotfile would be lost or ignored by packaging).
RENAMED = {"gitignore": ".gitignore"}
# Never taken from the source tree: install and build leftovers, caches, tool state.
SKIPPED_DIRS = frozenset({"node_modules", "dist", "__pycache__", ".git", ".buildtools"})
SKIPPED_FILE_PATTERNS = (re.compile(r"\.doit\.db.*"), re.compile(r".*\.py[co]"))
# Jinja autoescape (HTML escaping of every value) for these rendered files.
AUTOESCAPED = ("html.j2", "htm.j2", "xml.j2", "svg.j2")

DEFAULT_PACKAGE_NAME = "task-webapp"
_NPM_NAME_MAX = 214
_NPM_RESERVED = frozenset({"node_modules", "favicon.ico"})

DEFAULT_TASK: dict[str, Any] = {
    "task_name": "my-task",
    "task_title": "Rate this sentence",
    "task_description": "Read one sentence and rate how natural it sounds, from 1 (not "
                        "natural) to 5 (perfect). A comment is welcome but optional.",
    "task_reward": 0.3,
    "task_tags": "text,rating",  # comma-separated, as in Mephisto
}


def template_root() -> Path:
    """The webapp_template folder.

    In an installed wheel it is buildtools/webapp_template (pyproject force-includes it there);
    in a source checkout it is <repo>/webapp_template, next to the package.
    """
    package_dir = Path(__file__).resolve().parent.parent
    installed = package_dir / "webapp_template"
    if installed.is_dir():
        return installed
    return package_dir.parent / "webapp_template"


def npm_package_name(task_name: object) -> str:
    """An npm-valid package name derived from a task name: lowercase, [a-z0-9-._] only."""
    text = unicodedata.normalize("NFKD", str(task_name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9._-]+", "-", text)
    text = re.sub(r"-{2,}", "-", text)
    # npm: no leading dot or underscore; trailing separators only look odd.
    text = text.lstrip("._-")[:_NPM_NAME_MAX].rstrip("._-")
    if not text or text in _NPM_RESERVED:
        return DEFAULT_PACKAGE_NAME
    return text


def template_context(task: Mapping[str, Any]) -> dict[str, Any]:
    """Jinja2 context from the task settings (task_name, task_title, task_description, ...).

    Missing task keys take the values of DEFAULT_TASK; package_name is derived from task_name.
    """
    context: dict[str, Any] = {**DEFAULT_TASK, **task}
    context["package_name"] = npm_package_name(context["task_name"])
    return context


def toml_value(value: Any) -> str:
    """A TOML literal for a str, bool, int, float, list or dict (the jinja `toml` filter)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_string(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as a TOML value: {value!r}")


_TOML_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render_tree(src: Path, dest: Path, context: Mapping[str, Any]) -> list[Path]:
    """Render every file of `src` into `dest`; return the paths written, relative to `dest`.

    A `*.j2` file is rendered with jinja2 (StrictUndefined, trailing newline kept; HTML/XML
    templates autoescaped) and written without the suffix; a file named `gitignore` is written
    as `.gitignore`; any other file is copied byte for byte. A file is written (atomically) only
    when its content differs, so unchanged files keep their mtime. Files of `dest` that are not
    in `src`, and node_modules / build outputs, are never touched.
    """
    src = Path(src)
    dest = Path(dest)
    if not src.is_dir():
        raise FileNotFoundError(f"template folder not found: {src}")
    env: Any = None
    written: list[Path] = []
    for rel in _source_files(src):
        source = src / rel
        if rel.name.endswith(TEMPLATE_SUFFIX):
            if env is None:
                env = _environment(src)
            text = env.get_template(rel.as_posix()).render(**context)
            data = text.encode("utf-8")
            rel_out = rel.with_name(rel.name[: -len(TEMPLATE_SUFFIX)])
        else:
            data = source.read_bytes()
            rel_out = rel
        rel_out = rel_out.with_name(RENAMED.get(rel_out.name, rel_out.name))
        executable = source.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        if _write_if_changed(dest / rel_out, data, 0o755 if executable else 0o644):
            written.append(rel_out)
    return written


def _source_files(src: Path) -> Iterator[Path]:
    """Relative paths of the files to render, sorted, without skipped folders and files."""
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        base = Path(root).relative_to(src)
        for name in sorted(files):
            if any(pattern.fullmatch(name) for pattern in SKIPPED_FILE_PATTERNS):
                continue
            yield base / name


def _environment(src: Path) -> Any:
    import jinja2  # lazily: the no-op fast path of the build never needs it

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(src)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=AUTOESCAPED, disabled_extensions=(), default=False
        ),
    )
    env.filters["toml"] = toml_value
    return env


def _write_if_changed(path: Path, data: bytes, mode: int) -> bool:
    """Write `data` to `path` atomically unless it already holds exactly that; True if written."""
    if (
        path.is_file()
        and not path.is_symlink()
        and path.stat().st_size == len(data)
        and path.read_bytes() == data
    ):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)  # mkstemp makes 0600; a project file must stay readable
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True
