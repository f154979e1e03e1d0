"""Static files: fingerprinted, cached for a year, and sent as small as brotli makes them."""

from pathlib import Path

import brotli

from webapp.assets import asset_url

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_a_static_file_is_sent_brotli_at_its_smallest_and_gzip_to_others(client):
    with client.application.test_request_context():
        url = asset_url("css/app.css")
    original = (STATIC / "css" / "app.css").read_bytes()
    answer = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert answer.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in answer.headers["Vary"]
    assert "immutable" in answer.headers["Cache-Control"]
    assert brotli.decompress(answer.data) == original
    assert len(answer.data) <= len(brotli.compress(original, quality=5))
    assert int(answer.headers["Content-Length"]) == len(answer.data)
    gzipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers.get("Content-Encoding") == "gzip"
    plain = client.get(url)
    assert plain.data == original and "Content-Encoding" not in plain.headers
