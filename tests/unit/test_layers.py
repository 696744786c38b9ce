"""The layering of docs/ARCHITECTURE.md is the test: every import of a buildtools module (at
module level, in a function or under TYPE_CHECKING) is one its tables allow (the row's "may
import", or an arrow up listed with its reason), and no modules of buildtools import each other
in a cycle. The import graph is read with `ast` (buildtools.testing.imports)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from buildtools.testing import imports

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "buildtools"
DOC = ROOT / "docs" / "ARCHITECTURE.md"
_ROW = re.compile(r"^\| `([^`]+)` \|(.*)\|(.*)\|$", re.MULTILINE)


def unit_of(module: str) -> str:
    """`buildtools.core.stages.build` -> `core`; `buildtools.errors` -> `errors`;
    `buildtools` (its __init__.py) -> `__init__`."""
    return module.split(".")[1] if module.count(".") else "__init__"


def layer_table(text: str) -> tuple[dict[str, set[str] | None], dict[str, set[str]]]:
    """(unit -> what it may import, None for everything; module -> the arrows up it has)."""
    may: dict[str, set[str] | None] = {}
    up: dict[str, set[str]] = {}
    for name, middle, right in _ROW.findall(text):
        allowed = {*re.findall(r"`([^`]+)`", right)}
        if name.endswith("/__init__.py") or (name.count("/") and name.endswith(".py")):
            module = "buildtools." + name.removesuffix(".py").removesuffix("/__init__")
            up[module.replace("/", ".")] = {*re.findall(r"`([^`]+)`", middle)}
        else:
            may[name.removesuffix("/").removesuffix(".py")] = (
                None if right.strip() == "everything" else allowed)
    return may, up


def modules() -> dict[str, Path]:
    return imports.package_modules(PACKAGE)


def module_edges(path: Path, source: str) -> dict[str, int]:
    return imports.module_edges(path, source, set(modules()), ROOT)


def layering_offences(text: str, edges: dict[str, dict[str, int]]) -> list[str]:
    may, up = layer_table(text)
    bad = []
    for module, targets in edges.items():
        unit = unit_of(module)
        if unit not in may:
            bad.append(f"{module}: buildtools/{unit} has no row in the table")
            continue
        allowed = may[unit]
        for target, line in targets.items():
            short = target.removeprefix("buildtools.")
            if allowed is None or unit_of(target) in {unit, *allowed}:
                continue
            if short in up.get(module, ()) or any(
                    short == name or short.startswith(name + ".") for name in allowed):
                continue
            bad.append(f"{module}:{line}: {unit} may not import {target}")
    return bad


def test_every_import_is_one_the_layering_table_allows() -> None:
    bad = layering_offences(DOC.read_text(encoding="utf-8"), imports.import_edges(PACKAGE))
    assert bad == [], (
        "docs/ARCHITECTURE.md's tables do not allow these imports: import what your row "
        "allows, or add the arrow up to the table with its reason:\n" + "\n".join(bad))


def test_every_arrow_up_in_the_table_is_still_needed() -> None:
    edges = imports.import_edges(PACKAGE)
    _, up = layer_table(DOC.read_text(encoding="utf-8"))
    assert up, "the table of arrows up was not found"
    stale = [f"{module} -> {target}" for module, targets in up.items() for target in targets
             if "buildtools." + target not in edges.get(module, {})]
    assert stale == [], f"no module needs these arrows up any more: remove them: {stale}"


def test_the_table_names_only_parts_of_buildtools() -> None:
    may, _ = layer_table(DOC.read_text(encoding="utf-8"))
    units = {unit_of(module) for module in modules()}
    assert units <= may.keys(), f"no row for {sorted(units - may.keys())}"
    named = {name.split(".")[0] for allowed in may.values() for name in allowed or ()}
    assert named <= units, f"the table names {sorted(named - units)}, not part of buildtools"


def offences_of(where: str, source: str) -> list[str]:
    """What the layering table refuses in `source`, as if it were buildtools/`where`."""
    path = PACKAGE / where
    edges = {imports.module_name(path, ROOT): module_edges(path, source)}
    return layering_offences(DOC.read_text(encoding="utf-8"), edges)


@pytest.mark.parametrize(("where", "source"), [
    ("core/stages/example.py", "from buildtools.deploy import offload\n"),
    ("util/example.py", "from ..config.load import Config\n"),
    ("assets/example.py", "from buildtools.deploy.architects.heroku import x\n"),
    ("core/example.py", "def f():\n    import buildtools.ui.terminal\n"),
    ("core/example.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    from buildtools.deploy.run import deploy\n"),
    ("mephisto/example.py", "from buildtools.ui.cli import main\n"),
    ("envnames.py", "import buildtools.util.atomic\n"),
    ("testing/example.py", "from buildtools.ui import terminal\n"),
])
def test_the_layering_check_catches(where: str, source: str) -> None:
    assert offences_of(where, source), source


@pytest.mark.parametrize(("where", "source"), [
    ("deploy/example.py", "from buildtools.core.events import Reporter\n"),
    ("assets/report.py", "from buildtools.deploy.architects.heroku import x\n"),
    ("mephisto/example.py", "from buildtools.ui.terminal import TerminalReporter\n"),
    ("core/stages/example.py", "from ..freshness import StagePlan\n"),
    ("ui/example.py", "from buildtools.deploy import run\n"),
])
def test_the_layering_check_lets_the_table_be(where: str, source: str) -> None:
    assert offences_of(where, source) == [], source


def test_no_import_cycle_in_buildtools() -> None:
    """Imports in functions and under TYPE_CHECKING count: they are arrows all the same."""
    found = imports.cycles(imports.import_edges(PACKAGE))
    assert found == [], "import cycles (move what both sides need down a layer):\n" + "\n".join(
        " <-> ".join(group) for group in found)


def test_the_cycle_check_catches() -> None:
    assert imports.cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [
        ["a", "b", "c"]]
    assert imports.cycles({"a": {"b": 1}, "b": {}, "c": {"a": 1, "b": 1}}) == []


# Where an import inside a function stays, and why (docs/ARCHITECTURE.md, "Imports inside
# functions"). A module not listed imports at its top; an entry that no longer needs its place
# fails the test, so the list only shrinks.
FUNCTION_LEVEL_IMPORTS = {
    "ui/cli.py": "the no-op path answers before click, the config, the terminal or typing load",
    "core/run.py": "the no-op path: the record answers before early, the config or the "
                   "pipeline load",
    "core/record.py": "the no-op path: xxhash only when an environment digest is asked",
    "core/early.py": "started first thing by the CLI, before the config loads",
    "util/spawn.py": "forks npm without importing subprocess (the early start)",
    "util/process.py": "subprocess: a build that adopted the early npm never needs it",
    "fingerprint/statcache/probe.py": "xxhash only when a folder listing must be hashed",
    "assets/reencode.py": "Pillow, the `images` extra",
    "deploy/publish/s3.py": "boto3 and botocore, the `s3` extra",
    "deploy/offload.py": "boto3 and botocore, the `s3` extra",
    "deploy/serve.py": "http.server only when serving (test_serve.py::test_import_is_cheap)",
    "config/hydra.py": "PyYAML, for a Mephisto YAML configuration only",
    "config/yaml_safe.py": "PyYAML, for a Mephisto YAML configuration only",
    "deploy/preview/scope.py": "PyYAML, for a Mephisto YAML configuration only",
    "node/packagemanager.py": "PyYAML, for pnpm's lockfile only",
    "node/semver.py": "nodesemver on first use: a warm build answers from the version cache",
    "config/load.py": "config.mephisto_yaml (4 ms) for a Mephisto YAML configuration only",
    "node/nodeenv.py": "urllib.request (http.client, email: 10 ms) only when Node is downloaded",
    "core/template.py": "jinja2, for a project with a template only",
    "deploy/architects/context.py": "jinja2, when an architect renders",
    "core/stages/render.py": "core.template, for a project with a template only",
    "core/stages/build.py": "what the bundle stage and the cache use, loaded while npm runs",
    "core/stages/bundle.py": "assets.upload, loaded while npm runs (build.py)",
    "core/cache/reuse.py": "the stores, loaded while npm runs or when a bundle is restored",
    "core/recorder.py": "the record's writer needs its helpers only when it writes",
    "assets/__init__.py": "the public names load on first use; signed_url is an arrow up",
    "ui/tasks.py": "doit loads dodo.py for every doit command: the terminal (5-17 ms), the "
                   "config, deploy and serve load when a task needs them",
    "ui/devserver.py": "argparse for its own command line only",
    "mephisto/dropin.py": "Mephisto imports the drop-in when it starts",
}


def function_level_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return sorted({node.lineno for function in ast.walk(tree)
                   if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for node in ast.walk(function)
                   if isinstance(node, (ast.Import, ast.ImportFrom))})


def test_imports_inside_functions_only_where_listed_with_a_reason() -> None:
    found = {path.relative_to(PACKAGE).as_posix(): lines for path in sorted(PACKAGE.rglob("*.py"))
             if (lines := function_level_imports(path))}
    unlisted = {name: lines for name, lines in found.items()
                if name not in FUNCTION_LEVEL_IMPORTS}
    assert unlisted == {}, ("import at the top of the module (or list the module, with the "
                            f"measured reason, in FUNCTION_LEVEL_IMPORTS): {unlisted}")
    stale = sorted(FUNCTION_LEVEL_IMPORTS.keys() - found.keys())
    assert stale == [], f"{stale} import nothing inside a function now: remove them"
