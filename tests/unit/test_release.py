"""The version a user can pin: one place holds it, the changelog has its section."""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import buildtools

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_held_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "buildtools/__init__.py"
    assert importlib.metadata.version("buildtools") == buildtools.__version__


def test_the_changelog_has_a_section_for_this_version() -> None:
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert buildtools.__version__ in headings
