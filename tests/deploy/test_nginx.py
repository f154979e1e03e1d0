"""The real nginx (Debian's package) with deploy/nginx/mashang.conf in front of gunicorn serving
the app: public pages come from its micro-cache, a logged-in user's never do, and a change
shows within the cache's lifetime. The deploy guide shows that same file."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import TEST_SECRET
from webapp.caching import personal_cookies
from webapp.i18n import LANG_COOKIE

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from nginx_front import SITE, nginx_in_front  # noqa: E402

LIFETIME = 2  # seconds: SHARED_CACHE_SECONDS for this test, so that it waits little
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.8"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not listen")


class Site:
    def __init__(self, front, token):
        self.base = f"https://127.0.0.1:{front.https_port}"
        self.certificate = str(front.certificate)
        self.token = token

    def browser(self):
        """A new visitor: a fresh cookie jar, trusting the throwaway certificate."""
        session = requests.Session()
        session.trust_env = False  # neither a CA bundle nor a proxy from the environment
        session.verify = self.certificate
        return session

    def get(self, path, browser=None, headers=ZH):
        return (browser or self.browser()).get(self.base + path, headers=headers, timeout=20)

    def post(self, path, browser, data):
        # Over https, CSRF protection wants the form's page as the referrer; nginx passes the
        # host without its port ($host), as it would be on port 443.
        return browser.post(self.base + path, data=data, allow_redirects=False, timeout=20,
                            headers={"Referer": f"https://127.0.0.1{path}"})


@pytest.fixture(scope="module")
def site(migrated_db, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx-site")
    port = free_port()
    url = migrated_db.copy(tmp, with_demo=True)
    # The module's own copy: kept from the drop after each test (conftest), dropped at the end.
    kept = list(migrated_db.copies)
    migrated_db.copies.clear()
    env = {**os.environ, "DATABASE_URL": url,
           "MASHANG_SECRET_KEY": TEST_SECRET, "MASHANG_UPLOAD_FOLDER": str(tmp / "uploads"),
           "MASHANG_RATELIMIT_ENABLED": "false",
           "MASHANG_SHARED_CACHE_SECONDS": str(LIFETIME)}
    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        wait_for(port, gunicorn)
        token = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "flask"), "qr", "list"], cwd=ROOT, env=env,
            capture_output=True, text=True, check=True).stdout.splitlines()[1].split(",")[0]
        with nginx_in_front(port) as front:
            yield Site(front, token)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)
        migrated_db.copies.extend(kept)
        migrated_db.drop_copies()


def cached(site, path, headers=ZH):
    """Ask twice as two new visitors; returns both answers."""
    first = site.get(path, headers=headers)
    return first, site.get(path, headers=headers)


@pytest.mark.parametrize("path", ["/q/{token}", "/board/",
                                  "/open311/v2/services.json?jurisdiction_id=bayi"])
def test_public_pages_come_from_the_cache(site, path):
    first, second = cached(site, path.format(token=site.token))
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache-Status"] in ("MISS", "EXPIRED", "HIT")
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.text == first.text
    assert "s-maxage" in second.headers["Cache-Control"]
    assert "Set-Cookie" not in second.headers


def test_each_language_gets_its_own_copy(site):
    cached(site, "/board/", ZH)
    english, again = cached(site, "/board/", EN)
    assert "Public board" in english.text and "Public board" in again.text
    chosen = site.browser()
    chosen.cookies.set(LANG_COOKIE, "en")  # the switch's cookie beats Accept-Language
    assert "Public board" in site.get("/board/", chosen, ZH).text
    assert "Public board" not in site.get("/board/", headers=ZH).text


def log_in(site, username="dispatcher"):
    browser = site.browser()
    page = site.get("/login", browser).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    done = site.post("/login", browser, {
        "csrf_token": token, "username": username, "password": "mashang-demo"})
    assert done.status_code == 303
    return browser


def test_a_logged_in_user_bypasses_the_cache_and_is_never_stored(site):
    cached(site, "/board/")  # the public copy is in the cache
    staff = log_in(site)
    for _ in range(2):
        theirs = site.get("/board/", staff)
        assert theirs.headers["X-Cache-Status"] == "BYPASS"
        assert 'class="staffnav"' in theirs.text
        assert theirs.headers["Cache-Control"] == "private, no-store"
    queue = site.get("/staff/queue", staff)
    assert queue.status_code == 200 and queue.headers["X-Cache-Status"] == "BYPASS"
    public = site.get("/board/")
    assert 'class="staffnav"' not in public.text


def received(html):
    return int(re.search(r"<dt>Received</dt><dd>(\d+)</dd>", html).group(1))


def test_a_new_report_shows_on_the_board_within_the_caches_lifetime(site):
    before = cached(site, "/board/", EN)[1]
    assert before.headers["X-Cache-Status"] == "HIT"
    resident = site.browser()
    form = site.get(f"/q/{site.token}/report", resident).text
    fields = dict(re.findall(r'name="(csrf_token|submission_key)" type="hidden" value="([^"]*)"',
                             form))
    asked = set(re.findall(r'data-category="(\d+)"', form))
    fields["category"] = next(c for c in re.findall(r'name="category" value="(\d+)"', form)
                              if c not in asked)
    fields["description"] = "楼道灯不亮了，晚上很黑。"
    filed = site.post(f"/q/{site.token}/report", resident, fields)
    assert filed.status_code == 303
    filed_at = time.monotonic()
    while received(site.get("/board/", headers=EN).text) == received(before.text):
        assert time.monotonic() - filed_at < LIFETIME + 1.5, "still the old board"
        time.sleep(0.2)
    assert received(site.get("/board/", headers=EN).text) == received(before.text) + 1


def test_the_deploy_guide_shows_the_config_file():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    blocks = re.findall(r"```nginx\n(.*?)```", guide, re.S)
    assert SITE.read_text() in blocks


def test_the_config_names_the_apps_cookies(app):
    config = SITE.read_text()
    for name in (*personal_cookies(), LANG_COOKIE):
        assert f"$cookie_{name}" in config
