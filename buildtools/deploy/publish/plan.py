"""What an incremental publish to object storage sends and deletes: pure logic, no network.

Each file of the artifact becomes an object with its Content-Type and the Cache-Control that
the artifact's `_headers` file gives it. An object is sent when the bucket lacks it, or its
content or headers differ from what the bucket holds (known from the listing's ETag and the
record of the last publish from this machine). Objects under the prefix that the artifact no
longer has are deleted only when the record says an earlier publish of this project sent them
(a bucket is often shared: what another team or a person put there is never ours to delete),
and even then not content-hashed build files (an open page of an earlier deploy still loads
them) nor keys under a prefix the caller keeps (offloaded assets).
`index.html` and `task_config.json` are sent last, so that no page names a file not yet there.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

LAST_FILES = ("index.html", "task_config.json")
HEADERS_FILE = "_headers"  # read for the cache policy, not published
DEFAULT_CACHE_CONTROL = "no-cache"


@dataclass(frozen=True)
class LocalObject:
    key: str
    path: Path
    md5: str
    size: int
    content_type: str
    cache_control: str

    def headers(self) -> dict[str, str]:
        return {"content_type": self.content_type, "cache_control": self.cache_control}


@dataclass(frozen=True)
class RemoteObject:
    key: str
    etag: str  # without quotes
    size: int


@dataclass
class Plan:
    send: list[LocalObject] = field(default_factory=list)  # in order: the last files last
    verify: list[LocalObject] = field(default_factory=list)  # same bytes, headers unknown
    unchanged: list[LocalObject] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    kept_hashed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # not ours: left alone


def parse_headers_file(text: str) -> list[tuple[str, dict[str, str]]]:
    """The rules of a Netlify/Cloudflare `_headers` file: (path pattern, {header: value})."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), {}))
        elif rules and ":" in line:
            name, value = line.split(":", 1)
            rules[-1][1][name.strip()] = value.strip()
    return rules


def headers_for(url_path: str, rules: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """The headers of every rule matching `url_path`, later rules winning."""
    merged: dict[str, str] = {}
    for pattern, headers in rules:
        wildcard = pattern.endswith("*") and url_path.startswith(pattern[:-1])
        if pattern == url_path or wildcard:
            merged.update(headers)
    return merged


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def published_files(
    public: Path, skip: Iterable[str] = (), files: Mapping[str, Path] | None = None
) -> dict[str, Path]:
    """Relative path -> file of what a publish sends: `files` or the files of `public`, without
    the `_headers` file and `skip`."""
    left_out = {HEADERS_FILE, *skip}
    if files is None:
        files = {}
        for current, _dirs, names in os.walk(public):
            for name in names:
                path = Path(current) / name
                files[path.relative_to(public).as_posix()] = path
    return {relative: path for relative, path in files.items() if relative not in left_out}


def drift(
    files: Mapping[str, Path],
    remote: Mapping[str, RemoteObject],
    record: Mapping[str, Mapping[str, str]],
    prefix: str,
) -> str:
    """Why the bucket no longer holds what the last publish sent ("" when it does): an object
    deleted or replaced by hand."""
    missing: list[str] = []
    changed: list[str] = []
    for relative, path in sorted(files.items()):
        there = remote.get(prefix + relative)
        if there is None:
            missing.append(prefix + relative)
        elif there.size != path.stat().st_size or (
            record.get(prefix + relative, {}).get("etag", there.etag) != there.etag
        ):
            changed.append(prefix + relative)
    if missing:
        return f"the bucket lacks {len(missing)} object(s) it was sent: {_some(missing)}"
    if changed:
        return f"{len(changed)} object(s) were changed in the bucket: {_some(changed)}"
    return ""


def _some(keys: list[str]) -> str:
    return ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")


def local_objects(
    public: Path,
    prefix: str,
    mime_type: Callable[[str], str],
    skip: Iterable[str] = (),
    *,
    files: Mapping[str, Path] | None = None,
    default_cache: str = DEFAULT_CACHE_CONTROL,
) -> list[LocalObject]:
    """The objects for the files of `public` (or the relative path -> file mapping `files`),
    sorted; the `_headers` file and `skip` left out."""
    headers_path = public / HEADERS_FILE
    rules = parse_headers_file(headers_path.read_text("utf-8")) if headers_path.is_file() else []
    found: list[LocalObject] = []
    for relative, path in published_files(public, skip, files).items():
        cache = headers_for("/" + relative, rules).get("Cache-Control", default_cache)
        found.append(LocalObject(
            key=prefix + relative, path=path, md5=file_md5(path), size=path.stat().st_size,
            content_type=mime_type(relative), cache_control=cache,
        ))
    return sorted(found, key=lambda item: item.key)


def in_sending_order(items: Iterable[LocalObject], prefix: str) -> list[LocalObject]:
    """Sorted by key, with index.html and task_config.json (of the prefix) last."""

    def rank(item: LocalObject) -> tuple[int, str]:
        relative = item.key[len(prefix):]
        return (LAST_FILES.index(relative) + 1 if relative in LAST_FILES else 0, item.key)

    return sorted(items, key=rank)


def plan_publish(
    local: list[LocalObject],
    remote: Mapping[str, RemoteObject],
    record: Mapping[str, Mapping[str, str]],
    *,
    prefix: str,
    is_hashed: Callable[[str], bool],
    keep_prefixes: Iterable[str] = (),
) -> Plan:
    """Compare the artifact with the bucket (and the record of what this project sent: the
    only objects it may delete)."""
    plan = Plan()
    for item in local:
        state = _compare(item, remote.get(item.key), record.get(item.key, {}))
        if state == "same":
            plan.unchanged.append(item)
        elif state == "verify":
            plan.verify.append(item)
        else:
            plan.send.append(item)
    plan.send = in_sending_order(plan.send, prefix)
    wanted = {item.key for item in local}
    keep = tuple(keep_prefixes)
    for key in sorted(remote):
        if key in wanted or not key.startswith(prefix) or key.startswith(keep):
            continue
        if key not in record:
            plan.foreign.append(key)
        elif is_hashed(key[len(prefix):]):
            plan.kept_hashed.append(key)
        else:
            plan.delete.append(key)
    return plan


def _compare(item: LocalObject, there: RemoteObject | None, sent: Mapping[str, str]) -> str:
    """"send", "same", or "verify" (the bucket has these bytes, but not from our last publish,
    so its headers are unknown)."""
    if there is None or there.size != item.size:
        return "send"
    if sent.get("etag") == there.etag and sent.get("md5") == item.md5:
        same_headers = all(sent.get(name) == value for name, value in item.headers().items())
        return "same" if same_headers else "send"
    # an ETag is the MD5 of the content for objects sent whole (not multipart, not SSE-KMS)
    return "verify" if there.etag == item.md5 else "send"
