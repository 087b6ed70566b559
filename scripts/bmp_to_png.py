#!/usr/bin/env python3
"""Converts an uncompressed 24- or 32-bit BMP (as written by SDL_SaveBMP, e.g.
`ipsim viz --headless` frames and screenshots) to a PNG, with the Python
standard library only. Used for docs/img/; ImageMagick's convert does the same.

Usage: scripts/bmp_to_png.py IN.bmp OUT.png
"""
import struct
import sys
import zlib


def read_bmp(path):
    data = open(path, "rb").read()
    if data[:2] != b"BM":
        sys.exit(f"{path}: not a BMP file")
    offset = struct.unpack_from("<I", data, 10)[0]
    width, height = struct.unpack_from("<ii", data, 18)
    bpp = struct.unpack_from("<H", data, 28)[0]
    compression = struct.unpack_from("<I", data, 30)[0]
    if bpp not in (24, 32) or compression not in (0, 3):
        sys.exit(f"{path}: {bpp}-bit BMP with compression {compression} is not supported")
    step = bpp // 8
    row_size = (width * step + 3) & ~3
    bottom_up = height > 0
    height = abs(height)
    rows = []
    for y in range(height):
        src = height - 1 - y if bottom_up else y
        raw = data[offset + src * row_size: offset + src * row_size + width * step]
        rgb = bytearray(width * 3)
        rgb[0::3] = raw[2::step]  # BMP stores blue, green, red
        rgb[1::3] = raw[1::step]
        rgb[2::3] = raw[0::step]
        rows.append(bytes(rgb))
    return width, height, rows


def write_png(path, width, height, rows):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    write_png(sys.argv[2], *read_bmp(sys.argv[1]))
