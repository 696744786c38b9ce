"""Embed mode: real PNG, JPEG, SVG and MP3 files through data URIs, the size limit, stripping."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools.assets.embed import (
    data_uri,
    decode_data_uri,
    embed_folder,
    key_name,
    sniff_mime,
    strip_embedded,
)
from buildtools.errors import UserError
from support.media import jpeg_bytes, mp3_bytes, png_bytes

Bytes = Callable[..., bytes]


def test_embed_folder_round_trips_with_real_mime_types(media: Path) -> None:
    entries = embed_folder(media)
    assert sorted(entries) == [
        "TestImg_data",
        "TestImg_name",
        "_1_beep_data",
        "_1_beep_name",
        "cat_photo_data",
        "cat_photo_name",
        "diagram_data",
        "diagram_name",
    ]
    expected = {
        "TestImg": ("TestImg.png", "image/png"),
        "cat_photo": ("cat photo.jpg", "image/jpeg"),
        "diagram": ("diagram.svg", "image/svg+xml"),
        "_1_beep": ("1-beep.mp3", "audio/mpeg"),
    }
    for name, (filename, mime) in expected.items():
        assert entries[f"{name}_name"] == filename
        assert entries[f"{name}_data"].startswith(f"data:{mime};base64,")
        assert decode_data_uri(entries[f"{name}_data"]) == (mime, (media / filename).read_bytes())


def test_content_wins_over_the_extension(tmp_path: Path) -> None:
    misnamed = tmp_path / "photo.jpg"
    misnamed.write_bytes(png_bytes())
    assert data_uri(misnamed).startswith("data:image/png;base64,")
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello")
    assert data_uri(unknown) == "data:text/plain;base64," + base64.b64encode(b"hello").decode()
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00\x01")
    assert data_uri(blob).startswith("data:application/octet-stream;base64,")


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"\x00\x00\x00\x18ftypM4A ", "audio/mp4"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"\xff\xf1\x50\x80", "audio/aac"),
        (b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
        (b"<!-- drawn by hand -->\n<svg/>", "image/svg+xml"),
    ],
)
def test_sniffing(head: bytes, mime: str) -> None:
    assert sniff_mime(head, "whatever.dat") == mime


def test_large_files_are_encoded_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "big.mp3"
    payload = mp3_bytes(1) + bytes(range(256)) * 6200  # not a multiple of the chunk size
    path.write_bytes(payload)
    mime, data = decode_data_uri(data_uri(path, max_bytes=len(payload)))
    assert (mime, data) == ("audio/mpeg", payload)


def test_a_file_over_the_limit_is_refused_by_name(media: Path) -> None:
    size = (media / "1-beep.mp3").stat().st_size
    with pytest.raises(UserError) as info:
        embed_folder(media, max_bytes=1000)
    assert str(info.value) == (
        f"cannot embed {media / '1-beep.mp3'}: {size:,} bytes is over the limit of 1,000 bytes; "
        "host it by upload (extra_source_dir) instead, or raise max_bytes"
    )


def test_two_files_with_one_key_and_secrets_are_refused(tmp_path: Path) -> None:
    (tmp_path / "cat.png").write_bytes(png_bytes())
    (tmp_path / "cat.jpg").write_bytes(jpeg_bytes())
    with pytest.raises(UserError) as info:
        embed_folder(tmp_path)
    assert str(info.value) == (
        f"cannot embed {tmp_path}: cat.jpg and cat.png both give the key 'cat'; rename one of them"
    )
    other = tmp_path / "other"
    other.mkdir()
    (other / "server.pem").write_text("-----BEGIN")
    with pytest.raises(UserError, match="looks like a secret"):
        embed_folder(other)


def test_key_names() -> None:
    assert key_name("TestImg.png") == "TestImg"
    assert key_name("my photo (1).final.JPG") == "my_photo__1__final"
    assert key_name("2024.png") == "_2024"
    assert key_name("été.png") == "_t_"


def test_strip_embedded_keeps_names_and_other_data(media: Path) -> None:
    entries = embed_folder(media)
    saved = {
        "task_data": {**entries, "answer_data": "a worker's text"},
        "units": [{"TestImg_data": entries["TestImg_data"], "TestImg_name": "TestImg.png"}],
        "count": 3,
    }
    stripped = strip_embedded(saved)
    assert stripped == {
        "task_data": {
            "TestImg_name": "TestImg.png",
            "_1_beep_name": "1-beep.mp3",
            "cat_photo_name": "cat photo.jpg",
            "diagram_name": "diagram.svg",
            "answer_data": "a worker's text",
        },
        "units": [{"TestImg_name": "TestImg.png"}],
        "count": 3,
    }
    assert "TestImg_data" in saved["task_data"]  # the input is not changed


def test_the_example_in_docs_assets_runs(
    repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import buildtools.assets

    if not hasattr(buildtools.assets, "embed_folder"):
        pytest.skip("buildtools.assets does not re-export embed_folder yet")
    text = (repo_root / "docs" / "ASSETS.md").read_text()
    example = text.split("### Example (runnable as it is)")[1].split("```python\n")[1]
    code = example.split("```")[0]
    exec(compile(code, "docs/ASSETS.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "diagram.svg data:image/svg+xml;base64,"
    assert json.loads(printed[1]) == {
        "answer": "teal",
        "task_data": {
            "diagram_name": "diagram.svg",
            "notes_name": "notes.txt",
            "question": "Which colour is the rectangle?",
        },
    }
