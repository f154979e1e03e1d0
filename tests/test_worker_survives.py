"""A real gunicorn (gunicorn.conf.py, one worker) keeps its worker through a database error
inside a signed-in request and through a request that gunicorn itself refuses: the visitor
gets an error page, and the same worker process serves the next request."""

import http.client
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent


class Browser:
    """HTTP over gunicorn's Unix socket, keeping the session cookie like a browser."""

    def __init__(self, path: Path):
        self.path, self.cookies = path, {}

    def request(self, method, target, form=None, headers=None):
        connection = http.client.HTTPConnection("localhost", timeout=30)
        connection.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.sock.connect(str(self.path))
        body = "&".join(f"{k}={v}" for k, v in (form or {}).items()) if form else None
        headers = {"Accept-Language": "en", **(headers or {}),
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        page = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, page

    def csrf(self, target) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.request("GET", target)[1]
                         ).group(1)


@pytest.fixture
def served(migrated_db, tmp_path):
    """The demo data behind `gunicorn -c gunicorn.conf.py wsgi:app` with one worker."""
    url = migrated_db.copy(tmp_path, with_demo=True)
    sock = tmp_path / "web.sock"
    env = {**os.environ, "DATABASE_URL": url, "MASHANG_SECRET_KEY": "test-secret",
           "MASHANG_UPLOAD_FOLDER": str(tmp_path / "uploads"), "MASHANG_BIND": f"unix:{sock}",
           "MASHANG_WORKERS": "1", "MASHANG_ACCESS_LOG": str(tmp_path / "access.log")}
    log = (tmp_path / "gunicorn.log").open("w")
    master = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    browser = Browser(sock)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if browser.request("GET", "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    engine = create_engine(url, poolclass=NullPool)
    yield master, browser, engine, tmp_path
    master.terminate()
    master.wait(timeout=30)
    log.close()
    engine.dispose()


def worker_pids(master) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def refuse_updates_of_users(engine, on: bool) -> None:
    """A real database error: a trigger makes every UPDATE of a staff account fail."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text(
                'CREATE TRIGGER refuse BEFORE UPDATE ON "user" BEGIN '
                "SELECT RAISE(ABORT, 'updates refused by the test'); END" if on
                else "DROP TRIGGER refuse"))
        elif on:
            connection.execute(text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'updates refused by the test'; END $$"))
            connection.execute(text('CREATE TRIGGER refuse BEFORE UPDATE ON "user" '
                                    "FOR EACH ROW EXECUTE FUNCTION refuse()"))
        else:
            connection.execute(text('DROP TRIGGER refuse ON "user"'))


def test_a_database_error_in_a_signed_in_request_gets_a_page_and_keeps_the_worker(served):
    master, browser, engine, _ = served
    status, _page = browser.request("POST", "/login", {
        "csrf_token": browser.csrf("/login"), "username": "admin", "password": "mashang-demo"})
    assert status == 303
    with engine.connect() as connection:
        dispatcher = connection.execute(
            text("SELECT id FROM \"user\" WHERE username = 'dispatcher'")).scalar_one()
    [worker] = worker_pids(master)
    form = {"csrf_token": browser.csrf("/admin/users"), "role": "handler", "active": "1"}

    refuse_updates_of_users(engine, True)
    status, page = browser.request("POST", f"/admin/users/{dispatcher}", form)
    assert status == 500
    assert "Sorry, something went wrong" in page
    assert "Log out" in page  # the staff bar read the signed-in admin after the rollback

    refuse_updates_of_users(engine, False)
    assert worker_pids(master) == [worker]
    status, page = browser.request("POST", f"/admin/users/{dispatcher}", form)
    assert status == 303
    assert worker_pids(master) == [worker]
    with engine.connect() as connection:
        assert connection.execute(
            text(f'SELECT role FROM "user" WHERE id = {dispatcher}')).scalar_one() == "handler"


def test_a_request_gunicorn_refuses_itself_is_logged_and_keeps_the_worker(served):
    """gunicorn answers a doubled Content-Length itself and logs it with an environ that has no
    PATH_INFO: the access logger must cope, masking the private link it was sent to."""
    master, browser, _, tmp_path = served
    [worker] = worker_pids(master)
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(str(browser.path))
    client.sendall(b"GET /t/Zq3x8Yh2LkPq9s0RmVw1aB HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Length: 0\r\nContent-Length: 0\r\n\r\n")  # twice: refused
    answer = client.recv(1024)
    client.close()
    assert answer.startswith(b"HTTP/1.1 400")
    assert browser.request("GET", "/healthz")[0] == 200
    assert worker_pids(master) == [worker]
    log = (tmp_path / "access.log").read_text()
    assert '"GET /t/… HTTP/1.1" 400' in log and "Zq3x8Yh2" not in log
