"""package.json reading: a BOM is fine; a missing, invalid, non-object or non-UTF-8 file is one
line that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.node.packagemanager import read_package_json
from support.errors import user_error
from support.package_json import write_package


def test_read_package_json(tmp_path: Path) -> None:
    write_package(tmp_path, scripts={"build": "vite build"})
    assert read_package_json(tmp_path)["scripts"] == {"build": "vite build"}


def test_read_package_json_with_bom(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_bytes(b'\xef\xbb\xbf{"name": "app"}')
    assert read_package_json(tmp_path) == {"name": "app"}


def test_package_json_missing(tmp_path: Path) -> None:
    assert user_error(read_package_json, tmp_path / "webapp") == (
        f"no package.json in {tmp_path / 'webapp'}: set [webapp] source to the folder holding it"
    )


@pytest.mark.parametrize(("content", "error"), [
    (b'{\n  "name": "app",\n  "scripts": {,}\n}\n',
     "is not valid JSON: Expecting property name enclosed in double quotes (line 3)"),
    (b'["app"]', "must hold a JSON object, not a list"),
    (b'{\n  "name": "caf\xe9"\n}', "is not valid UTF-8 (line 2)"),
], ids=["invalid", "not_an_object", "not_utf8"])
def test_a_bad_package_json_is_one_line(tmp_path: Path, content: bytes, error: str) -> None:
    (tmp_path / "package.json").write_bytes(content)
    assert user_error(read_package_json, tmp_path) == f"{tmp_path}/package.json {error}"
