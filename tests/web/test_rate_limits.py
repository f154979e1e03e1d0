"""Rate limits: a burst from one address is refused with a clear page in the visitor's
language, nothing half-stored, and other visitors are not affected."""

import http.client
import os
import shutil
import socket as socketlib
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import FreshContextClient, app_on_a_copy, csrf_from
from tests.web.helpers import report_count, submit_report

EN = {"Accept-Language": "en"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def limited(migrated_db, tmp_path):
    """The demo app with the limiter on and small limits."""
    app = app_on_a_copy(migrated_db, tmp_path, True, TESTING=True, RATELIMIT_ENABLED=True,
                        RATELIMIT_SUBMIT="3 per minute", RATELIMIT_LOOKUP="5 per minute",
                        RATELIMIT_CHANGE="2 per minute", RATELIMIT_LOGIN="3 per minute")
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app


def code_token(app):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import QrCode
    return db.session.scalars(select(QrCode.token).where(QrCode.entrance_id.is_not(None))).first()


def test_report_submissions_are_limited_per_address(limited):
    client, token = limited.test_client(), code_token(limited)
    before = report_count()
    answers = [submit_report(client, token).status_code for _ in range(3)]
    assert answers == [303, 303, 303]
    refused = submit_report(client, token, headers=EN)
    assert refused.status_code == 429
    assert "too often" in refused.text and "Nothing was lost" in refused.text
    assert report_count() == before + 3
    # Chinese by default
    assert "太频繁" in submit_report(client, token).text
    # the form itself can still be opened
    assert client.get(f"/q/{token}/report").status_code == 200
    # a forged X-Forwarded-For does not help when no proxy is configured
    assert submit_report(client, token,
                         headers={"X-Forwarded-For": "10.0.0.9"}).status_code == 429
    # a neighbour at another address is not affected
    neighbour = limited.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert submit_report(neighbour, token).status_code == 303
    assert report_count() == before + 4


def test_a_limited_htmx_submission_shows_the_message_inside_the_form(limited):
    client, token = limited.test_client(), code_token(limited)
    for _ in range(3):
        submit_report(client, token)
    refused = submit_report(client, token, headers={**EN, "HX-Request": "true",
                                                    "HX-Trigger": "report-form"})
    assert refused.status_code == 429
    assert refused.headers["HX-Retarget"] == "#report-form-problem"
    assert "too often" in refused.text


def test_guessing_tracking_links_is_slowed_down(limited):
    client = limited.test_client()
    answers = [client.get(f"/t/guess{n:020d}").status_code for n in range(6)]
    assert answers == [404] * 5 + [429]


def test_login_attempts_are_limited(limited):
    client = limited.test_client()
    page = client.get("/login").text
    answers = [client.post("/login", data={"csrf_token": csrf_from(page), "username": "admin",
                                           "password": "wrong"}).status_code
               for _ in range(4)]
    assert answers[-1] == 429
    assert client.get("/login").status_code == 200  # reading the page is not limited


@pytest.fixture
def redis_socket(tmp_path):
    """A private Redis server on a Unix socket (Debian's redis-server, which `make test`
    installs: a missing server fails here rather than leaving the shared store untested)."""
    server = shutil.which("redis-server")
    if not server:
        pytest.fail("The Redis tests need redis-server: `make test` installs it, or "
                    "apt-get install -y redis-server")
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen([server, "--port", "0", "--unixsocket", str(socket),
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    yield socket
    process.terminate()
    process.wait(timeout=10)


def serve(tmp_path, name, env):
    """One 'host': its own gunicorn process with one worker."""
    sock = tmp_path / f"{name}.sock"
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"unix:{sock}", "--workers", "1",
         "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return process, sock


def get_status(sock, path) -> int:
    connection = UnixHTTPConnection(str(sock))
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.unix_path = path

    def connect(self):
        self.sock = socketlib.socket(socketlib.AF_UNIX, socketlib.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def test_several_hosts_share_one_count_in_redis(migrated_db, tmp_path, redis_socket):
    env = {**os.environ, "DATABASE_URL": migrated_db.copy(tmp_path, True),
           "MASHANG_SECRET_KEY": "test-secret", "MASHANG_UPLOAD_FOLDER": str(tmp_path / "up"),
           "MASHANG_RATELIMIT_STORAGE_URI": f"redis+unix://{redis_socket}",
           "MASHANG_RATELIMIT_LOOKUP": "3 per minute"}
    hosts = [serve(tmp_path, name, env) for name in ("a", "b")]
    try:
        (_, a), (_, b) = hosts
        answers = [get_status(a, "/t/one"), get_status(a, "/t/two"), get_status(b, "/t/three"),
                   get_status(b, "/t/four"), get_status(a, "/t/five")]
    finally:
        for process, _sock in hosts:
            process.terminate()
            process.wait(timeout=10)
    # host b refuses the fourth guess: it counted the two that host a answered
    assert answers == [404, 404, 404, 429, 429]


def test_an_unreachable_store_does_not_take_the_site_down(migrated_db, tmp_path):
    app = app_on_a_copy(migrated_db, tmp_path, True, TESTING=True, RATELIMIT_ENABLED=True,
                        RATELIMIT_STORAGE_URI=f"redis+unix://{tmp_path}/no-redis.sock")
    client = app.test_client()
    assert [client.get("/t/guess").status_code for _ in range(3)] == [404] * 3
    assert client.get("/healthz").status_code == 200


def test_the_open311_page_states_the_post_limit_in_the_readers_language(client, demo):
    assert "每分钟 30 次；每天 1000 次" in client.get("/open311").text
    assert "30 a minute; 1000 a day" in client.get("/open311", headers=EN).text
