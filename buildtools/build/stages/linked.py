"""The webapp's inputs outside its own tree (buildtools.fingerprint.linked): linked packages,
bundler alias targets and [webapp] inputs, hashed through the run's scans (same stat caches,
observed for the no-op record) into manifests keyed by their path from the webapp folder, such
as "../../mylib/index.js": the build's reason then names the file that changed.

A linked package's files are build inputs; a package installed as a copy (a `file:` folder or
tarball that npm copied into node_modules) is an install input, since only an install copies
its edits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xxhash

from buildtools.build.stages.context import Context
from buildtools.errors import unreadable
from buildtools.fingerprint.linked import find_linked
from buildtools.fingerprint.scan import Entry, hash_file, signature


@dataclass
class Outside:
    """Manifests of what lies outside the webapp, keyed by path from the webapp folder."""

    files: dict[str, Entry] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)  # shown root -> how it was found


def outside_inputs(ctx: Context, package: dict[str, Any], *, copied: bool) -> Outside:
    """The build's inputs outside the webapp, or (copied=True) the install's: the packages
    that the install copied into node_modules."""
    config = ctx.config
    source = config.webapp.source
    found = Outside()
    for item in find_linked(source, package, extra=config.webapp.inputs,
                            observe=ctx.observed):
        if item.copied != copied:
            continue
        found.why[_shown(item.path, source)] = item.why
        if not item.path.is_dir():
            found.files[_shown(item.path, source)] = _hash_one(ctx, item.path)
            continue
        if item.tree:
            _scan_into(ctx, found.files, item.path, item.use_gitignore)
        for point in item.entry_points:
            path = item.path / point
            if path.is_dir():
                _scan_into(ctx, found.files, path, False)
            elif path.is_file():
                found.files[_shown(path, source)] = _hash_one(ctx, path)
    return found


def _scan_into(ctx: Context, files: dict[str, Entry], root: Path, use_gitignore: bool) -> None:
    config = ctx.config
    # Never what buildtools itself writes, should a linked folder hold the project
    exclude = [os.path.relpath(path, root) for path in
               (config.webapp.source, config.deploy.out, config.state_dir)
               if root in path.parents]
    name = "linked-" + xxhash.xxh3_64_hexdigest(f"{root}\0{use_gitignore}".encode(
        "utf-8", "surrogateescape"))
    manifest = ctx.scan(name, root, exclude=exclude, use_gitignore=use_gitignore)
    prefix = _shown(root, config.webapp.source) + "/"
    files.update((prefix + relative, entry) for relative, entry in manifest.files.items())


def _hash_one(ctx: Context, path: Path) -> Entry:
    """One file, observed for the no-op record before it is read."""
    try:
        info = os.stat(path)
        if ctx.observed is not None:
            ctx.observed.append((str(path), signature(info), [], []))
        return (info.st_size, hash_file(str(path), info.st_size))
    except FileNotFoundError:
        return (-2, "")  # gone since it was found: a value no file has
    except OSError as exc:
        raise unreadable(path, exc) from None


def _shown(path: Path, webapp: Path) -> str:
    return Path(os.path.relpath(path, webapp)).as_posix()
