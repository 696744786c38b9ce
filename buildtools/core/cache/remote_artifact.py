"""A remote cache artifact (a signed .tar.gz on disk) unpacked into the local cache, bounded.

The signature only says who made an artifact, not that it is sane: a holder of the key (or a
bug) can still send a gzip bomb. So before one byte is written, the archive's headers are read
(decompressing no further than the limit) and checked: only regular files, folders and links
that stay inside the entry; the files' sizes add up to no more than the entry's declared size
(meta.json "bytes") nor than [cache] remote_max_mb; and not more than MAX_MEMBERS members.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path
from typing import Any

from buildtools.config.model import Config
from buildtools.core.cache import local
from buildtools.core.cache.content import CONTENT, verify_entry

MAX_MEMBERS = 500_000
MAX_META_BYTES = 1 << 20
PARTS = ("bundle", "output")  # what meta.json "bytes" counts


class RemoteError(Exception):
    """The remote cache could not be used (said in a warning, never raised to the user)."""


def limit_bytes(config: Config) -> int:
    return int(config.cache.remote_max_mb * 1024 * 1024)


def unpack(config: Config, key: str, artifact: Path) -> local.Entry | None:
    """Check the artifact at `artifact`, fetched by the inputs key `key`, then put it in the
    local cache as the entry its meta.json names (`key` and what the build read)."""
    limit = limit_bytes(config)
    scratch = local.scratch_dir(config.cache)
    try:
        with tarfile.open(artifact, mode="r:gz") as archive:
            members, meta = _checked_members(archive, key, limit)
            declared = meta.get("bytes")
            files = sum(m.size for m in members if m.isreg() and _part(m) in PARTS)
            if not isinstance(declared, int) or files > declared:
                raise RemoteError(f"its files hold {files} bytes, its meta.json declares "
                                  f"{declared}")
            if hasattr(tarfile, "data_filter"):
                archive.extractall(scratch, members=members, filter="data")
            else:  # Python < 3.10.12 / 3.11.4: the members were checked above
                archive.extractall(scratch, members=members)
        damaged = verify_entry(scratch)  # signed, and also whole?
        if damaged:
            raise RemoteError(damaged)
        return local.adopt(config.cache, str(meta["key"]), scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _checked_members(
    archive: tarfile.TarFile, key: str, limit: int
) -> tuple[list[tarfile.TarInfo], dict[str, Any]]:
    """The members (each checked) and the parsed meta.json, reading headers only."""
    members: list[tarfile.TarInfo] = []
    total = 0
    meta: dict[str, Any] | None = None
    while True:
        member = archive.next()  # seeks past the previous member's data: bounded below
        if member is None:
            break
        check_member(member)
        total += member.size
        if total > limit or archive.offset > limit:
            raise RemoteError(f"it unpacks to more than the {limit} bytes allowed by "
                              "[cache] remote_max_mb")
        if len(members) >= MAX_MEMBERS:
            raise RemoteError(f"it has more than {MAX_MEMBERS} files")
        members.append(member)
        if member.name in (local.META, f"./{local.META}") and member.isreg():
            meta = _read_meta(archive, member)
    if meta is None or not local.is_variant_of(meta.get("key"), key):
        raise RemoteError("its meta.json is not for this key")
    if not any(m.name in (CONTENT, f"./{CONTENT}") for m in members):
        raise RemoteError(f"it has no {CONTENT}")
    return members, meta


def _read_meta(archive: tarfile.TarFile, member: tarfile.TarInfo) -> dict[str, Any] | None:
    if member.size > MAX_META_BYTES:
        raise RemoteError(f"its meta.json is larger than {MAX_META_BYTES} bytes")
    handle = archive.extractfile(member)
    if handle is None:
        return None
    try:
        found = json.loads(handle.read(MAX_META_BYTES).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return found if isinstance(found, dict) else None


def _part(member: tarfile.TarInfo) -> str:
    parts = Path(member.name).parts
    return parts[1] if parts and parts[0] == "." and len(parts) > 1 else (
        parts[0] if parts else "")


def check_member(member: tarfile.TarInfo) -> None:
    """Regular files, folders and links that stay inside the entry; nothing else."""
    parts = Path(member.name).parts
    if member.name.startswith("/") or ".." in parts:
        raise RemoteError(f"unsafe path {member.name!r}")
    if member.issym():
        target = Path(member.name).parent / member.linkname
        if member.linkname.startswith("/") or ".." in Path(os.path.normpath(target)).parts:
            raise RemoteError(f"link {member.name!r} leaves the entry")
    elif not (member.isreg() or member.isdir()):
        raise RemoteError(f"unexpected member {member.name!r}")
    member.mode = (member.mode or 0o644) & 0o755
    member.uid = member.gid = 0
    member.uname = member.gname = ""
