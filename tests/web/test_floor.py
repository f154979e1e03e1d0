"""The in-app floor: what every request pays for, whatever its route. A trivial route reads no
database, is not rate limited, and still carries every security header; the hooks trimmed
for speed still work where they count."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.conftest import FreshContextClient, app_on_a_copy
from webapp.extensions import db
from webapp.security import CONTENT_SECURITY_POLICY

TRIVIAL = "/lang/zz?next=/"


@contextmanager
def database_use(app):
    """Connections checked out of the pool and statements run while the block lasts."""
    seen = {"checkouts": 0, "statements": 0}

    def checkout(*_):
        seen["checkouts"] += 1

    def statement(*_):
        seen["statements"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", statement)


@pytest.fixture
def limited(migrated_db, tmp_path):
    app = app_on_a_copy(migrated_db, tmp_path, False, TESTING=True, RATELIMIT_ENABLED=True,
                        RATELIMIT_LOOKUP="2 per minute")
    app.test_client_class = FreshContextClient
    return app


def test_a_trivial_route_touches_no_database_and_keeps_every_header(limited):
    client = limited.test_client()
    client.get(TRIVIAL)  # the first request of a process may warm things up
    with database_use(limited) as seen:
        answer = client.get(TRIVIAL)
    assert answer.status_code == 303
    assert seen == {"checkouts": 0, "statements": 0}
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in answer.headers["Permissions-Policy"]
    # not a limited view: the limiter neither counts it nor says anything about it
    assert not [name for name in answer.headers.keys() if name.lower().startswith("x-ratelimit")]
    # a redirect has nothing to compress: Flask-Compress is not asked
    assert "Content-Encoding" not in answer.headers
    assert "accept-encoding" not in answer.headers.get("Vary", "").lower()


def test_the_limiter_checks_only_the_views_it_limits(limited, migrated_db, tmp_path):
    from webapp.extensions import limiter
    assert limiter._check_request_limit not in limited.before_request_funcs[None]
    (tmp_path / "wide").mkdir()
    app = app_on_a_copy(migrated_db, tmp_path / "wide", False, TESTING=True,
                        RATELIMIT_ENABLED=True, RATELIMIT_APPLICATION="1000 per minute")
    try:
        assert limiter._check_request_limit in app.before_request_funcs[None]
    finally:
        limiter.limit_manager.set_application_limits([])


def test_a_view_that_sets_its_own_header_keeps_it(limited):
    with limited.test_request_context():
        from flask import make_response

        from webapp.security import add_security_headers
        response = make_response("x")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        add_security_headers(response)
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_limited_views_still_count_and_say_so(limited):
    client = limited.test_client()
    answers = [client.get("/t/no-such-link") for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "2"


def test_an_app_wide_limit_still_applies_to_every_route(migrated_db, tmp_path):
    app = app_on_a_copy(migrated_db, tmp_path, False, TESTING=True, RATELIMIT_ENABLED=True,
                        RATELIMIT_DEFAULT="2 per minute")
    app.test_client_class = FreshContextClient
    client = app.test_client()
    try:
        assert [client.get(TRIVIAL).status_code for _ in range(3)] == [303, 303, 429]
    finally:
        # the limiter is one object for every app of the process: forget the default
        from webapp.extensions import limiter
        limiter.limit_manager.set_default_limits([])


def test_the_session_signer_follows_a_new_secret_key(limited):
    client = limited.test_client()
    with client.session_transaction() as session:
        session["probe"] = "kept"
    old = limited.config["SECRET_KEY"]
    limited.config["SECRET_KEY"] = "a-new-key"
    try:
        with client.session_transaction() as session:
            assert "probe" not in session  # signed with the old key only
        limited.config["SECRET_KEY_FALLBACKS"] = [old]
        with client.session_transaction() as session:
            assert session["probe"] == "kept"
    finally:
        limited.config["SECRET_KEY"] = old
        limited.config["SECRET_KEY_FALLBACKS"] = []
