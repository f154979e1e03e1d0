"""What an operator relies on: /healthz, flask backup, the gunicorn settings."""

import runpy
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_DATABASE_URL
from webapp import create_app
from webapp.extensions import db
from webapp.models import Report

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_says_unavailable_when_the_database_does_not(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/dir/x.sqlite3",
                      "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


@pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="flask backup copies SQLite")
def test_backup_copies_a_consistent_sqlite_database(demo, tmp_path):
    reports = db.session.scalar(select(func.count(Report.id)))
    target = tmp_path / "backup.sqlite3"
    runner = demo.test_cli_runner()
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM report").fetchone()[0] == reports == 3
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    assert not list(tmp_path.glob("*.partial"))
    # an existing file is never overwritten
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "exists already" in again.output


def test_backup_points_postgresql_users_to_pg_dump(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@/mashang",
                      "TESTING": True})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code != 0 and "pg_dump" in result.output
    assert not (tmp_path / "x").exists()


def test_gunicorn_settings_hide_private_links_in_the_access_log():
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] >= 2 and settings["timeout"] > 0
    assert settings["preload_app"] is False  # so that HUP reloads new code
    mask = settings["PRIVATE_LINK"]
    assert mask.sub(r"/\1/…", "/t/Zq3x8Yh2LkPq9s0RmVw1aB") == "/t/…"
    assert mask.sub(r"/\1/…", "/b/abc/cancel") == "/b/…/cancel"
    assert mask.sub(r"/\1/…", "/volunteer/feed/tok.ics") == "/volunteer/feed/…"
    assert mask.sub(r"/\1/…", "/q/abc123") == "/q/abc123"  # printed codes are public
    assert "%(U)s" in settings["access_log_format"] and "%(f)s" not in \
        settings["access_log_format"]  # no referrer: it can carry a private link


def test_the_access_logger_never_raises_whatever_is_missing(tmp_path):
    from datetime import timedelta

    from gunicorn.config import Config

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", settings["access_log_format"] + " %(r)s")
    logger = settings["PrivateLinkMaskingLogger"](config)
    response = type("Response", (), {"status": "400 Bad Request", "headers": [], "sent": 0})()
    # gunicorn's own refusals: no PATH_INFO, only the raw URI
    logger.access(response, None, {"RAW_URI": "/b/secret-link?x=1", "REQUEST_METHOD": "GET"},
                  timedelta(0))
    logger.access(None, None, None, None)
    logger.access(response, object(), {}, timedelta(0))
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert len(lines) == 3
    assert "/b/…" in lines[0] and "secret-link" not in lines[0]
