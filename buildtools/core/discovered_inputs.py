"""The build's discovered inputs: what the last build opened that the source tree scan does not
hash, kept with its stamp and hashed by the next check (as ninja keeps a compiler's depfile).

The build runs under a trace (buildtools.fingerprint.trace: inotify on the project's folders).
After it, every file it opened that is not in the tree's manifest (a file beside the webapp, a
gitignored `.env.local`, a tsconfig or Babel config extended from outside) is an input, and so
is the listing of every folder it listed, of every folder such a file lies in, and of the
folders above those up to the first that holds the webapp: a file created there may change
what an import resolves to (`../lib/mod.js` beside the `../lib/mod/` that was read), and
inotify sees no failed open. Files under node_modules stay covered by the install key. They
are kept in the build stamp's inputs as "discovered": {path from the webapp: hash}, paths
such as "../shared/util.js", and a folder's listing as "../shared/". The next check hashes
the same paths again, whatever .gitignore says and wherever they lie: a difference reruns
the build. One that changed after the build started may not be what the build read: its hash
is then RACY, which no content has, so the next check runs the build again.

A file created where a resolver looked and found nothing, in a folder that is none of those,
is not seen by the trace: webpack names these paths (its missingDependencies, and what its
loaders looked for and did not find, reported by a Node preload:
buildtools.fingerprint.webpack_missing), and those outside the webapp are kept as "absent";
inside the webapp, the scan sees a new file, unless .gitignore hides it (the `.env.local` that
webpack's own `dotenv` looks for): those are kept too (buildtools.fingerprint.hidden). Other
bundlers report none. The same preload reports webpack's fileDependencies, kept like the
files the trace saw opened: with webpack's persistent cache, a build opens no file of a
module it takes from that cache (it only checks the file's mtime).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xxhash

from buildtools.config.load import Config
from buildtools.core.build_output import ASIDE_SUFFIX, aside_path
from buildtools.core.context import Context
from buildtools.core.freshness import StagePlan, Stamp, StampStore, digest
from buildtools.fingerprint import webpack_missing
from buildtools.fingerprint.files import hash_file
from buildtools.fingerprint.hidden import hidden_from_scan
from buildtools.fingerprint.ignore import outer_ignore_files
from buildtools.fingerprint.manifest import Manifest
from buildtools.fingerprint.scan import ALWAYS_IGNORED
from buildtools.fingerprint.trace import Trace, Tracer
from buildtools.fingerprint.trace import available as trace_available
from buildtools.util.swapfolders import is_swap_folder

KEY = "discovered"
UNTRACED = "untraced"  # in a build stamp's info: why reads outside the webapp were not seen
ABSENT = "absent"
RACY = "racy"
# A file's mtime comes from the kernel's coarse clock, up to a tick behind the real time
CLOCK_SLACK_NS = 50_000_000
# Folders no bundler reads: tool caches and virtualenvs (a folder holding pyvenv.cfg)
_NEVER_READ = frozenset({*ALWAYS_IGNORED, ".hg", ".svn", ".tox", ".nox", ".mypy_cache",
                         ".pytest_cache", ".ruff_cache"})


def trace_top(config: Config) -> Path:
    """The folder whose tree the build's trace watches: the top of the git repository that
    holds the webapp, else the project root (or the folder above both, when the webapp lies
    outside it)."""
    webapp = config.webapp.source.resolve()
    for folder in (webapp, *webapp.parents):
        if (folder / ".git").exists():
            return folder
    root = config.root.resolve()
    if root == webapp or root in webapp.parents:
        return root
    return Path(os.path.commonpath([root, webapp]))


class _Skip:
    """What is never traced or recorded: node_modules, what the build and buildtools write."""

    def __init__(self, config: Config, output: str) -> None:
        source = config.webapp.source
        self.written = {os.path.realpath(path) for path in (
            source / output, source / aside_path(output), config.state_dir, config.deploy.out,
            config.bundle_dir)}

    def folder(self, parent: str, name: str) -> bool:
        """(folder, entry): leave that subfolder out of the trace."""
        path = os.path.join(parent, name)
        return (name in _NEVER_READ or is_swap_folder(name) or path in self.written
                or os.path.isfile(os.path.join(path, "pyvenv.cfg")))

    def path(self, path: str) -> bool:
        parts = path.split(os.sep)
        return "node_modules" in parts or any(
            path == written or path.startswith(written + os.sep) for written in self.written)

    def listed_name(self, folder: str, name: str) -> bool:
        """Names left out of a folder's listing (what buildtools and the build write)."""
        return (name in ALWAYS_IGNORED or name.startswith(".doit.db") or is_swap_folder(name)
                or name.endswith(ASIDE_SUFFIX) or os.path.join(folder, name) in self.written)


