"""Single codes: the matrix is qrcode's own, the SVG is one path of row runs, the PNG decodes."""

import io
import itertools
import random
import re
import string

import pytest
import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_M

from qr_sheets import qr_matrix, qr_png, qr_svg, row_runs
from qr_sheets.codes import best_mask

from .helpers import decode_texts

URL = "http://127.0.0.1:8000/q/AbC23xyz9KLm"


def reference(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def reference_runs(matrix) -> list[tuple[int, int, int]]:
    runs = []
    for r, row in enumerate(matrix):
        c = 0
        for dark, group in itertools.groupby(row):
            length = len(list(group))
            if dark:
                runs.append((r, c, length))
            c += length
    return runs


def random_urls(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "-_./?=&"
    lengths = [0, 3, 12, 25, 40, 70, 110, 160, 230, 320, 450, 700]
    return [
        "https://mashang.example.cn/q/" + "".join(rng.choices(alphabet, k=lengths[i % 12]))
        for i in range(count)
    ]


def test_matrix_is_exactly_what_qrcode_makes_with_its_own_mask_choice():
    # versions 2 to ~17, so alignment patterns, version information and every mask are covered
    urls = random_urls(96, seed=7) + [URL]
    versions, masks = set(), set()
    for url in urls:
        code = reference(url)
        assert qr_matrix(url) == code.get_matrix(), url  # so the mask chosen is qrcode's too
        versions.add(code.version)
        masks.add(best_mask(url))
    assert len(versions) >= 10 and max(versions) >= 7
    assert len(masks) >= 5  # the choice really varies, so agreeing with qrcode means something


def test_level_m_and_quiet_zone_of_four():
    matrix = qr_matrix(URL)
    n = len(matrix)
    assert all(not any(row) for row in matrix[:4] + matrix[-4:])
    assert all(not any(row[:4]) and not any(row[-4:]) for row in matrix)
    assert n == reference(URL).modules_count + 8
    low = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4)
    low.add_data(URL * 3)
    low.make(fit=True)
    assert len(qr_matrix(URL * 3)) > low.modules_count + 8  # M needs more room than L


def test_row_runs_match_an_independent_count():
    matrix = reference(URL).get_matrix()
    assert row_runs(matrix) == reference_runs(matrix)
    assert row_runs([[False, True, True, False, True]]) == [(0, 1, 2), (0, 4, 1)]


def test_svg_is_one_path_of_row_runs_on_a_white_background():
    svg = qr_svg(URL)
    n = len(qr_matrix(URL))
    assert svg.startswith("<?xml")
    assert f'viewBox="0 0 {n} {n}"' in svg
    assert svg.count("<path") == 1
    assert re.search(rf'<rect width="{n}" height="{n}" fill="#fff"/>', svg)
    assert "width=" not in svg.split("<rect")[0].split("viewBox")[1]  # no size unless asked
    d = re.search(r'<path fill="#000" d="([^"]+)"', svg).group(1)
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", d)
    assert len(runs) == d.count("M") == len(reference_runs(reference(URL).get_matrix()))
    assert all(w == back for _, _, w, back in runs)


def test_svg_paints_back_to_the_same_code():
    svg = qr_svg(URL, module_mm=0.5)
    n = len(qr_matrix(URL))
    assert f'width="{n * 0.5:g}mm" height="{n * 0.5:g}mm"' in svg
    scale = 8
    image = Image.new("L", (n * scale, n * scale), 255)
    draw = ImageDraw.Draw(image)
    d = re.search(r' d="([^"]+)"', svg).group(1)
    for c, r, w, _ in re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", d):
        c, r, w = int(c), int(r), int(w)
        draw.rectangle((c * scale, r * scale, (c + w) * scale - 1, (r + 1) * scale - 1), fill=0)
    assert decode_texts(image) == [URL]


def test_svg_escapes_the_url():
    url = 'http://x.cn/q/a?b=1&c="2"<3>'
    svg = qr_svg(url)
    assert "&amp;" in svg and "<3>" not in svg
    with pytest.raises(ValueError):
        qr_svg(url, module_mm=0)


@pytest.mark.parametrize("scale", [1, 3, 10])
def test_png_decodes_and_is_one_bit(scale):
    data = qr_png(URL, scale=scale)
    image = Image.open(io.BytesIO(data))
    n = len(qr_matrix(URL))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.mode in ("1", "L")
    assert image.size == (n * scale, n * scale)
    matrix = qr_matrix(URL)
    pixels = image.convert("L").load()
    for r, c in [(0, 0), (4, 4), (10, 20), (n - 5, 4), (n - 1, n - 1)]:
        assert (pixels[c * scale, r * scale] == 0) == matrix[r][c]
    if scale >= 3:
        assert decode_texts(image.convert("L")) == [URL]


def test_bad_arguments_are_refused():
    for bad in (0, -1, 2.5, True, 101):
        with pytest.raises(ValueError):
            qr_png(URL, scale=bad)
    with pytest.raises(ValueError):
        qr_svg("")
