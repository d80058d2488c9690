#!/usr/bin/env python3
"""Regenerate the cudacell kernelspec logos: logo-svg.svg, logo-32x32.png and
logo-64x64.png. Standard library only (zlib, struct): the shapes are
rasterized here with 4x4 supersampling, so the PNGs match the SVG.

Design (64-unit canvas): a green rounded square, a white chip with three
pins per side, and a green "C" ring opening to the right.

Usage: python3 share/kernelspec/make_logos.py   (writes next to this file)
"""
import math
import os
import struct
import zlib

GREEN = (0x76, 0xB9, 0x00)
WHITE = (0xFF, 0xFF, 0xFF)

BG = (0, 0, 64, 64, 12)           # x0, y0, x1, y1, corner radius
CHIP = (16, 16, 48, 48, 4)
PIN_CENTERS = (24, 32, 40)
PIN_HALF = 2                      # pins are 4 units wide
PIN_REACH = 7                     # and reach 7 units out of the chip
RING = (32, 32, 10, 6, 45)        # cx, cy, outer r, inner r, half opening (deg)


def pins():
    """The pins as plain rectangles (x0, y0, x1, y1)."""
    out = []
    for c in PIN_CENTERS:
        a, b = c - PIN_HALF, c + PIN_HALF
        out.append((a, CHIP[1] - PIN_REACH, b, CHIP[1]))       # top
        out.append((a, CHIP[3], b, CHIP[3] + PIN_REACH))       # bottom
        out.append((CHIP[0] - PIN_REACH, a, CHIP[0], b))       # left
        out.append((CHIP[2], a, CHIP[2] + PIN_REACH, b))       # right
    return out


def in_rrect(x, y, r):
    x0, y0, x1, y1, rad = r
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + rad), x1 - rad)
    cy = min(max(y, y0 + rad), y1 - rad)
    return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad


def in_ring(x, y):
    cx, cy, ro, ri, gap = RING
    d2 = (x - cx) ** 2 + (y - cy) ** 2
    if not (ri * ri <= d2 <= ro * ro):
        return False
    ang = math.degrees(math.atan2(y - cy, x - cx))
    return abs(ang) >= gap


PINS = pins()


def color_at(x, y):
    """RGBA of the topmost shape at canvas point (x, y), or None."""
    if in_ring(x, y):
        return GREEN
    if in_rrect(x, y, CHIP) or any(a <= x <= c and b <= y <= d for a, b, c, d in PINS):
        return WHITE
    if in_rrect(x, y, BG):
        return GREEN
    return None


def render(size, ss=4):
    scale = 64.0 / size
    rows = []
    for py in range(size):
        row = bytearray([0])                     # PNG filter type 0
        for px in range(size):
            acc = [0, 0, 0]
            hits = 0
            for sy in range(ss):
                for sx in range(ss):
                    c = color_at((px + (sx + 0.5) / ss) * scale,
                                 (py + (sy + 0.5) / ss) * scale)
                    if c:
                        hits += 1
                        for i in range(3):
                            acc[i] += c[i]
            if hits:
                row += bytes([round(acc[0] / hits), round(acc[1] / hits),
                              round(acc[2] / hits), round(255 * hits / (ss * ss))])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return b"".join(rows)


def png(size):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)   # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(render(size), 9)) + chunk(b"IEND", b""))


def svg():
    hexc = lambda c: "#%02x%02x%02x" % c
    x0, y0, x1, y1, r = BG
    cx0, cy0, cx1, cy1, cr = CHIP
    cx, cy, ro, ri, gap = RING
    g = math.radians(gap)
    # The ring as a path: outer arc the long way round, then inner arc back.
    ox1, oy1 = cx + ro * math.cos(g), cy + ro * math.sin(g)
    ox2, oy2 = cx + ro * math.cos(-g), cy + ro * math.sin(-g)
    ix1, iy1 = cx + ri * math.cos(-g), cy + ri * math.sin(-g)
    ix2, iy2 = cx + ri * math.cos(g), cy + ri * math.sin(g)
    f = lambda v: ("%.3f" % v).rstrip("0").rstrip(".")
    ring = ("M%s %s A%s %s 0 1 1 %s %s L%s %s A%s %s 0 1 0 %s %s Z" %
            (f(ox1), f(oy1), ro, ro, f(ox2), f(oy2), f(ix1), f(iy1), ri, ri, f(ix2), f(iy2)))
    pin_rects = "\n".join(
        '    <rect x="%d" y="%d" width="%d" height="%d"/>' % (a, b, c - a, d - b)
        for a, b, c, d in PINS)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <title>cudacell: C / CUDA</title>
  <rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="{r}" fill="{hexc(GREEN)}"/>
  <g fill="{hexc(WHITE)}">
    <rect x="{cx0}" y="{cy0}" width="{cx1 - cx0}" height="{cy1 - cy0}" rx="{cr}"/>
{pin_rects}
  </g>
  <path d="{ring}" fill="{hexc(GREEN)}"/>
</svg>
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for size in (32, 64):
        with open(os.path.join(here, "logo-%dx%d.png" % (size, size)), "wb") as fh:
            fh.write(png(size))
    with open(os.path.join(here, "logo-svg.svg"), "w") as fh:
        fh.write(svg())


if __name__ == "__main__":
    main()
