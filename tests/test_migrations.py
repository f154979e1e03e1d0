"""The migrations build exactly the schema the models describe, and go back down."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from webapp import create_app
from webapp.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        with warnings.catch_warnings():  # expression indexes cannot be compared: next test
            warnings.filterwarnings("ignore", message=".*expression-based index")
            assert compare_metadata(context, db.metadata) == []


def test_the_queue_order_index_exists(app):
    listing = ("SELECT indexname FROM pg_indexes" if db.engine.dialect.name == "postgresql"
               else "SELECT name FROM sqlite_master WHERE type = 'index'")
    with db.engine.connect() as connection:
        names = set(connection.exec_driver_sql(listing).scalars())
    assert {"ix_report_queue_order", "ix_report_board_resolved"} <= names


def test_upgrade_from_empty_one_step_back_and_down_to_nothing(empty_database_url):
    """On SQLite, or on PostgreSQL when the suite runs with TEST_DATABASE_URL."""
    url = empty_database_url
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        assert {"report", "report_event", "qr_code"} <= set(inspect(db.engine).get_table_names())
        head = current_revision()
        downgrade(revision="-1")
        assert current_revision() != head
        upgrade()
        assert current_revision() == head
        downgrade(revision="base")
        db.engine.dispose()
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def current_revision() -> str:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_upgrading_a_database_with_reports_keeps_them(empty_database_url):
    """0001 → head on a database that already has places and a report."""
    url = empty_database_url
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO community (id, code, name, timezone) VALUES (1, 'c', '社区', 'UTC')",
                "INSERT INTO compound (id, community_id, name) VALUES (1, 1, '小区')",
                "INSERT INTO building (id, compound_id, name, sort_key) VALUES (1, 1, '1号楼', 0)",
                "INSERT INTO category (id, code, name_zh, name_en, icon, is_major, sort_order,"
                " active) VALUES (1, 'water', '水', 'Water', 'x', false, 0, true)",
                "INSERT INTO report (id, number, tracking_token, submission_key, channel,"
                " community_id, compound_id, building_id, category_id, description, contact_phone,"
                " care_card, status, created_at, updated_at) VALUES (1, '20261101-0001', 't',"
                " 'k', 'qr', 1, 1, 1, 1, '漏水', '(0351) 765 4321', false, 'submitted',"
                " '2026-11-01 00:00:00', '2026-11-01 00:00:00')",
                "INSERT INTO report_event (report_id, created_at, actor_kind, kind, is_public)"
                " VALUES (1, '2026-11-01 00:00:00', 'resident', 'submitted', true)",
            ):
                connection.exec_driver_sql(statement)
        upgrade()
        with db.engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT number, version, priority, hidden_from_board, contact_phone"
                " FROM report").one()
            events = connection.exec_driver_sql("SELECT count(*) FROM report_event").scalar()
        assert tuple(row) == ("20261101-0001", 1, 0, 0, "0351-7654321")  # 0008's spelling
        assert events == 1
        db.engine.dispose()


def test_0012_hashes_feed_tokens_respells_phones_and_makes_disputes_private(
        empty_database_url):
    """A calendar subscription made before keeps working; a number Open311 kept as typed
    gets the one spelling; the standard dispute category starts private."""
    from webapp.domain.shared.tokens import digest

    url = empty_database_url
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO community (id, code, name, timezone) VALUES (1, 'c', '社区', 'UTC')",
                "INSERT INTO organization (id, community_id, kind, name, active)"
                " VALUES (1, 1, 'office', '办公室', true)",
                'INSERT INTO "user" (id, username, display_name, password_hash, role,'
                " organization_id, phone, active, created_at, feed_token) VALUES (1, 'v', 'V',"
                " 'x', 'volunteer', 1, '138.0013.8000', true, '2026-11-01 00:00:00',"
                " 'plain-feed-token')",
                "INSERT INTO care_card (id, community_id, name, phone, active, created_at)"
                " VALUES (1, 1, '老人', '+1 (415) 555-2671', true, '2026-11-01 00:00:00')",
                "INSERT INTO category (id, code, name_zh, name_en, icon, is_major, sort_order,"
                " active, routing) VALUES (1, 'dispute', '邻里纠纷', 'Dispute', 'x', false, 0,"
                " true, 'grid'), (2, 'water', '水', 'Water', 'x', false, 1, true, 'partner')",
            ):
                connection.exec_driver_sql(statement)
        upgrade()
        with db.engine.connect() as connection:
            user = connection.exec_driver_sql(
                'SELECT feed_token_hash, phone FROM "user"').one()
            card = connection.exec_driver_sql("SELECT phone FROM care_card").scalar()
            private = dict(connection.exec_driver_sql(
                "SELECT code, is_private FROM category").all())
        assert tuple(user) == (digest("plain-feed-token"), "13800138000")
        assert card == "+14155552671"
        assert {code: bool(flag) for code, flag in private.items()} == \
            {"dispute": True, "water": False}
        db.engine.dispose()
