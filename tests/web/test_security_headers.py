"""Every response carries the security headers; cookies are Secure over TLS; pages need no
inline script or style, so the policy can stay 'self' only."""

import re
from pathlib import Path

import pytest

from tests.conftest import app_on_a_copy, login

ROOT = Path(__file__).resolve().parents[2]


def assert_hardened(response):
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy and "*" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/board/", "/login", "/healthz", "/no/such/page",
                                  "/static/css/app.css", "/sw.js", "/manifest.webmanifest"])
def test_every_kind_of_response_is_hardened(client, demo, path):
    response = client.get(path)
    assert_hardened(response)
    assert "Strict-Transport-Security" not in response.headers  # plain http: no HSTS


def test_resident_and_staff_pages_are_hardened(client, entrance_code):
    for path in (f"/q/{entrance_code.token}", f"/q/{entrance_code.token}/report"):
        assert_hardened(client.get(path))
    login(client, "dispatcher")
    assert_hardened(client.get("/staff/queue"))


def test_hsts_only_over_tls(client, demo):
    response = client.get("/", base_url="https://mashang.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_proxy_the_forwarded_scheme_counts_only_when_configured(migrated_db, tmp_path):
    forwarded = {"X-Forwarded-Proto": "https"}
    trusting = app_on_a_copy(migrated_db, tmp_path, PROXY_FIX_X_PROTO=1, TESTING=True)
    assert "Strict-Transport-Security" in trusting.test_client().get(
        "/healthz", headers=forwarded).headers
    (tmp_path / "other").mkdir()
    direct = app_on_a_copy(migrated_db, tmp_path / "other", TESTING=True)
    # Without a proxy in front, anyone could send the header: it is ignored.
    assert "Strict-Transport-Security" not in direct.test_client().get(
        "/healthz", headers=forwarded).headers


def cookie_flags(response, name):
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))
    return {part.strip().split("=")[0].lower(): part for part in header.split(";")[1:]}


def test_cookies_are_httponly_lax_and_secure_over_tls(migrated_db, tmp_path):
    app = app_on_a_copy(migrated_db, tmp_path, True, TESTING=True,
                        BASE_URL="https://mashang.example.org")
    client = app.test_client()
    page = client.get("/login", base_url="https://mashang.example.org")
    flags = cookie_flags(page, "session")
    assert {"secure", "httponly", "samesite"} <= flags.keys()
    assert flags["samesite"].strip().lower() == "samesite=lax"
    switched = client.get("/lang/en", base_url="https://mashang.example.org")
    assert {"secure", "httponly", "samesite"} <= cookie_flags(switched, "lang").keys()


def test_cookies_are_not_secure_on_a_plain_http_site(client, demo):
    flags = cookie_flags(client.get("/login"), "session")
    assert "secure" not in flags and "httponly" in flags


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on", re.I), "hx-on (evaluated code)"),
]


def test_no_template_needs_unsafe_inline():
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text()
        for pattern, what in INLINE:
            found += [f"{template.relative_to(ROOT)}: {what}" for _ in pattern.finditer(text)]
    assert found == []
