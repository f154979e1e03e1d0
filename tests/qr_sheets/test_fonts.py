"""Finding a CJK TrueType font, and saying how to get one when there is none."""

import os
from pathlib import Path

import pytest

from qr_sheets import PRESETS, FontNotFound, PosterOptions, find_fonts, render_posters
from qr_sheets import fonts as fonts_module

from .helpers import decode_texts, font_descriptors, items, render_pages, text_of

REPO_FONTS = Path(__file__).resolve().parents[2] / "fonts"
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
needs_repo_fonts = pytest.mark.skipif(not (REPO_FONTS / "NotoSansSC-Regular.ttf").exists(),
                                      reason="run `make setup` to get fonts/")


@pytest.fixture
def nothing_anywhere(monkeypatch, tmp_path):
    """No env variable, an empty repo fonts/ folder, no system fonts."""
    monkeypatch.delenv("MASHANG_QR_FONT", raising=False)
    monkeypatch.setattr(fonts_module, "REPO_FONTS", tmp_path / "fonts")
    monkeypatch.setattr(fonts_module, "SYSTEM_FONTS", ())


def system_font(path: str, package: str) -> None:
    """`make test` installs these Debian fonts; without one the test fails rather than skips."""
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: `make test` installs it, or apt-get install -y {package}")


def assert_helpful(message: str):
    assert "make setup" in message and "MASHANG_QR_FONT" in message


def test_nothing_found_says_how_to_get_a_font(nothing_anywhere):
    with pytest.raises(FontNotFound) as e:
        find_fonts()
    assert_helpful(str(e.value))
    assert isinstance(e.value, RuntimeError)
    with pytest.raises(FontNotFound):
        render_posters(items(1))
    with pytest.raises(FontNotFound):
        from qr_sheets import render_labels
        render_labels(items(1), PRESETS["3x8"])


def test_missing_font_path_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(FontNotFound) as e:
        find_fonts(font_path=tmp_path / "nope.ttf")
    assert "nope.ttf" in str(e.value)
    assert_helpful(str(e.value))
    with pytest.raises(FontNotFound):
        render_posters(items(1), PosterOptions(font_path=str(tmp_path / "nope.ttf")))


def test_font_dir_without_fonts(tmp_path):
    with pytest.raises(FontNotFound) as e:
        find_fonts(font_dir=tmp_path)
    assert "NotoSansSC-Regular.ttf" in str(e.value)
    assert_helpful(str(e.value))


def test_files_that_are_not_usable_fonts_are_refused(tmp_path, monkeypatch):
    cff = tmp_path / "cff.otf"
    cff.write_bytes(b"OTTO" + b"\x00\x01" + b"\x00" * 6 + b"CFF " + b"\x00" * 12)
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"this is not a font at all")
    for path in (cff, junk):
        with pytest.raises(FontNotFound, match="not a TrueType font"):
            find_fonts(font_path=path)
    monkeypatch.setenv("MASHANG_QR_FONT", str(junk))
    with pytest.raises(FontNotFound, match="MASHANG_QR_FONT"):
        find_fonts()


def test_a_font_without_chinese_is_refused():
    system_font(DEJAVU, "fonts-dejavu-core")
    with pytest.raises(FontNotFound, match="no Chinese glyphs"):
        find_fonts(font_path=DEJAVU)


@needs_repo_fonts
def test_default_search_finds_the_repo_fonts(monkeypatch):
    monkeypatch.delenv("MASHANG_QR_FONT", raising=False)
    regular, bold = find_fonts()
    assert Path(regular) == REPO_FONTS / "NotoSansSC-Regular.ttf"
    assert Path(bold) == REPO_FONTS / "NotoSansSC-Bold.ttf"
    assert find_fonts(font_dir=REPO_FONTS) == (regular, bold)


@needs_repo_fonts
def test_env_variable_comes_before_the_repo_folder(monkeypatch, tmp_path):
    one = str(REPO_FONTS / "NotoSansSC-Bold.ttf")
    monkeypatch.setenv("MASHANG_QR_FONT", one)
    assert find_fonts() == (one, one)
    assert find_fonts(font_path=REPO_FONTS / "NotoSansSC-Regular.ttf")[0].endswith("Regular.ttf")


def test_a_truetype_collection_works_through_the_system_search(monkeypatch, tmp_path):
    system_font(WQY, "fonts-wqy-microhei")
    monkeypatch.delenv("MASHANG_QR_FONT", raising=False)
    monkeypatch.setattr(fonts_module, "REPO_FONTS", tmp_path / "fonts")  # as before `make setup`
    assert find_fonts() == (WQY, WQY)
    pdf = render_posters(items(2, prefix="W"), PosterOptions(paper="A5"))
    assert "扫码报事" in text_of(pdf) and "微波宿舍" in text_of(pdf)
    assert any("WenQuanYi" in f["BaseFont"] for f in font_descriptors(pdf))
    assert [decode_texts(page) for page in render_pages(pdf, 72)] == [
        [i.url] for i in items(2, prefix="W")]
