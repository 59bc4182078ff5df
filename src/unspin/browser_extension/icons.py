"""The extension's toolbar icons, drawn here as PNGs (no image library, no binary files kept).

A dark rounded square holding three lines of text, the middle one under a highlighter band:
unspin marks the words on the page. :func:`png` draws one size; ``SIZES`` are the ones the
manifest names.

>>> data = png(16)
>>> data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", len(data) < 20_000
(True, True)
"""

from __future__ import annotations

import struct
import zlib
from functools import cache

__all__ = ["SIZES", "png", "path"]

SIZES = (16, 32, 48, 128)

INK = (0x1D, 0x23, 0x30)  # the panel's text colour, as the square
PAPER = (0xF4, 0xF6, 0xFA)  # the lines of text
MARKER = (0xF5, 0xB8, 0x3D)  # the highlighter band
SAMPLES = 4  # per pixel side: 16 samples smooth the edges

# shapes in a unit square, drawn in order: (x0, y0, x1, y1, colour)
_SHAPES = (
    (0.20, 0.25, 0.80, 0.35, PAPER),
    (0.12, 0.42, 0.88, 0.62, MARKER),
    (0.20, 0.475, 0.74, 0.565, INK),
    (0.20, 0.69, 0.62, 0.79, PAPER),
)
_RADIUS = 0.22


def path(size: int) -> str:
    """Where the manifest finds the icon of ``size`` pixels."""
    return f"icons/icon{size}.png"


def _inside_square(x: float, y: float) -> bool:
    r = _RADIUS
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _colour(x: float, y: float) -> tuple[int, int, int] | None:
    if not _inside_square(x, y):
        return None
    colour = INK
    for x0, y0, x1, y1, c in _SHAPES:
        if x0 <= x < x1 and y0 <= y < y1:
            colour = c
    return colour


@cache
def png(size: int) -> bytes:
    """The icon as PNG bytes, ``size`` x ``size`` RGBA."""
    if not 1 <= size <= 512:
        raise ValueError(f"icon size {size} is not between 1 and 512")
    step = 1 / (size * SAMPLES)
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter: none
        for px in range(size):
            r = g = b = n = 0
            for sy in range(SAMPLES):
                y = (py * SAMPLES + sy + 0.5) * step
                for sx in range(SAMPLES):
                    c = _colour((px * SAMPLES + sx + 0.5) * step, y)
                    if c is not None:
                        r, g, b, n = r + c[0], g + c[1], b + c[2], n + 1
            if n:
                rows += bytes((round(r / n), round(g / n), round(b / n),
                               round(255 * n / SAMPLES ** 2)))
            else:
                rows += b"\0\0\0\0"

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))
