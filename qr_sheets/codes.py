"""One QR code: its module matrix (from `qrcode`), its dark row runs, and three ways to draw it.

Every code here is error correction level M with a quiet zone of four modules. The matrix comes
from `qrcode.QRCode.get_matrix()`; the dark modules of each row are merged into horizontal runs,
and a code is drawn as ONE filled path made of those runs (PDF and SVG alike), so there are no
raster images and no hairline seams between neighbouring modules.

Choosing the mask is the slow part of `qrcode` (it builds the symbol eight times and scores each
in pure Python, about 5 ms a code). `best_mask()` reaches the same choice from a single build:
the data modules of every masked variant are the data of mask 0 XOR-ed with two mask patterns,
scored with the same penalty rules as `qrcode.util.lost_point` on integer bit planes. The tests
check it picks the mask `qrcode` picks, and the final symbol is still built by `qrcode` itself.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from qrcode.util import pattern_position
from reportlab.pdfgen.canvas import FILL_NON_ZERO
from reportlab.pdfgen.pathobject import PDFPathObject

QUIET_ZONE = 4
"""Light modules around the symbol, as the standard asks."""

_DARK_RUN = re.compile(rb"\x01+")

_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i * j) % 3 + (i + j) % 2) % 2 == 0,
)
"""The eight mask conditions of ISO/IEC 18004 (i = row, j = column): where true, flip."""


def _qr(url: str, mask: int, border: int) -> qrcode.QRCode:
    if not isinstance(url, str) or not url:
        raise ValueError("a QR code needs a non-empty URL string")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, mask_pattern=mask)
    code.add_data(url)
    code.make(fit=True)
    return code


# --- choosing the mask -------------------------------------------------------------------------


_BITS = bytes.maketrans(b"\x00\x01", b"01")


def _plane(grid) -> int:
    """Rows, then columns, of a square boolean grid packed into one integer bit plane.

    Each line is followed by one unused bit, so no run or pattern reaches from one line into
    the next; the rows sit above the columns.
    """
    lines = [bytes(row) for row in grid] + [bytes(col) for col in zip(*grid, strict=True)]
    return int(b"".join(line + b"\x00" for line in lines).translate(_BITS), 2)


@lru_cache(maxsize=64)
def _regions(version: int) -> tuple[int, int, int, int, tuple[int, ...]]:
    """Bit planes (as `_plane` packs them) for one version: (valid, rows, patterns, data, masks).

    `valid` marks real modules (not the line separators), `rows` the row half of the plane;
    `patterns` are the finder, separator, timing and alignment modules (the same for every mask);
    `data` the modules a mask applies to; `masks[k]` the data modules mask k flips. The rest, the
    reserved region (format information, the dark module, version information), is what qrcode
    leaves light while it scores masks.
    """
    n = 4 * version + 17
    reserved = [[False] * n for _ in range(n)]
    pattern = [[False] * n for _ in range(n)]

    def mark(grid: list[list[bool]], top: int, left: int, height: int, width: int) -> None:
        for r in range(max(top, 0), min(top + height, n)):
            for c in range(max(left, 0), min(left + width, n)):
                grid[r][c] = True

    mark(pattern, 0, 0, 8, 8)  # finders with their separators
    mark(pattern, 0, n - 8, 8, 8)
    mark(pattern, n - 8, 0, 8, 8)
    mark(pattern, 6, 0, 1, n)  # timing
    mark(pattern, 0, 6, n, 1)
    centres = pattern_position(version)  # empty for version 1
    if centres:
        first, last = centres[0], centres[-1]
        corners = {(first, first), (first, last), (last, first)}  # taken by the finders
        for row in centres:
            for col in centres:
                if (row, col) not in corners:
                    mark(pattern, row - 2, col - 2, 5, 5)
    for r in (*range(6), 7, 8):  # format information beside the top-left finder
        reserved[r][8] = True
    for c in (*range(6), 7):
        reserved[8][c] = True
    mark(reserved, 8, n - 8, 1, 8)  # ... beside the top-right and bottom-left ones
    mark(reserved, n - 8, 8, 8, 1)  # (includes the dark module at n - 8, 8)
    if version >= 7:
        mark(reserved, 0, n - 11, 6, 3)
        mark(reserved, n - 11, 0, 3, 6)

    ones = [[True] * n for _ in range(n)]
    valid = _plane(ones)
    rows = valid >> (n * (n + 1)) << (n * (n + 1))
    fixed = [[p and not q for p, q in zip(pr, qr_, strict=True)]
             for pr, qr_ in zip(pattern, reserved, strict=True)]
    data = [[not (p or q) for p, q in zip(pr, qr_, strict=True)]
            for pr, qr_ in zip(pattern, reserved, strict=True)]
    data_plane = _plane(data)
    masks = tuple(
        _plane([[func(i, j) for j in range(n)] for i in range(n)]) & data_plane
        for func in _MASKS
    )
    return valid, rows, _plane(fixed), data_plane, masks


def _pattern_count(dark: int, light: int, pattern: str) -> int:
    """How many times `pattern` ('1' dark, '0' light) occurs along the lines of a plane."""
    hits = -1
    for shift, bit in enumerate(reversed(pattern)):
        layer = (dark if bit == "1" else light) >> shift
        hits = layer if hits < 0 else hits & layer
    return hits.bit_count()


def _penalty(dark: int, valid: int, rows: int, stride: int) -> int:
    """qrcode's `lost_point` (the four ISO penalty rules), computed on a `_plane`."""
    light = valid & ~dark
    points = 0
    for colour in (dark, light):
        # N1: 3 + (length - 5) for each run of five or more = windows of five + 2 per run
        five = colour & colour >> 1 & colour >> 2 & colour >> 3 & colour >> 4
        points += five.bit_count() + 2 * (five & ~(colour << 1)).bit_count()
        # N2: 3 for each 2 x 2 block of one colour (rows only, or every block counts twice)
        square = colour & rows
        square &= square >> 1
        points += 3 * (square & square >> stride).bit_count()
    # N3: 40 for each 1:1:3:1:1 finder-like pattern with four light modules on one side
    points += 40 * (_pattern_count(dark, light, "10111010000")
                    + _pattern_count(dark, light, "00001011101"))
    # N4: 10 for each 5 % the share of dark modules is away from one half
    n = stride - 1
    share = float((dark & rows).bit_count()) / (n * n)
    points += int(abs(share * 100 - 50) / 5) * 10
    return points


