"""A transaction that only read ends in COMMIT, so psycopg keeps the statements it prepared
(webapp/read_only_commit.py); one that wrote is still rolled back."""

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import TEST_DATABASE_URL, app_on_a_copy
from webapp import read_only_commit
from webapp.extensions import db
from webapp.models import Community, Report

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="psycopg's prepared statements: the PostgreSQL run of the suite tests this")

PREPARED_REPORT_READS = text(
    "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT report.id%'")


@pytest.fixture
def served(migrated_db, tmp_path):
    app = app_on_a_copy(migrated_db, tmp_path, True, TESTING=True,
                        # one pooled connection: the one every request and the check use
                        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    with app.app_context():
        number = db.session.scalar(select(Report.number).limit(1)) or "none"
        db.session.remove()
    yield app, app.test_client(), number
    with app.app_context():
        db.engine.dispose()


def prepared_report_reads(app) -> int:
    with app.app_context(), db.engine.connect() as connection:
        found = connection.scalar(PREPARED_REPORT_READS)
        connection.commit()
        return found


def test_a_reads_prepared_statements_outlive_its_request(served):
    app, client, number = served
    for _ in range(6):  # psycopg prepares a statement at its fifth run on a connection
        assert client.get(f"/open311/v2/requests/{number}.json").status_code in (200, 404)
    assert prepared_report_reads(app) >= 1


def test_without_it_every_request_forgets_them(served):
    """The test above can fail: a read ended by ROLLBACK leaves nothing prepared."""
    app, client, number = served
    with app.app_context():
        event.remove(db.engine, "rollback", read_only_commit._rollback)
    for _ in range(6):
        client.get(f"/open311/v2/requests/{number}.json")
    assert prepared_report_reads(app) == 0


def test_what_a_transaction_wrote_is_still_rolled_back(served):
    app, _client, _number = served
    with app.app_context():
        community = db.session.scalar(select(Community).limit(1))
        before = community.name
        community.name = "改名以后撤回"
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(Community.name).where(
            Community.id == community.id)) == before
        db.session.remove()  # its connection back to the pool (of one)
        with db.engine.connect() as connection:
            connection.execute(text("UPDATE community SET name = 'x' WHERE id = :id"),
                               {"id": community.id})
            connection.rollback()
            assert connection.scalar(text("SELECT name FROM community WHERE id = :id"),
                                     {"id": community.id}) == before


def test_a_read_that_failed_is_rolled_back_and_the_connection_works(served):
    app, client, number = served
    with app.app_context():
        with db.engine.connect() as connection:
            with pytest.raises(DBAPIError):  # division by zero
                connection.execute(text("SELECT 1 / 0"))
            connection.rollback()
            assert connection.scalar(text("SELECT 2")) == 2
    assert client.get(f"/open311/v2/requests/{number}.json").status_code in (200, 404)
