"""The web app manifest and its icons, the service worker script, the offline page."""

import io
import re

import pytest
from PIL import Image

from tests.conftest import login

BUDGET = 30 * 1024  # the first visit to a scan page, everything compressed


@pytest.fixture
def manifest(client, demo):
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    return response.get_json()


def test_the_manifest_describes_an_installable_app(manifest):
    assert manifest["name"] == "码上办 Mashang"
    assert manifest["short_name"] == "码上办"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#b3261e"
    assert manifest["background_color"] == "#faf8f5"
    assert manifest["lang"] == "en"
    assert "scan the code" in manifest["description"]


def test_the_manifest_follows_the_language(client, demo):
    zh = client.get("/manifest.webmanifest", headers={"Accept-Language": "zh-CN"}).get_json()
    assert zh["lang"] == "zh-CN" and "扫码" in zh["description"]


def test_every_icon_is_a_png_of_its_size(client, manifest):
    sizes = set()
    for icon in manifest["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert response.mimetype == "image/png" and icon["type"] == "image/png"
        assert "immutable" in response.headers["Cache-Control"]  # fingerprinted
        image = Image.open(io.BytesIO(response.data))
        assert image.format == "PNG"
        assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add((image.width, icon["purpose"]))
        if icon["purpose"] == "maskable":  # fills the whole square: the system cuts the shape
            corner = image.convert("RGBA").getpixel((0, 0))
            assert corner[3] == 255 and corner[:3] == (0xB3, 0x26, 0x1E)
    assert {(192, "any"), (512, "any"), (192, "maskable"), (512, "maskable")} <= sizes


def test_the_page_links_the_manifest_icons_and_script(client, entrance_code):
    for url in (f"/q/{entrance_code.token}", f"/q/{entrance_code.token}/report", "/"):
        html = client.get(url).get_data(as_text=True)
        assert '<link rel="manifest" href="/manifest.webmanifest"' in html
        assert '<meta name="theme-color" content="#b3261e">' in html
        for src in re.findall(r'(?:href|src|data-outbox(?:-page)?)="(/static/[^"]+)"', html):
            assert client.get(src).status_code == 200, src
        assert re.search(r'<script src="/static/js/app\.js\?v=\w+" defer', html)
        # No inline scripts or styles: a strict Content-Security-Policy is coming.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert " style=" not in html and "<style" not in html


def test_the_favicon_is_there(client, demo):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.data)).format == "ICO"


def test_the_service_worker_is_served_from_the_root(client, demo):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    script = response.get_data(as_text=True)
    # It imports the outbox under the same fingerprinted URL the pages use.
    imported = re.search(r'importScripts\("(/static/js/outbox\.js\?v=\w+)"\)', script)
    assert imported and client.get(imported.group(1)).status_code == 200
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(("language", "lang", "text"), [
    ("zh-CN", "zh-CN", "请稍后再试，或致电社区办公室。"),
    ("en", "en", "You are offline"),
])
def test_the_offline_page(client, demo, language, lang, text):
    response = client.get("/offline", headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert text in html
    assert "csrf" not in html.lower()  # the service worker keeps it


def test_the_offline_page_has_no_personal_parts_for_staff(client, users):
    login(client, "dispatcher")
    html = client.get("/offline").get_data(as_text=True)
    assert "csrf" not in html.lower() and "staffnav" not in html


def test_the_first_visit_to_a_scan_page_stays_small(client, entrance_code):
    """What a phone downloads the first time it opens a scan page: the page, its styles and
    scripts, the favicon, and what the new service worker fetches (its script, the outbox it
    imports, the offline page)."""
    br = {"Accept-Encoding": "br", "Accept-Language": "zh-CN"}

    def size(url):
        response = client.get(url, headers=br)
        assert response.status_code == 200, url
        return len(response.data)

    page = client.get(f"/q/{entrance_code.token}", headers=br)
    html = client.get(f"/q/{entrance_code.token}").get_data(as_text=True)
    loaded = re.findall(r'<(?:script|link rel="(?:stylesheet|icon)")[^>]* (?:src|href)="([^"]+)"',
                        html)
    assert len(loaded) == 4  # styles, htmx, app.js, favicon
    worker = client.get("/sw.js").get_data(as_text=True)
    outbox = re.search(r'importScripts\("([^"]+)"\)', worker).group(1)
    total = len(page.data) + sum(size(url) for url in [*loaded, "/sw.js", outbox, "/offline"])
    assert total <= BUDGET, f"{total} bytes"