def _best_mask(code: qrcode.QRCode) -> int:
    """The mask `qrcode` would choose, for a code built with mask 0: one build instead of eight."""
    matrix = code.get_matrix()
    b = code.border
    modules = [row[b : len(row) - b] for row in matrix[b : len(matrix) - b]]
    n = len(modules)
    valid, rows, fixed, data, masks = _regions(code.version)
    built = _plane(modules)
    raw = (built ^ masks[0]) & data  # the data before mask 0 was applied
    kept = built & fixed  # function patterns; the reserved region stays light
    best, best_points = 0, -1
    for k, mask in enumerate(masks):
        points = _penalty(kept | raw ^ mask, valid, rows, n + 1)
        if best_points < 0 or points < best_points:
            best, best_points = k, points
    return best


def best_mask(url: str) -> int:
    """The mask `qrcode` chooses for `url` (0-7), found from one build instead of eight."""
    return _best_mask(_qr(url, 0, QUIET_ZONE))


# --- the matrix and its runs -------------------------------------------------------------------


def qr_matrix(url: str) -> list[list[bool]]:
    """The module matrix of `url` (level M, best mask), quiet zone of 4 included. True = dark.

    Exactly what `qrcode.QRCode(error_correction=M, border=4)` makes of it; the final symbol is
    rebuilt by qrcode from the encoded data it already holds, with the mask chosen here.
    """
    code = _qr(url, 0, QUIET_ZONE)
    best = _best_mask(code)
    if best != 0:
        code.mask_pattern = best
        code.make(fit=False)  # reuses the encoded data, places it with the chosen mask
    return code.get_matrix()


