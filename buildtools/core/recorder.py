"""Writing the no-op record (buildtools.core.record): the trace of one full check (what it
read, through buildtools.util.reads), written when it found every stage up to date and
nothing is too recent to vouch for."""

from __future__ import annotations

import contextlib
import marshal
import os
import struct
from collections.abc import Iterable
from typing import Any

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
)
from buildtools.fingerprint.racy import racy
from buildtools.fingerprint.scan import Signature
from buildtools.util.reads import Reads

_OTHERS_KEPT = 3  # records kept for other environments (other shells)


Lines = list[tuple[str, str]]


class Recorder:
    """Writes the record of one full check from its trace (buildtools.util.reads).

    Create it with the Reads of the check before the check begins (it signs what config
    discovery would find, and the buildtools package), then call `write` with the check's
    result: the record is what the check read, and nothing kept by hand.
    """

    def __init__(self, config: Config, reads: Reads) -> None:
        self.config = config
        self.reads = reads
        self.cwd = os.getcwd()
        self.written: tuple[Any, ...] | None = None  # the record, once written
        self.usable = config.path.suffix in (".toml",) and not config.webapp.force_rebuild
        if not self.usable:
            return
        for name in config.environ_read:  # what loading the config looked up
            reads.env(name)
        files, listings = discovery_paths(self.cwd, reads.environ, str(config.path))
        for candidate in files:
            reads.stat(candidate)
        for folder in listings:
            self._listing(folder, (".yaml", ".yml"))
        # the config file as it was when it was read (now, for one built in memory)
        if config.file_signature is not None:
            reads.paths[str(config.path)] = config.file_signature
        else:
            reads.stat(config.path)

    def _listing(self, folder: str, suffix: tuple[str, ...]) -> None:
        """A folder (whose mtime moves when an entry comes or goes) and its files ending in
        `suffix`: what is there now, whatever names a later version gives them."""
        self.reads.stat(folder)
        try:
            with os.scandir(folder) as entries:
                names = [entry.name for entry in entries if entry.name.endswith(suffix)]
        except OSError:
            return
        for name in names:
            self.reads.stat(os.path.join(folder, name))

    def _add_modules(self, folder: str) -> None:
        """Every module of the buildtools package, folder by folder: no list to keep up to
        date, and a module added or removed moves its folder's mtime. (Taken when the record
        is written: the modules were imported before the check began.)"""
        self.reads.stat(folder)
        with os.scandir(folder) as listing:
            entries = list(listing)
        for entry in entries:
            if entry.name.endswith(".py") and entry.is_file():
                self.reads.stat(entry.path)
            elif entry.is_dir() and entry.name != "__pycache__":
                self._add_modules(entry.path)

    def write(self, lines: Lines) -> bool:
        """Write the record of the check that found every stage up to date; False when it
        cannot vouch (see buildtools.core.record)."""
        reads = self.reads
        if not self.usable or reads.refused:
            return False
        self._add_modules(package_dir())
        if self._racy():
            return False
        config = self.config
        env_read = (sorted(reads.names), sorted(reads.prefixes), reads.whole_environ)
        followed = list(reads.followed)
        record = (FORMAT, f"{self.cwd}\0{package_dir()}", env_read,
                  env_digest(reads.raw_environ, env_read),
                  "\0".join(reads.paths), _packed_sigs(reads.paths.values()),
                  "\0".join(followed), _packed_sigs(reads.followed[path] for path in followed),
                  list(dict.fromkeys(reads.trees)), str(config.bundle_dir),  # once each
                  [(stage, detail) for stage, detail in lines])
        from buildtools.util import atomic

        self._keep_latest(str(config.state_dir), record[3])
        atomic.write_bytes(config.state_dir / RECORD_NAME, marshal.dumps(record))
        self.written = record
        return True

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

    def _racy(self) -> bool:
        """True when a signature is too recent to vouch for its content: a change in the same
        tick of the filesystem's clock after it was taken would leave it as it is. Only the
        presence of a folder in Reads.presence counts, not its age."""
        started = self.reads.started_ns
        reads = self.reads
        sigs: list[Any] = [sig for path, sig in reads.paths.items()
                           if path not in reads.presence]
        sigs.extend(sig for path, sig in reads.followed.items() if path not in reads.presence)
        sigs.extend(item[1] for item in reads.trees)
        if any(sig is not None and racy(sig[1], sig[3], started) for sig in sigs):
            return True
        for item in reads.trees:  # the entries' signatures, packed: mtime and ctime
            values = struct.unpack(f"{len(item[3]) // 8}q", item[3])
            if any(racy(mtime, ctime, started)
                   for mtime, ctime in zip(values[1::4], values[3::4], strict=True)):
                return True
        return False


def _packed_sigs(sigs: Iterable[Signature | None]) -> bytes:
    values: list[int] = []
    for sig in sigs:
        values.extend(MISSING if sig is None else sig)
    return pack_values(values)

