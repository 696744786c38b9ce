"""buildtools.core.template's render_tree: .j2 files rendered, others copied byte for byte, only
what changed rewritten, foreign files left alone, values escaped."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from buildtools.core.template import (
    render_tree,
)
from support.files import OLD_NS, age
from support.html import NASTY_TITLE, html_titles

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover
    pass


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


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
    assert after[Path("static.txt")] == OLD_NS
    assert after[Path("img/pixel.bin")] == OLD_NS
    assert after[Path("hello.txt")] != OLD_NS


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
        assert path.stat().st_mtime_ns == OLD_NS
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


