import io

import pytest
from PIL import Image

from tests.conftest import jpeg_bytes, png_header_bomb
from webapp.domain.shared import photos


def test_exif_and_gps_are_gone_after_reencoding():
    original = jpeg_bytes(exif=True)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(0x0110) == "SecretPhone 12"

    result = photos.process_photo(original)

    with Image.open(io.BytesIO(result.jpeg)) as after:
        assert after.format == "JPEG"
        assert len(after.getexif()) == 0
        assert "exif" not in after.info
    assert b"SecretPhone" not in result.jpeg and b"PhoneMaker" not in result.jpeg


def test_large_photo_is_scaled_to_the_longest_edge():
    result = photos.process_photo(jpeg_bytes(size=(4000, 3000)), max_edge=2048)
    assert (result.width, result.height) == (2048, 1536)
    with Image.open(io.BytesIO(result.jpeg)) as image:
        assert image.size == (2048, 1536)


def test_orientation_is_applied_before_metadata_is_dropped():
    image = Image.new("RGB", (400, 200), "blue")
    tags = Image.Exif()
    tags[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=tags)
    result = photos.process_photo(out.getvalue())
    assert (result.width, result.height) == (200, 400)


def test_png_with_transparency_becomes_jpeg():
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    result = photos.process_photo(out.getvalue())
    with Image.open(io.BytesIO(result.jpeg)) as decoded:
        assert decoded.mode == "RGB"
        assert decoded.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=3)


@pytest.mark.parametrize("data", [
    b"",
    b"hello, not an image at all",
    b"%PDF-1.4\n1 0 obj<<>>endobj",
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
])
def test_non_images_are_refused(data):
    with pytest.raises(photos.PhotoRejected):
        photos.process_photo(data)


def test_truncated_jpeg_is_refused():
    data = jpeg_bytes(size=(800, 600))
    with pytest.raises(photos.PhotoRejected):
        photos.process_photo(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png_header_bomb(8000, 8000)  # 64 megapixels claimed in a few hundred bytes
    assert len(bomb) < 1000
    with pytest.raises(photos.PhotoRejected, match="pixels"):
        photos.process_photo(bomb, max_pixels=40_000_000)


def test_saved_names_are_random_and_cannot_escape_the_folder(tmp_path):
    photo = photos.process_photo(jpeg_bytes())
    names = {photos.save_photo(tmp_path, photo) for _ in range(5)}
    assert len(names) == 5
    for name in names:
        assert (tmp_path / name).read_bytes() == photo.jpeg
    for bad in ("../secret.jpg", "/etc/passwd", ".hidden", "a/b.jpg", ""):
        with pytest.raises(ValueError):
            photos.photo_path(tmp_path, bad)


def test_kept_photos_are_found_by_key_only_and_abandoned_ones_expire(tmp_path):
    import os

    photo = photos.process_photo(jpeg_bytes())
    names = photos.keep_pending(tmp_path, "key-aaaaaaaaaaaaaaaa", [photo])
    assert [n for n, _p in photos.load_pending(tmp_path, "key-aaaaaaaaaaaaaaaa", names)] == names
    assert photos.load_pending(tmp_path, "key-bbbbbbbbbbbbbbbb", names) == []

    old = tmp_path / "pending" / "key-aaaaaaaaaaaaaaaa"
    os.utime(old, (0, 0))
    photos.keep_pending(tmp_path, "key-cccccccccccccccc", [photo])
    assert not old.exists()
    assert (tmp_path / "pending" / "key-cccccccccccccccc").is_dir()
