"""The migrations build exactly the schema the models describe, and go back down."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from webapp import create_app
from webapp.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_from_empty_and_back_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        assert {"report", "report_event", "qr_code"} <= set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        db.engine.dispose()
    assert set(inspect(create_engine(url)).get_table_names()) <= {"alembic_version"}
