"""The shape of the house (docs/ARCHITECTURE.md), read from the source with `ast`:

- the core (core, config, fingerprint, node, deploy, assets, util, envnames.py, filenames.py,
  errors.py) knows no click, no doit and no buildtools.ui, and never writes to the terminal
  itself (no print(), no sys.stdout, no sys.stderr): it emits events to a Reporter, and only
  buildtools.ui prints;
- a test module never imports another test module nor a conftest.py: helpers live in
  tests/support/ (importable: pytest's pythonpath), and conftest.py files hold fixtures and
  pytest hooks only.
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterator
from pathlib import Path

import pytest

from buildtools.testing import imports

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "buildtools"
CORE_PACKAGES = ("core", "config", "fingerprint", "node", "deploy", "assets", "util")
CORE_MODULES = ("envnames.py", "filenames.py", "errors.py")
FORBIDDEN_IMPORTS = ("click", "doit", "buildtools.ui", "buildtools.tasks")
TERMINAL = ("sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__")

def core_files() -> list[Path]:
    files = [PACKAGE / name for name in CORE_MODULES]
    for package in CORE_PACKAGES:
        files += (PACKAGE / package).rglob("*.py")
    return sorted(path for path in files if path.is_file())


def module_name(path: Path) -> str:
    return imports.module_name(path, ROOT)


def imported(tree: ast.AST, path: Path) -> Iterator[tuple[int, str]]:
    return imports.imported(tree, path, ROOT)


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def offences(path: Path, source: str | None = None) -> list[str]:
    """What in `path` (or in `source`, as if it were at `path`) a core module must not do."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    found = []
    for line, module in imported(tree, path):
        for forbidden in FORBIDDEN_IMPORTS:
            if module == forbidden or module.startswith(forbidden + "."):
                found.append(f"line {line}: imports {module}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and dotted(node.func) == "print":
            found.append(f"line {node.lineno}: print()")
        elif isinstance(node, ast.Attribute) and dotted(node) in TERMINAL:
            found.append(f"line {node.lineno}: {dotted(node)}")
        elif isinstance(node, ast.ImportFrom) and node.module == "sys":
            for alias in node.names:
                if f"sys.{alias.name}" in TERMINAL:
                    found.append(f"line {node.lineno}: from sys import {alias.name}")
    return sorted(set(found), key=lambda text: int(text.split()[1].rstrip(":")))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_core_imports_no_ui_and_never_prints() -> None:
    files = core_files()
    assert len(files) > 20, "the core packages were not found"
    bad = {relative(path): found for path in files if (found := offences(path))}
    assert bad == {}, (
        "the core must not import click, doit or buildtools.ui, nor write to the terminal; "
        "emit an event to the Reporter (buildtools.core.events) instead:\n"
        + "\n".join(f"{name}: {', '.join(lines)}" for name, lines in bad.items()))


@pytest.mark.parametrize("source", [
    "import click\n",
    "from doit.tools import run_once\n",
    "from buildtools.ui.terminal import Reporter\n",
    "from ...ui import terminal\n",
    "from buildtools import ui\n",
    "import buildtools.tasks\n",
    "print('hi')\n",
    "import sys\nsys.stdout.write('x')\n",
    "import sys\nout = sys.stderr\n",
    "from sys import stdout\n",
])
def test_the_check_catches(source: str) -> None:
    assert offences(PACKAGE / "build" / "stages" / "example.py", source), source


@pytest.mark.parametrize("source", [
    "from buildtools.core.events import Reporter\n",
    "from ..events import Reporter\n",
    "import sys\nsys.exit(1)\n",
    "def report(reporter):\n    reporter.info('print() is a word here')\n",
])
def test_the_check_lets_the_core_be(source: str) -> None:
    assert offences(PACKAGE / "build" / "stages" / "example.py", source) == [], source


# what tests/ holds besides the importable support package: test folders, conftests, modules
TEST_TOP_LEVEL = {"tests", "conftest", "unit", "integration", "fixtures", "skip_inversions"}


def imports_a_test_module(node: ast.AST) -> bool:
    """An import of a test module or a conftest (relative, through `tests.`, or through the
    folders pytest's pythonpath puts on sys.path); `support` is the one package to import."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            return True
        names = [node.module or ""]
    else:
        return False
    return any(name.split(".")[0] in TEST_TOP_LEVEL or name.split(".")[0].startswith("test_")
               for name in names)


def test_no_test_module_imports_another() -> None:
    bad = [f"{relative(path)}:{node.lineno}"
           for path in sorted((ROOT / "tests").rglob("*.py"))
           for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path)))
           if imports_a_test_module(node)]
    assert bad == [], (
        "test modules import no test module nor conftest (put the helper in tests/support/): "
        + ", ".join(bad))


@pytest.mark.parametrize("source", [
    "from tests.integration.conftest import Tiny\n",
    "from conftest import Tiny\n",
    "from .conftest import Tiny\n",
    "import integration.test_build\n",
    "from test_build import helper\n",
])
def test_the_test_import_check_catches(source: str) -> None:
    assert any(imports_a_test_module(node) for node in ast.walk(ast.parse(source))), source


def test_the_test_import_check_lets_support_be() -> None:
    source = "from support.projects import Tiny\nimport pytest\nfrom buildtools import ui\n"
    assert not any(imports_a_test_module(node) for node in ast.walk(ast.parse(source)))


def non_fixtures(source: str) -> list[str]:
    """The top-level functions and classes of a conftest.py that are neither a fixture nor a
    pytest hook (pytest_*)."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            found.append(f"class {node.name}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            fixture = any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)
            if not fixture and not node.name.startswith("pytest_"):
                found.append(f"def {node.name}")
    return found


def test_conftest_files_hold_fixtures_only() -> None:
    bad = {relative(path): found for path in sorted((ROOT / "tests").rglob("conftest.py"))
           if (found := non_fixtures(path.read_text(encoding="utf-8")))}
    assert bad == {}, f"conftest.py files hold fixtures and hooks; move to tests/support/: {bad}"


def test_the_conftest_check_catches_a_helper() -> None:
    source = ("import pytest\n@pytest.fixture\ndef tiny(): pass\n"
              "def pytest_configure(config): pass\nclass Web: pass\ndef make(): pass\n")
    assert non_fixtures(source) == ["class Web", "def make"]


def test_pytest_collects_every_test_folder() -> None:
    """pytest's default norecursedirs skips folders named build/ and dist/: tests/unit/core/
    was once silently never run. Every folder holding tests must be one pytest walks into."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    skipped = options["ini_options"]["norecursedirs"]
    folders = {path.parent for path in (ROOT / "tests").rglob("test_*.py")}
    unseen = sorted(relative(folder) for folder in folders
                    for part in folder.relative_to(ROOT).parts
                    if any(fnmatch.fnmatch(part, pattern) for pattern in skipped))
    assert unseen == [], f"pytest would not collect the tests in {unseen}"
    assert ROOT / "tests" / "unit" / "core" in folders
