"""A request after the database server dropped every connection (a restart,
pg_terminate_backend, an idle timeout) succeeds: the pool notices the dead connection on its
socket (webapp/liveness.py) without asking the server at every checkout."""

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from tests.conftest import TEST_DATABASE_URL, app_on_a_copy
from tools.throwaway_postgres import drop_every_connection
from webapp import liveness
from webapp.extensions import db

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="a server's connections: the PostgreSQL run of the suite tests this")

SERVICES = "/open311/v2/services.json?jurisdiction_id=bayi"


@pytest.fixture
def served(migrated_db, tmp_path):
    def make(**config):
        app = app_on_a_copy(migrated_db, tmp_path, True, TESTING=True, **config)
        client = app.test_client()
        # Both kinds of database use: the ORM session, and a plain connection (Open311).
        assert client.get("/healthz").status_code == 200
        assert client.get(SERVICES).status_code == 200
        with app.app_context():
            url = db.engine.url.render_as_string(hide_password=False)
        return app, client, url
    return make


def test_the_next_requests_succeed_after_the_server_dropped_every_connection(served):
    app, client, url = served()
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False}
    drop_every_connection(url)
    assert client.get("/healthz").status_code == 200
    assert client.get(SERVICES).status_code == 200
    drop_every_connection(url)
    assert client.get(SERVICES).status_code == 200


def test_pre_ping_when_configured_survives_it_too(served):
    app, client, url = served(DB_PRE_PING=True)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    drop_every_connection(url)
    assert client.get("/healthz").status_code == 200


def test_without_either_a_request_meets_the_dead_connection(served):
    """The test above can fail: with no liveness check the first request fails."""
    _app, client, url = served()
    event.remove(Pool, "checkout", liveness._probe)
    try:
        drop_every_connection(url)
        assert client.get("/healthz").status_code == 503
    finally:
        liveness.listen()