def row_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Dark runs of each row as (row, first column, length), top to bottom, left to right."""
    runs = []
    for r, row in enumerate(matrix):
        for m in _DARK_RUN.finditer(bytes(row)):
            runs.append((r, m.start(), m.end() - m.start()))
    return runs


@lru_cache(maxsize=2048)
def _runs(url: str) -> tuple[int, bytes]:
    """(modules across, runs packed as row, column, length bytes), cached per URL."""
    matrix = qr_matrix(url)
    packed = bytearray()
    for run in row_runs(matrix):
        packed.extend(run)
    return len(matrix), bytes(packed)


def _triples(packed: bytes):
    it = iter(packed)
    return zip(it, it, it, strict=True)


def clear_cache() -> None:
    """Forget cached codes (for benchmarks and tests)."""
    _runs.cache_clear()


def modules_across(url: str) -> int:
    """Width of the code in modules, quiet zone included."""
    return _runs(url)[0]


# --- drawing -----------------------------------------------------------------------------------


def draw_qr(canvas, url: str, x: float, y: float, size: float) -> None:
    """Draw the code for `url` on a reportlab canvas: lower-left corner (x, y), `size` points
    wide and high including the quiet zone, as one filled path of row runs.

    The path is laid out in module units (a translate + scale puts module (0, 0) at the top left),
    so every rectangle is four small integers. Formatting each one through `path.rect()` costs
    ~8 µs in reportlab's pure-Python number formatter (~2.5 ms a code, more than the rest of a
    poster), so the same `re` operators are written here and handed to `drawPath` as a path
    object.
    """
    n, packed = _runs(url)
    ops = [f"{c} {r} {w} 1 re" for r, c, w in _triples(packed)]
    path = PDFPathObject(code=["n", *ops])
    module = size / n
    canvas.saveState()
    canvas.translate(x, y + size)
    canvas.scale(module, -module)
    canvas.setFillGray(0)
    canvas.drawPath(path, fill=1, stroke=0, fillMode=FILL_NON_ZERO)  # the union of the runs
    canvas.restoreState()


def qr_svg(url: str, module_mm: float | None = None) -> str:
    """A standalone SVG document for `url`: viewBox in modules, a white background rectangle and
    ONE black <path> made of row runs. With `module_mm`, width and height are set in mm."""
    n, packed = _runs(url)
    d = "".join(f"M{c} {r}h{w}v1h-{w}z" for r, c, w in _triples(packed))
    size = ""
    if module_mm is not None:
        if not module_mm > 0:
            raise ValueError("module_mm must be a positive number of millimetres")
        side = f"{n * module_mm:.3f}".rstrip("0").rstrip(".")
        size = f' width="{side}mm" height="{side}mm"'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {n} {n}"{size}'
        f' shape-rendering="crispEdges" aria-label={quoteattr(url)}>\n'
        f"<title>{escape(url)}</title>\n"
        f'<rect width="{n}" height="{n}" fill="#fff"/>\n'
        f'<path fill="#000" d="{d}"/>\n'
        "</svg>\n"
    )


def qr_png(url: str, scale: int = 10) -> bytes:
    """PNG bytes of the code for `url`, 1-bit, `scale` pixels per module, quiet zone included."""
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 100:
        raise ValueError("scale must be a whole number of pixels per module, 1 to 100")
    n, packed = _runs(url)
    pixels = bytearray(b"\xff" * (n * n))
    for r, c, w in _triples(packed):
        pixels[r * n + c : r * n + c + w] = b"\x00" * w
    image = Image.frombytes("L", (n, n), bytes(pixels)).convert("1", dither=Image.Dither.NONE)
    image = image.resize((n * scale, n * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
