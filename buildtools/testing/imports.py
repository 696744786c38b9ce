"""The import graph of a package, read from its source with `ast` (nothing is imported): what
tests/unit/test_architecture.py and test_layers.py check the house's layering and cycles on.

Every import counts: at module level, in a function, under `if TYPE_CHECKING:`. An import of a
package's name (`from buildtools.util import atomic`) counts as one of the submodule."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

Edges = dict[str, dict[str, int]]  # module -> {module it imports: the line of the first import}


def module_name(path: Path, root: Path) -> str:
    """root/buildtools/core/walk.py -> buildtools.core.walk; a package's __init__.py -> its
    name. `path` need not exist."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, path: Path, root: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in `tree` (the source of `path`), relative
    ones resolved; `from a import b` gives both a and a.b."""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:  # `from buildtools import ui`
                yield node.lineno, f"{module}.{alias.name}"


def package_modules(package: Path) -> dict[str, Path]:
    """Module name -> file, for every module of the package folder `package`."""
    return {module_name(path, package.parent): path for path in sorted(package.rglob("*.py"))}


def module_edges(path: Path, source: str, known: set[str], root: Path) -> dict[str, int]:
    """{module of `known` that `source` (as if it were at `path`) imports: line}."""
    own = module_name(path, root)
    found: dict[str, int] = {}
    for line, name in imported(ast.parse(source, str(path)), path, root):
        if name in known and name != own:
            found.setdefault(name, line)
    return {name: line for name, line in found.items()
            if not any(other.startswith(name + ".") and found[other] == line for other in found)}


def import_edges(package: Path) -> Edges:
    """The import graph between the modules of the package folder `package`."""
    known = package_modules(package)
    return {module: module_edges(path, path.read_text(encoding="utf-8"), set(known),
                                 package.parent)
            for module, path in known.items()}


def cycles(edges: Edges) -> list[list[str]]:
    """The groups of modules that import each other, in turn (strongly connected components of
    more than one module: Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        work = [(root, iter(sorted(edges.get(root, {}))))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = [stack.pop()]
                    while group[-1] != node:
                        group.append(stack.pop())
                    if len(group) > 1:
                        found.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(edges.get(child, {})))))
            elif child in stack:
                low[node] = min(low[node], index[child])
    return sorted(found)
