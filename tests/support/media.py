"""Small valid media files made in memory: PNG, JPEG, MP3, SVG."""

from __future__ import annotations

import struct
import zlib

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="6">'
    b'<rect width="10" height="6" fill="green"/></svg>\n'
)


def png_bytes(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG made with zlib."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """A valid 8x8 grey baseline JPEG: one DC and one AC Huffman code, one block."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    quant = segment(0xDB, b"\x00" + b"\x01" * 64)
    frame = segment(0xC0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00")
    counts = b"\x01" + b"\x00" * 15
    dc_table = segment(0xC4, b"\x00" + counts + b"\x00")
    ac_table = segment(0xC4, b"\x10" + counts + b"\x00")  # the one symbol: EOB
    scan = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    entropy = b"\x3f"  # DC category 0 (bit 0), EOB (bit 0), padded with ones
    return b"\xff\xd8" + quant + frame + dc_table + ac_table + scan + entropy + b"\xff\xd9"


def mp3_bytes(frames: int = 40) -> bytes:
    """MPEG-1 layer III, 128 kbit/s, 44.1 kHz, mono: silent frames of 417 bytes (40 make one
    second)."""
    header = b"\xff\xfb\x90\xc4"
    return (header + b"\x00" * (417 - len(header))) * frames
