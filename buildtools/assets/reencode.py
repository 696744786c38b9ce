"""Smaller embeds: raster images re-encoded with Pillow before they become data: URIs.

An image larger than `max_side` on its longer side is scaled down (aspect kept, EXIF rotation
applied first); JPEG and WebP are written again at `quality`, PNG, GIF and BMP as optimised PNG.
The result is used only when it is smaller than the file; SVG, audio, animations and anything
Pillow cannot read pass through unchanged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from buildtools.errors import UserError

INSTALL_HINT = "pip install 'buildtools[images]'"
# Pillow format -> (format written, MIME type written, whether `quality` applies)
_OUTPUT = {
    "JPEG": ("JPEG", "image/jpeg", True),
    "WEBP": ("WEBP", "image/webp", True),
    "PNG": ("PNG", "image/png", False),
    "GIF": ("PNG", "image/png", False),
    "BMP": ("PNG", "image/png", False),
}


@dataclass(frozen=True)
class Reencoded:
    data: bytes
    mime: str
    width: int
    height: int


def check_options(max_side: int | None, quality: int) -> None:
    if max_side is not None and (isinstance(max_side, bool) or not isinstance(max_side, int)
                                 or max_side < 1):
        raise UserError(
            f"embed_folder: max_side must be a positive whole number, got {max_side!r}"
        )
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 95:
        raise UserError(
            f"embed_folder: quality must be a whole number from 1 to 95, got {quality!r}"
        )
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise UserError(f"embed_folder: re-encoding images needs Pillow; {INSTALL_HINT}") from None


def reencode(path: Path, max_side: int | None, quality: int) -> Reencoded | None:
    """The image made smaller, or None when it is not a raster image worth re-encoding."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            source_format = opened.format or ""
            if source_format not in _OUTPUT or getattr(opened, "n_frames", 1) > 1:
                return None
            image = ImageOps.exif_transpose(opened) or opened
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    if max_side is not None and max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    output, mime, lossy = _OUTPUT[source_format]
    if output == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if output == "PNG" and image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    options: dict[str, object] = {"optimize": True}
    if lossy:
        options["quality"] = quality
    image.save(buffer, format=output, **options)
    return Reencoded(buffer.getvalue(), mime, image.size[0], image.size[1])
