"""embed_folder(max_side=, quality=): real images re-encoded with Pillow, round-tripped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from buildtools.assets import decode_data_uri, embed_folder
from buildtools.errors import UserError


def _photo(width: int, height: int) -> Image.Image:
    """Gradients and noise: compresses like a photo, not like a flat colour."""
    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))
    return Image.merge("RGB", (across, down, Image.effect_noise((width, height), 40)))


def _save(image: Image.Image, path: Path, **options: object) -> Path:
    image.save(path, **options)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _save(_photo(1600, 900), tmp_path / "wide.jpg", quality=95)
    _save(_photo(300, 1200), tmp_path / "tall.png")
    _save(_photo(200, 100), tmp_path / "small.webp", quality=95)
    (tmp_path / "icon.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    (tmp_path / "beep.mp3").write_bytes(b"ID3" + bytes(64))
    return tmp_path


def _decoded(uri: str) -> tuple[str, Image.Image, int]:
    mime, data = decode_data_uri(uri)
    image = Image.open(io.BytesIO(data))
    image.load()
    return mime, image, len(data)


def test_images_shrink_keep_their_aspect_and_say_their_sizes(folder: Path) -> None:
    entries = embed_folder(folder, max_side=512, quality=80)
    for name, (width, height) in {"wide": (1600, 900), "tall": (300, 1200),
                                  "small": (200, 100)}.items():
        mime, image, size = _decoded(entries[f"{name}_data"])
        before = (folder / entries[f"{name}_name"]).stat().st_size
        meta = entries.metadata[name]
        assert meta["bytes_before"] == before and meta["bytes_after"] == size
        assert size <= before, name
        assert max(image.size) <= 512
        assert abs(image.size[0] / image.size[1] - width / height) < 0.02, name
        assert mime == {"wide": "image/jpeg", "tall": "image/png", "small": "image/webp"}[name]
    assert entries.metadata["wide"]["reencoded"] is True
    assert entries.metadata["wide"]["bytes_after"] < entries.metadata["wide"]["bytes_before"] / 2
    assert _decoded(entries["small_data"])[1].size == (200, 100)  # never scaled up


def test_svg_audio_and_the_unreadable_pass_through(folder: Path) -> None:
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    entries = embed_folder(folder, max_side=64)
    for name, file in (("icon", "icon.svg"), ("beep", "beep.mp3"), ("broken", "broken.png")):
        assert entries.metadata[name]["reencoded"] is False
        assert decode_data_uri(entries[f"{name}_data"])[1] == (folder / file).read_bytes()


def test_without_options_nothing_is_reencoded(folder: Path) -> None:
    entries = embed_folder(folder)
    assert all(meta["reencoded"] is False for meta in entries.metadata.values())
    assert decode_data_uri(entries["wide_data"])[1] == (folder / "wide.jpg").read_bytes()
    assert {**entries}["wide_name"] == "wide.jpg"  # still a plain dict for task_data


def test_an_exif_rotated_photo_keeps_the_shape_it_is_shown_with(tmp_path: Path) -> None:
    image = _photo(400, 200)
    exif = image.getexif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees when shown
    image.save(tmp_path / "rotated.jpg", quality=95, exif=exif.tobytes())
    _mime, shrunk, _size = _decoded(embed_folder(tmp_path, max_side=100)["rotated_data"])
    assert shrunk.size == (50, 100)


@pytest.mark.parametrize(("options", "message"), [
    ({"max_side": 0}, "max_side must be a positive whole number, got 0"),
    ({"max_side": 100, "quality": 0}, "quality must be a whole number from 1 to 95, got 0"),
    ({"max_side": 100, "quality": 100}, "quality must be a whole number from 1 to 95, got 100"),
])
def test_bad_options_are_one_clear_error(folder: Path, options: dict[str, int],
                                         message: str) -> None:
    with pytest.raises(UserError, match=message):
        embed_folder(folder, **options)  # type: ignore[arg-type]
