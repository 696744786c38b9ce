"""The versions of a Node and its npm, cached by the identity of their files so a warm build
spawns nothing; and whether a version satisfies an engines.node range, so that a warm build
imports no range parser (nodesemver costs ~12 ms to import: docs/BENCHMARKS.md)."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from buildtools.errors import CommandFailed, UserError
from buildtools.node.discovery import NodeInstall
from buildtools.node.semver import RangeError, check_range, satisfies
from buildtools.util import atomic
from buildtools.util.hashing import digest
from buildtools.util.jsonfile import read_object
from buildtools.util.process import Runner

VERSION_CACHE_FILE = "node-versions.json"

VERSION_CACHE_SIZE = 64

class _VersionCache:
    """node/npm versions by the identity (real path, size, mtime, inode) of their files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, str]] | None = None
        self._dirty = False

    def _load(self) -> dict[str, dict[str, str]]:
        if self._entries is None:
            self._entries = read_object(self.path) or {}
        return self._entries

    def get(self, key: str) -> tuple[str, str] | None:
        entry = self._load().get(key)
        if isinstance(entry, dict) and "node" in entry and "npm" in entry:
            return str(entry["node"]), str(entry["npm"])
        return None

    def put(self, key: str, node_version: str, npm_version: str) -> None:
        self._put(key, {"node": node_version, "npm": npm_version})

    def get_flag(self, key: str) -> bool | None:
        entry = self._load().get(key)
        if isinstance(entry, dict) and entry.get("flag") in ("0", "1"):
            return entry["flag"] == "1"
        return None

    def put_flag(self, key: str, value: bool) -> None:
        self._put(key, {"flag": "1" if value else "0"})

    def _put(self, key: str, entry: dict[str, str]) -> None:
        entries = self._load()
        entries.pop(key, None)
        entries[key] = entry
        while len(entries) > VERSION_CACHE_SIZE:
            entries.pop(next(iter(entries)))
        self._dirty = True

    def save(self) -> None:
        if not self._dirty or self._entries is None:
            return
        with contextlib.suppress(OSError):  # only a cache: the next build asks node again
            atomic.write_json(self.path, self._entries)
        self._dirty = False

def engines_fit(version: str, engines: str, cache: _VersionCache) -> bool:
    """satisfies(version, engines), remembered in the cache. Raises RangeError."""
    key = digest("engines-fit/1", version, engines)
    fits = cache.get_flag(key)
    if fits is None:
        fits = satisfies(version, engines)
        cache.put_flag(key, fits)
    return fits


def engines_valid(engines: str, cache: _VersionCache) -> bool:
    """Whether engines.node is an npm range, remembered in the cache."""
    key = digest("engines-valid/1", engines)
    valid = cache.get_flag(key)
    if valid is None:
        try:
            check_range(engines)
            valid = True
        except RangeError:
            valid = False
        cache.put_flag(key, valid)
    return valid


def _identity(path: Path) -> list[object]:
    st = path.stat()
    return [str(path), st.st_size, st.st_mtime_ns, st.st_ino]

def _npm_package_json(npm: Path) -> Path | None:
    """<npm>/package.json for .../npm/bin/npm-cli.js."""
    candidate = npm.parent.parent / "package.json"
    if npm.suffix == ".js" and npm.parent.name == "bin" and candidate.is_file():
        return candidate
    return None

def _versions(found: NodeInstall, cache: _VersionCache, runner: Runner) -> tuple[str, str]:
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
    node_version = _node_version(found, runner)
    npm_version = _npm_version(found, npm, package_json, runner)
    cache.put(key, node_version, npm_version)
    return node_version, npm_version

def _run_for_version(cmd: list[str], found: NodeInstall, what: str, runner: Runner) -> str:
    env = dict(os.environ)
    env["PATH"] = f"{found.node.parent}{os.pathsep}{env.get('PATH', '')}"
    try:
        lines = runner(cmd, cwd=found.node.parent, env=env, what=what)
    except CommandFailed as err:
        last = next((line for line in reversed(err.tail) if line.strip()), "no output")
        raise UserError(f"{what} failed: {last}") from None
    for line in reversed(lines):
        match = re.match(r"^\s*v?(\d+\.\d+\.\d+\S*)\s*$", line)
        if match is not None:
            return match[1]
    raise UserError(f"{what} printed no version: {' / '.join(lines[-3:]) or 'no output'}")

def _node_version(found: NodeInstall, runner: Runner) -> str:
    return _run_for_version([str(found.node), "--version"], found, f"{found.where} --version",
                            runner)

def _npm_version(found: NodeInstall, npm: Path, package_json: Path | None, runner: Runner
                 ) -> str:
    data = read_object(package_json) if package_json is not None else None
    if data is not None and isinstance(data.get("version"), str):
        return str(data["version"])
    return _run_for_version([str(npm), "--version"], found, f"{npm} --version", runner)
