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
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xxhash

from buildtools.core.build_output import aside_path
from buildtools.core.context import Context
from buildtools.errors import unreadable
from buildtools.fingerprint.files import hash_file
from buildtools.fingerprint.linked import find_linked
from buildtools.fingerprint.manifest import (
    HEX,
    Entry,
    FolderScan,
    Manifest,
    folder_files,
    manifest_digest,
)


@dataclass
class Outside:
    """The scanned folders of what lies outside the webapp, their paths from the webapp."""

    folders: list[FolderScan] = field(default_factory=list)

    @property
    def files(self) -> dict[str, Entry]:
        return {path: entry for folder in self.folders for path, entry in folder_files(folder)}

    def joined(self, manifest: Manifest) -> Manifest:
        """`manifest` (the webapp's tree) with these folders, as one tree."""
        if not self.folders:
            return manifest
        digest = xxhash.xxh3_128_hexdigest(
            f"{manifest.digest}\0{manifest_digest(self.files)}".encode())
        return Manifest(digest, [*manifest.folders, *self.folders])


def outside_inputs(ctx: Context, package: dict[str, Any], *, copied: bool,
                   output: str = "") -> Outside:
    """The build's inputs outside the webapp, or (copied=True) the install's: the packages
    that the install copied into node_modules. `output`: the build's output folder (relative
    to the webapp), never an input, whatever [webapp] inputs names."""
    config = ctx.config
    source = config.webapp.source
    written = [source / output, source / aside_path(output)] if output else []
    found = Outside()
    for item in find_linked(source, package, extra=config.webapp.inputs,
                            observe=ctx.reads.trees):
        if item.copied != copied:
            continue
        if not item.path.is_dir():
            found.folders.append(_hash_one(ctx, item.path, source))
            continue
        if item.tree:
            _scan_into(ctx, found.folders, item.path, item.use_gitignore, written)
        for point in item.entry_points:
            path = item.path / point
            if path.is_dir():
                _scan_into(ctx, found.folders, path, False, written)
            elif path.is_file():
                found.folders.append(_hash_one(ctx, path, source))
    return found


def _scan_into(ctx: Context, folders: list[FolderScan], root: Path, use_gitignore: bool,
               written: list[Path]) -> None:
    config = ctx.config
    # Never what the build and buildtools write, should a scanned folder hold them
    exclude = [os.path.relpath(path, root) for path in
               (config.webapp.source, config.deploy.out, config.state_dir, *written)
               if root in path.parents]
    name = "linked-" + xxhash.xxh3_64_hexdigest(f"{root}\0{use_gitignore}".encode(
        "utf-8", "surrogateescape"))
    manifest = ctx.scan(name, root, exclude=exclude, use_gitignore=use_gitignore)
    prefix = _shown(root, config.webapp.source) + "/"
    folders.extend((prefix + folder[0], *folder[1:]) for folder in manifest.folders)


def _hash_one(ctx: Context, path: Path, webapp: Path) -> FolderScan:
    """One file as a folder of one, observed for the no-op record before it is read."""
    try:
        info = os.stat(path)
        signature = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        ctx.reads.trees.append((str(path), signature, "", b""))
        digest = hash_file(str(path), info.st_size)
    except FileNotFoundError:  # gone since it was found: a size no file has
        signature, digest = (-2, 0, 0, 0), "0" * HEX
    except OSError as exc:
        raise unreadable(path, exc) from None
    parent = _shown(path.parent, webapp)
    return (f"{parent}/", path.name, array("q", signature).tobytes(), digest, "")


def _shown(path: Path, webapp: Path) -> str:
    return Path(os.path.relpath(path, webapp)).as_posix()
