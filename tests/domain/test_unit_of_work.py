"""The one owner of a transaction: savepoints inside it, and a lost race at its commit."""

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from webapp import refusals
from webapp.domain import STALE_MESSAGE, savepoint, unit_of_work
from webapp.extensions import db
from webapp.models import Community, Report


def communities():
    return db.session.scalar(select(func.count(Community.id)))


def test_a_savepoint_is_undone_with_its_unit_of_work(app):
    """On SQLite a SAVEPOINT opened before any write would commit when released."""
    with pytest.raises(RuntimeError), unit_of_work():
        with savepoint():
            db.session.add(Community(code="sp1", name="一"))
        raise RuntimeError("the view failed after the savepoint")
    assert communities() == 0


def test_a_duplicate_undoes_only_its_savepoint(app):
    with unit_of_work():
        db.session.add(Community(code="first", name="一"))
        db.session.flush()
        with pytest.raises(IntegrityError), savepoint():
            db.session.add(Community(code="first", name="二"))
    db.session.expire_all()
    assert db.session.scalars(select(Community.name)).all() == ["一"]


def test_a_race_lost_at_the_commit_is_answered_with_the_pages_words(demo):
    report_id = db.session.scalars(select(Report.id)).first()
    answers = []

    @refusals.answered_by(lambda message, status: answers.append((message, status)),
                          stale="changed under you")
    def view():
        report = db.session.get(Report, report_id)
        with db.engine.begin() as other:  # someone else's change, committed first
            other.execute(update(Report).where(Report.id == report_id)
                          .values(version=Report.version + 1))
        report.priority = 2  # written at the commit, against the version it read

    view()
    assert answers == [("changed under you", 409)]

    @refusals.answered_by(lambda message, status: answers.append((message, status)))
    def plain_view():
        report = db.session.get(Report, report_id)
        with db.engine.begin() as other:
            other.execute(update(Report).where(Report.id == report_id)
                          .values(version=Report.version + 1))
        report.priority = 1

    plain_view()
    assert answers[-1] == (str(STALE_MESSAGE), 409)
