"""Bulk loads without indexes (webapp/seed/deferred.py): what is put back is what was there,
and the keys it held off are checked when they return."""

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import Community, ReportSearch
from webapp.seed.deferred import indexes_deferred
from webapp.seed.district import REPORT_TABLES


def definitions(connection) -> set:
    """Every index and key of the report tables, as the database describes them."""
    if connection.dialect.name == "postgresql":
        return set(connection.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:t) "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY (CAST(:t AS regclass[]))"), {"t": REPORT_TABLES}).all())
    return set(connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
        "('report', 'report_search', 'report_event', 'report_milestone', 'report_answer')"
    )).all())


def test_indexes_and_keys_come_back_as_they_were(app):
    with db.engine.begin() as connection:
        before = definitions(connection)
        with indexes_deferred(connection, REPORT_TABLES):
            during = definitions(connection)
        assert definitions(connection) == before
    assert len(during) < len(before) - 10
    assert any("ix_report_queue_order" in name for name, _ in before)


def test_a_duplicate_written_meanwhile_is_refused_when_its_index_returns(demo):
    row = db.session.execute(select(ReportSearch.__table__)).first()  # plain values
    other = db.session.scalar(select(Community.id).where(Community.id != row.community_id))
    db.session.rollback()  # PostgreSQL: the session's read would hold off the ALTER TABLE
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        with indexes_deferred(connection, ["report_search"]):
            # Another community's row for the same report: only uq_report_search_report,
            # held off meanwhile, forbids it.
            connection.execute(insert(ReportSearch.__table__).values(
                report_id=row.report_id, community_id=other, compound_id=row.compound_id,
                building_id=row.building_id, body="x"))
    with db.engine.connect() as connection:  # rolled back whole, the index included
        assert any(name == "uq_report_search_report" for name, _ in definitions(connection))
        assert connection.execute(select(ReportSearch.report_id).where(
            ReportSearch.report_id == row.report_id)).all() == [(row.report_id,)]