@dataclass
class Traced:
    """A build's trace, from before it starts to after it ends."""

    config: Config
    output: str
    tracer: Tracer | None
    started_ns: int
    # The listing of the folder that holds the output, before the build: the build and
    # buildtools rename in it (the output moved aside and back), so its mtime tells nothing
    output_parent: str
    parent_listing: str

    def stop(self) -> Trace | None:
        return self.tracer.stop() if self.tracer is not None else None


def start_trace(config: Config, output: str) -> Traced:
    """A trace of the folders the build could read, started (no tracer where inotify is
    not there)."""
    skip = _Skip(config, output)
    webpack_missing.forget(config.state_dir)
    tracer: Tracer | None = Tracer([str(trace_top(config))], skip.folder)
    if tracer is not None and not tracer.start():
        tracer = None
    parent = os.path.realpath(os.path.dirname(config.webapp.source / output))
    return Traced(config, output, tracer, time.time_ns(), parent,
                  _listing_hash(parent, skip, None))


def recorded(traced: Traced, trace: Trace, manifest: Manifest) -> dict[str, str]:
    """The discovered inputs of a build that ran under `trace`, hashed now (see the module
    doc), keyed by their path from the webapp."""
    config, output, started_ns = traced.config, traced.output, traced.started_ns
    webapp = config.webapp.source
    skip = _Skip(config, output)
    in_tree = manifest.files
    files: dict[str, str] = {}
    folders: set[str] = set()
    for path in trace.files:
        path = os.path.realpath(path)
        relative = _relative(path, webapp)
        if skip.path(path) or relative in in_tree:
            continue
        files[relative] = _file_hash(path, started_ns, opened=True)
        folders.add(os.path.dirname(path))
    folders.update(os.path.realpath(path) for path in trace.folders)
    folders.update(_between(folders, os.path.realpath(webapp)))
    found = dict(files)
    for folder in folders:
        if skip.path(folder):
            continue
        if folder == traced.output_parent:
            listing = _listing_hash(folder, skip, None)
            if listing != traced.parent_listing:
                listing = RACY
        else:
            listing = _listing_hash(folder, skip, started_ns)
        found[_relative(folder, webapp) + "/"] = listing
    for path in webpack_missing.read_outside(config.state_dir, webapp):
        relative = _relative(path, webapp)  # read, or taken from webpack's persistent cache
        if relative not in found and not skip.path(path):
            found[relative] = _file_hash(path, started_ns, opened=True)
    inside = webpack_missing.reported_inside(config.state_dir, webapp)
    missing = [*webpack_missing.reported_outside(config.state_dir, webapp, trace_top(config)),
               *(str(webapp / path) for path in
                 hidden_from_scan(webapp, inside, outer_ignore_files(webapp)))]
    for path in missing:
        relative = _relative(path, webapp)
        if relative not in found and not skip.path(path):  # absent, or RACY: came meanwhile
            found[relative] = _file_hash(path, started_ns)
    return dict(sorted(found.items()))


def _between(folders: set[str], webapp: str) -> set[str]:
    """The folders above `folders` up to the first that holds the webapp: a resolver that
    found `../lib/mod/index.js` had looked for `../lib/mod.js` (a stat, unseen by inotify)."""
    found: set[str] = set()
    for folder in folders:
        parent = os.path.dirname(folder)
        while parent != folder and os.path.commonpath([parent, webapp]) != parent:
            found.add(parent)
            folder, parent = parent, os.path.dirname(parent)
    return found


