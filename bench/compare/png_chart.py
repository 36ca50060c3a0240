"""A grouped bar chart written as a PNG with zlib + struct only (matplotlib is not installed here).

    write_bar_chart(path, title, groups=["35 tokens", "128 tokens"], series=[("PyTorch", [39.1, 90.2]), ...],
                    unit="ms")

Bars are labelled with their values; text uses a built-in 5x7 pixel font (upper case, digits, a few signs),
drawn at 2x scale.
"""

import struct
import zlib

# 5x7 glyphs: 7 rows of 5 bits, most significant bit = leftmost pixel.
_FONT = {
    "A": "0E 11 11 1F 11 11 11", "B": "1E 11 11 1E 11 11 1E", "C": "0E 11 10 10 10 11 0E",
    "D": "1E 11 11 11 11 11 1E", "E": "1F 10 10 1E 10 10 1F", "F": "1F 10 10 1E 10 10 10",
    "G": "0E 11 10 17 11 11 0F", "H": "11 11 11 1F 11 11 11", "I": "0E 04 04 04 04 04 0E",
    "J": "07 02 02 02 02 12 0C", "K": "11 12 14 18 14 12 11", "L": "10 10 10 10 10 10 1F",
    "M": "11 1B 15 15 11 11 11", "N": "11 11 19 15 13 11 11", "O": "0E 11 11 11 11 11 0E",
    "P": "1E 11 11 1E 10 10 10", "Q": "0E 11 11 11 15 12 0D", "R": "1E 11 11 1E 14 12 11",
    "S": "0F 10 10 0E 01 01 1E", "T": "1F 04 04 04 04 04 04", "U": "11 11 11 11 11 11 0E",
    "V": "11 11 11 11 11 0A 04", "W": "11 11 11 15 15 15 0A", "X": "11 11 0A 04 0A 11 11",
    "Y": "11 11 0A 04 04 04 04", "Z": "1F 01 02 04 08 10 1F",
    "0": "0E 11 13 15 19 11 0E", "1": "04 0C 04 04 04 04 0E", "2": "0E 11 01 02 04 08 1F",
    "3": "1F 02 04 02 01 11 0E", "4": "02 06 0A 12 1F 02 02", "5": "1F 10 1E 01 01 11 0E",
    "6": "06 08 10 1E 11 11 0E", "7": "1F 01 02 04 08 08 08", "8": "0E 11 11 0E 11 11 0E",
    "9": "0E 11 11 0F 01 02 0C", " ": "00 00 00 00 00 00 00", ".": "00 00 00 00 00 0C 0C",
    ",": "00 00 00 00 0C 04 08", ":": "00 0C 0C 00 0C 0C 00", "-": "00 00 00 1F 00 00 00",
    "(": "02 04 08 08 08 04 02", ")": "08 04 02 02 02 04 08", "%": "18 19 02 04 08 13 03",
    "/": "00 01 02 04 08 10 00", "=": "00 00 1F 00 1F 00 00", "+": "00 04 04 1F 04 04 00",
    "_": "00 00 00 00 00 00 1F", "X2": "00 00 11 0A 04 0A 11",
}
_PALETTE = [(0xE0, 0x6C, 0x3C), (0x3C, 0x78, 0xD8), (0x2E, 0xA0, 0x5A), (0x8E, 0x44, 0xAD), (0x99, 0x99, 0x99),
            (0xD4, 0xA0, 0x17), (0x1A, 0xA5, 0xB0), (0xC2, 0x3B, 0x6E)]


class _Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray([255] * (w * h * 3))

    def rect(self, x0, y0, x1, y1, color):
        x0, x1 = max(0, min(x0, x1)), min(self.w, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.h, max(y0, y1))
        row = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            i = (y * self.w + x0) * 3
            self.px[i:i + len(row)] = row

    def text(self, x, y, s, color=(0, 0, 0), scale=2):
        for ch in s.upper():
            glyph = _FONT.get(ch, _FONT[" "])
            for r, bits in enumerate(glyph.split()):
                v = int(bits, 16)
                for c in range(5):
                    if v & (0x10 >> c):
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale, y + (r + 1) * scale, color)
            x += 6 * scale

    def png(self):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3]) for y in range(self.h))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def text_width(s, scale=2):
    return len(s) * 6 * scale


def write_bar_chart(path, title, groups, series, unit):
    """groups: x-axis group names; series: [(name, [value per group or None])]. Writes an RGB PNG to path."""
    bar_w, gap, group_gap = 56, 8, 60
    n = len(series)
    group_w = n * bar_w + (n - 1) * gap
    left, top, bottom = 80, 70, 60
    plot_h = 320
    legend_h = 30 * ((n + 1) // 2)
    w = left + len(groups) * group_w + (len(groups) - 1) * group_gap + 60
    w = max(w, 560, left + text_width(title) + 40, left + 540)
    h = top + plot_h + bottom + legend_h
    c = _Canvas(w, h)
    c.text(left, 20, title, scale=2)
    vmax = max([v for _, vals in series for v in vals if v is not None] or [1.0])
    base = top + plot_h
    c.rect(left - 2, top, left, base + 1, (0, 0, 0))
    c.rect(left - 2, base, w - 40, base + 2, (0, 0, 0))
    c.text(8, top - 4, unit, scale=2)
    for gi, gname in enumerate(groups):
        gx = left + 20 + gi * (group_w + group_gap)
        for si, (sname, vals) in enumerate(series):
            v = vals[gi]
            if v is None:
                continue
            x = gx + si * (bar_w + gap)
            bh = int(round(plot_h * 0.9 * v / vmax))
            c.rect(x, base - bh, x + bar_w, base, _PALETTE[si % len(_PALETTE)])
            label = f"{v:.1f}" if v < 100 else f"{v:.0f}"
            c.text(x + (bar_w - text_width(label)) // 2, base - bh - 18, label, scale=2)
        c.text(gx + (group_w - text_width(gname)) // 2, base + 14, gname, scale=2)
    ly = base + bottom
    for si, (sname, _) in enumerate(series):
        lx = left + (si % 2) * 260
        y = ly + (si // 2) * 30
        c.rect(lx, y, lx + 18, y + 14, _PALETTE[si % len(_PALETTE)])
        c.text(lx + 26, y, sname, scale=2)
    with open(path, "wb") as f:
        f.write(c.png())
