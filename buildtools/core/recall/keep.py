"""Keep a recall point (buildtools.core.recall) after a build or a restore whose record was
just written: the record, the content hashes behind its signatures, the stamps and manifests
to put back, and the cache entry that holds the output and the bundle in place now."""

from __future__ import annotations

import os
import struct
from typing import Any

import xxhash

from buildtools.core.cache.content import read_content
from buildtools.core.context import Context, output_display
from buildtools.core.recall import points
from buildtools.fingerprint.manifest import HEX, split_names

# The stages a restore leaves as they are: what the output was built with must hold already
_NOT_RESTORED = frozenset({"render", "node", "install", "post_install"})
_MANIFESTS = ("webapp", "extra")
# Beyond this many files in the trees, a point costs more to load and check (several MB, 40 ms
# for 40,000 files) than the pipeline's restore it saves, on every run the record cannot answer
MOST_FILES = 2_000
_SAID_ON_RESTORE = ("render", "node")  # up to date before the cache answers (core.walk)


def keep_point(ctx: Context, record: tuple[Any, ...], lines: list[tuple[str, str]],
               output: str) -> bool:
    """Write the recall point of the record just written (`lines`: the check's stage lines);
    False when there is nothing to recall: no cache entry holds the output and the bundle in
    place now."""
    entry = ctx.cache_entry
    config = ctx.config
    if sum(len(tree[3]) // 32 for tree in record[8]) > MOST_FILES:
        points.drop_beyond(str(config.state_dir), 0)
        return False
    if entry is None or entry.meta.get("output") != output:
        return False
    listing = read_content(entry.path)
    if listing is None:
        return False
    state = config.state_dir
    restored = [stage for stage, _detail in lines if stage not in _NOT_RESTORED]
    state_files: dict[str, bytes] = {}
    stamps = [ctx.stamps.path(stage) for stage in restored]
    for path in [*stamps, *(ctx.manifest_path(name) for name in _MANIFESTS)]:
        try:
            state_files[str(path)] = path.read_bytes()
        except OSError:
            if path in stamps:  # every stamp put back, or none: a manifest may be missing
                return False
    outputs = [(str(config.webapp.source / output), str(entry.path / "output"), listing["output"]),
               (str(config.bundle_dir), str(entry.path / "bundle"), listing["bundle"])]
    notes = ([(stage, detail) for stage, detail in lines if stage in _SAID_ON_RESTORE],
             [("build", f"restored from cache: {output_display(config, output)}"),
              ("bundle", "restored from cache")])
    point = (points.FORMAT, record,
             _file_hashes(record[4], record[5], False), _file_hashes(record[6], record[7], True),
             _tree_hashes(ctx, record[8]), state_files, outputs, str(entry.path), notes)
    digest = xxhash.xxh3_64_hexdigest(f"{entry.key}\0{record[1]}\0{record[3]}".encode())
    points.save(os.path.join(points.folder(str(state)), f"{digest}.marshal"), point)
    points.drop_beyond(str(state))
    return True


def _file_hashes(joined: str, packed: bytes, follow: bool) -> dict[str, str]:
    """The content hash of each path whose signature is still the recorded one after it was
    read (the record holds no racy signature, so the content is the one it vouched for)."""
    values = struct.unpack(f"{len(packed) // 8}q", packed)
    hashes: dict[str, str] = {}
    for index, path in enumerate(split_names_nul(joined)):
        found = _hash_holding(path, values[index * 4:index * 4 + 4], follow)
        if found is not None:
            hashes[path] = found
    return hashes


def split_names_nul(joined: str) -> list[str]:
    return joined.split("\0") if joined else []


def _hash_holding(path: str, signature: tuple[int, ...], follow: bool) -> str | None:
    found = points.content_hash(path, follow)
    try:
        info = os.stat(path, follow_symlinks=follow)
    except OSError:
        return None
    now = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
    return found if now == tuple(signature) else None


def _tree_hashes(ctx: Context, trees: list[tuple[str, Any, str, bytes]]
                 ) -> list[tuple[str, str, str]]:
    """For each observed folder: its entries' hashes end to end ("" when unknown: a moved
    entry then proves nothing), the names of its symlinks and the digest of its listing; for
    a single path observed on its own, its content hash (a file) or its listing (a folder)."""
    scanned: dict[str, tuple[str, str, str]] = {}
    for memo, (manifest, _reads) in ctx.scans.items():
        root = memo.split("\0")[1]
        for prefix, joined, _packed, hashes, links in manifest.folders:
            path = os.path.join(root, prefix).rstrip("/") if prefix else root
            scanned[path] = (joined, hashes, links)
    found: list[tuple[str, str, str]] = []
    for folder, signature, joined, packed in trees:
        listing = _listing_holding(folder, signature)
        if not joined:
            found.append((_hash_holding(folder, signature, True) or "", "", listing))
            continue
        scan = scanned.get(folder)
        if scan is None:
            found.append(("", "", listing))
        elif scan[0] == joined:
            found.append((scan[1], scan[2], listing))
        elif split_names(joined) == [*split_names(scan[0]), ".gitignore"]:
            ignore = _hash_holding(os.path.join(folder, ".gitignore"),
                                   _entry_signature(packed, len(split_names(joined)) - 1), False)
            found.append((scan[1] + ignore if ignore and len(ignore) == HEX else "", scan[2],
                          listing))
        else:
            found.append(("", "", listing))
    return found


def _listing_holding(folder: str, signature: tuple[int, ...]) -> str:
    """The digest of a folder's listing while its signature is still the recorded one."""
    listing = points.listing_digest(folder)
    try:
        info = os.stat(folder)
    except OSError:
        return ""
    now = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
    return listing if now == tuple(signature) else ""


def _entry_signature(packed: bytes, index: int) -> tuple[int, ...]:
    return struct.unpack_from("4q", packed, index * 32)