def static_key(plan: StagePlan) -> str:
    """The key of a build plan without its discovered inputs."""
    return digest(plan.name, {name: value for name, value in plan.inputs.items()
                              if name != KEY})


def untraced_notice(config: Config) -> str:
    """One line when the build's reads outside the webapp are not all tracked (this system
    cannot trace, or the last build's trace was incomplete), naming [webapp] inputs; "" when
    they are."""
    why = ""
    if not trace_available():
        why = "this system cannot trace a build: Linux inotify is needed"
    else:
        stamp = StampStore(config.state_dir).read("build")
        why = str(stamp.info.get(UNTRACED) or "") if stamp is not None else ""
    if not why:
        return ""
    return (f"reads outside the webapp are not tracked ({why}): name the files and folders "
            "your build reads outside it in [webapp] inputs")


def now(ctx: Context, stamp: Stamp | None, output: str) -> dict[str, str]:
    """The discovered inputs of the last build (from its stamp), hashed now; each observed
    for the no-op record before it is read."""
    return _hashed(ctx, list(previous(stamp)), output)


def unchanged(ctx: Context, found: Any, output: str) -> bool:
    """True when every path of `found` ({path: hash}, what a build read, as a cache entry keeps
    it) holds what it held then."""
    if not isinstance(found, dict):
        return False
    return _hashed(ctx, [str(path) for path in found], output) == found


def _hashed(ctx: Context, paths: list[str], output: str) -> dict[str, str]:
    webapp = ctx.config.webapp.source
    skip = _Skip(ctx.config, output)
    hashed: dict[str, str] = {}
    for relative in paths:
        path = os.path.normpath(os.path.join(webapp, relative))
        ctx.reads.seen(path)  # the no-op record signs it (or the folder where it would come)
        if relative.endswith("/"):
            hashed[relative] = _listing_hash(path, skip, None)
        else:
            hashed[relative] = _file_hash(path, None)
    return hashed


def previous(stamp: Stamp | None) -> dict[str, str]:
    """The discovered inputs a stamp holds, {} when none."""
    if stamp is None:
        return {}
    inputs = stamp.info.get("inputs")
    found = inputs.get(KEY) if isinstance(inputs, dict) else None
    return {str(key): str(value) for key, value in found.items()} \
        if isinstance(found, dict) else {}


def explain(old: Any, new: Any) -> str:
    old = old if isinstance(old, Mapping) else {}
    changed = sorted(path for path in set(old) | set(new) if old.get(path) != new.get(path))
    if not changed:
        return "the files the last build read changed"
    shown = ", ".join(changed[:5])
    more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
    return f"files the last build read changed: {shown}{more}"


def _relative(path: str, webapp: Path) -> str:
    return Path(os.path.relpath(path, webapp)).as_posix()


def _file_hash(path: str, started_ns: int | None, opened: bool = False) -> str:
    try:
        info = os.stat(path)
        if os.path.isdir(path):
            return ABSENT  # a file then, a folder now: the listing of its folder says so
        if started_ns is not None and _changed_since(info, started_ns):
            return RACY
        return hash_file(path, info.st_size)
    except FileNotFoundError:
        # opened by the build, gone now: what it read is unknown
        return RACY if opened else ABSENT
    except OSError:
        return RACY


def _listing_hash(folder: str, skip: _Skip, started_ns: int | None) -> str:
    """The digest of a folder's entry names (not their content); RACY when an entry came,
    went or was renamed since the build started (the folder's mtime moved)."""
    try:
        if started_ns is not None and _changed_since(os.stat(folder), started_ns):
            return RACY
        with os.scandir(folder) as listing:
            names = sorted(entry.name for entry in listing
                           if not skip.listed_name(folder, entry.name))
    except FileNotFoundError:
        return ABSENT
    except OSError:
        return RACY
    return xxhash.xxh3_64_hexdigest("\0".join(names).encode("utf-8", "surrogateescape"))


def _changed_since(info: os.stat_result, started_ns: int) -> bool:
    limit = started_ns - CLOCK_SLACK_NS
    return info.st_mtime_ns >= limit or info.st_ctime_ns >= limit

