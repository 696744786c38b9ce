"""Embed mode: a folder of files becomes task_data entries holding data: URIs.

    >>> task_data = {"question": "What is shown?", **embed_folder(Path("assets"))}
    >>> task_data["TestImg_name"], task_data["TestImg_data"][:22]
    ('TestImg.png', 'data:image/png;base64,')

The MIME type comes from the file's first bytes (PNG, JPEG, GIF, WebP, SVG, MP3, WAV, OGG, MP4,
PDF), else from its extension. Files are encoded in chunks, never read whole into memory twice.
`strip_embedded` drops the heavy `*_data` URIs from saved task data and keeps the `*_name` keys.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any

from buildtools.assets.reencode import check_options, reencode
from buildtools.assets.upload import looks_secret
from buildtools.errors import UserError
from buildtools.util.mime import DEFAULT_MIME, MIME_TYPES

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
NAME_SUFFIX = "_name"
DATA_SUFFIX = "_data"
_CHUNK = 3 * 256 * 1024  # a multiple of 3: each chunk encodes without padding
_SNIFF_BYTES = 1024


def sniff_mime(head: bytes, filename: str = "") -> str:
    """The MIME type of a file from its first bytes, else from its extension."""
    sniffed = _sniff(head)
    if sniffed:
        return sniffed
    ext = Path(filename).suffix.lower()
    return MIME_TYPES.get(ext, DEFAULT_MIME).split(";")[0]


def _sniff(head: bytes) -> str:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:11] == b"M4A" else "video/mp4"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0b11
        if layer == 0b00:
            return "audio/aac"  # ADTS
        return "audio/mpeg"  # MPEG audio layer I, II or III
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (text.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in text) or (
        text.startswith(b"<svg")
    ):
        return "image/svg+xml"
    return ""


def key_name(filename: str) -> str:
    """The `<name>` of a file: its stem as an identifier (other characters become _)."""
    name = re.sub(r"\W", "_", Path(filename).stem, flags=re.ASCII)
    if not name:
        name = "file"
    if name[0].isdigit():
        name = "_" + name
    return name


def _too_big(path: Path, size: int, max_bytes: int) -> UserError:
    return UserError(
        f"cannot embed {path}: {size:,} bytes is over the limit of {max_bytes:,} bytes; "
        "host it by upload (extra_source_dir) instead, or raise max_bytes"
    )


def data_uri(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """`data:<mime>;base64,...` for one file, encoded in chunks; refuses files over max_bytes."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"cannot embed {path}: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise _too_big(path, size, max_bytes)
    pieces: list[str] = []
    total = 0
    with path.open("rb") as handle:
        chunk = handle.read(_CHUNK)
        mime = sniff_mime(chunk[:_SNIFF_BYTES], path.name)
        pieces.append(f"data:{mime};base64,")
        while chunk:
            total += len(chunk)
            if total > max_bytes:  # the file grew while we read it
                raise _too_big(path, total, max_bytes)
            pieces.append(base64.b64encode(chunk).decode("ascii"))
            chunk = handle.read(_CHUNK)
    return "".join(pieces)


def decode_data_uri(uri: str) -> tuple[str, bytes]:
    """(mime type, bytes) of a base64 data: URI, as made by `data_uri`."""
    match = re.match(r"data:([^;,]+);base64,", uri)
    if not match:
        raise ValueError("not a base64 data: URI")
    try:
        return match.group(1), base64.b64decode(uri[match.end() :], validate=True)
    except binascii.Error as exc:
        raise ValueError(f"bad base64 in data: URI: {exc}") from None


class Embedded(dict[str, str]):
    """The task_data entries of `embed_folder` (a dict), with `metadata`: for each `<name>`,
    the file, its bytes before and after re-encoding, and whether it was re-encoded."""

    metadata: dict[str, dict[str, object]]

    def __init__(self) -> None:
        super().__init__()
        self.metadata = {}


def embed_folder(
    folder: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    max_side: int | None = None,
    quality: int = 85,
    reencode_images: bool | None = None,
) -> Embedded:
    """task_data entries for the files directly in `folder` (sorted; dotfiles skipped):
    `{"<name>_name": "<file name>", "<name>_data": "data:<mime>;base64,..."}`.

    With `max_side` (or `reencode_images=True`), raster images are re-encoded with Pillow
    (scaled to fit `max_side`, JPEG/WebP at `quality`) when that makes them smaller; the bytes
    before and after are in the result's `metadata`.
    """
    shrink = max_side is not None if reencode_images is None else reencode_images
    if shrink:
        check_options(max_side, quality)
    if not folder.is_dir():
        raise UserError(f"cannot embed {folder}: no such folder")
    root = folder.resolve()
    entries = Embedded()
    owners: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if looks_secret(path.name):
            raise UserError(f"cannot embed {path}: it looks like a secret; move it out of {folder}")
        if path.is_symlink() and root not in path.resolve().parents:
            raise UserError(f"cannot embed {path}: a symlink to a file outside {folder}")
        if not path.is_file():
            continue
        name = key_name(path.name)
        if name in owners:
            raise UserError(
                f"cannot embed {folder}: {owners[name]} and {path.name} both give the key "
                f"'{name}'; rename one of them"
            )
        owners[name] = path.name
        entries[name + NAME_SUFFIX] = path.name
        entries[name + DATA_SUFFIX], entries.metadata[name] = _encoded(
            path, max_bytes, max_side if shrink else None, quality, shrink)
    return entries


def _encoded(path: Path, max_bytes: int, max_side: int | None, quality: int,
             shrink: bool) -> tuple[str, dict[str, object]]:
    before = path.stat().st_size
    smaller = None
    if shrink:
        smaller = reencode(path, max_side, quality)
    if smaller is None or len(smaller.data) >= before:
        uri = data_uri(path, max_bytes)
        return uri, {"file": path.name, "bytes_before": before, "bytes_after": before,
                     "reencoded": False}
    if len(smaller.data) > max_bytes:
        raise _too_big(path, len(smaller.data), max_bytes)
    encoded = base64.b64encode(smaller.data).decode("ascii")
    return f"data:{smaller.mime};base64,{encoded}", {
        "file": path.name, "bytes_before": before, "bytes_after": len(smaller.data),
        "reencoded": True, "width": smaller.width, "height": smaller.height}


def strip_embedded(task_data: dict[str, Any]) -> dict[str, Any]:
    """A copy of task_data without the `*_data` keys that hold data: URIs, at any depth.

    The `*_name` keys stay, so saved results still say which file was shown. Other `*_data`
    values (not data: URIs, e.g. a worker's answer) are kept.
    """
    stripped = _strip(task_data)
    assert isinstance(stripped, dict)
    return stripped


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _strip(item)
            for key, item in value.items()
            if not (
                isinstance(key, str)
                and key.endswith(DATA_SUFFIX)
                and isinstance(item, str)
                and item.startswith("data:")
            )
        }
    if isinstance(value, list):
        return [_strip(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_strip(item) for item in value)
    return value
