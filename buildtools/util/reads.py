"""What a check read: every stat, file and environment variable that went into a stage key.

The stages, the scans and the config loader read their inputs through one `Reads`; the
no-op record (buildtools.core.recorder writes it, buildtools.core.record replays it) is this
trace, and nothing else: a stage that starts reading a new file or variable through it is
covered by the record without any other edit.

- `stat(path)`: a file or folder whose content, presence or listing a key depends on; its
  stat signature is taken here, before the caller reads it (`follow=True`: the signature of
  what the link points to is kept as well);
- `present(path)`: a folder whose presence alone a key depends on (an output, node_modules):
  a change to it spoils the record, but its age does not (see buildtools.core.recorder);
- `trees`: what the tree scans observed (buildtools.fingerprint.scan's `observe`);
- `environ`: the environment as a mapping that notes each name looked up; enumerating it
  ties the record to the whole environment, `env_prefixed` to the names with a prefix;
- `refuse(why)`: an input that no signature can vouch for (a version manager's shim).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

# A stat signature: (size, mtime_ns, inode, ctime_ns); ctime also moves when a tool writes a
# file and then puts its old mtime back.
Signature = tuple[int, int, int, int]
# What a tree scan observes of each folder it walked: (absolute path, the folder's signature
# taken before it was listed, the names of the entries that count joined by "/", their packed
# signatures). A single path observed on its own has no names and no signatures.
Observed = tuple[str, Signature, str, bytes]


def signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


class Reads:
    """The trace of one check: see the module doc."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.started_ns = time.time_ns()  # before any signature is taken
        self.paths: dict[str, Signature | None] = {}  # lstat signatures, None: absent
        self.followed: dict[str, Signature | None] = {}  # the same, links followed
        self.presence: set[str] = set()
        self.trees: list[Observed] = []
        self.names: set[str] = set()
        self.prefixes: set[str] = set()
        self.whole_environ = False
        self.refused = ""
        self.raw_environ = environ  # the environment itself, for the record's digest
        self.environ: Mapping[str, str] = _NotedEnviron(environ, self)

    def stat(self, path: os.PathLike[str] | str, *, follow: bool = False
             ) -> os.stat_result | None:
        """The stat of `path` (following links when `follow`), None when it is absent."""
        name = os.fspath(path)
        found = _stat(name, False)
        self.paths.setdefault(name, None if found is None else signature(found))
        if follow:
            followed = _stat(name, True)
            self.followed.setdefault(name, None if followed is None else signature(followed))
            return followed
        return found

    def is_file(self, path: os.PathLike[str] | str) -> bool:
        info = self.stat(path, follow=True)
        return info is not None and stat.S_ISREG(info.st_mode)

    def read_text(self, path: os.PathLike[str] | str) -> str | None:
        """The text of a file (its signature taken first), None when it is not a file."""
        if not self.is_file(path):
            return None
        try:
            return Path(path).read_text("utf-8", errors="replace")
        except OSError:
            return None

    def present(self, path: os.PathLike[str] | str) -> bool:
        """True when `path` is a folder; only its presence counts (see the module doc)."""
        name = os.fspath(path)
        self.presence.add(name)
        info = self.stat(name, follow=True)
        return info is not None and stat.S_ISDIR(info.st_mode)

    def seen(self, path: os.PathLike[str] | str) -> None:
        """The signature of `path`, or when it is absent of the nearest folder above it (whose
        mtime moves when it comes)."""
        candidate = os.fspath(path)
        while True:
            info = _stat(candidate, True)
            if info is not None:
                self.trees.append((candidate, signature(info), "", b""))
                return
            parent = os.path.dirname(candidate)
            if parent == candidate:
                return
            candidate = parent

    def env(self, name: str) -> str | None:
        return self.environ.get(name)

    def env_prefixed(self, prefixes: tuple[str, ...]) -> dict[str, str]:
        """The variables whose names start with one of `prefixes`."""
        self.prefixes.update(prefixes)
        return {name: value for name, value in self.raw_environ.items()
                if name.startswith(prefixes)}

    def refuse(self, why: str) -> None:
        self.refused = self.refused or why


class _NotedEnviron(Mapping[str, str]):
    """The environment, noting in `reads` each name looked up (or that it was enumerated)."""

    def __init__(self, raw: Mapping[str, str], reads: Reads) -> None:
        self.raw = raw
        self.reads = reads

    def __getitem__(self, name: str) -> str:
        self.reads.names.add(name)
        return self.raw[name]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.reads.names.add(name)
        return name in self.raw

    def __iter__(self) -> Iterator[str]:
        self.reads.whole_environ = True
        return iter(self.raw)

    def __len__(self) -> int:
        self.reads.whole_environ = True
        return len(self.raw)


def _stat(path: str, follow: bool) -> os.stat_result | None:
    try:
        return os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return None
