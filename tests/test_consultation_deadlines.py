"""A consultation's deadline passes: `flask consultations close-due` and the worker's periodic
job decide it, once between them."""

from datetime import timedelta

from sqlalchemy import func, select, update

from tests.conftest import app_secret
from tests.domain.consultations import conftest as consultations
from webapp.domain import unit_of_work
from webapp.domain.consultations import opening
from webapp.extensions import db
from webapp.models import Consultation, ConsultationEvent
from webapp.models.types import utcnow
from webapp.worker import Worker

building = consultations.building  # the fixture: 微波宿舍 1号楼 with its rooms
draft = consultations.draft


def open_one(building, users, tmp_path, deadline):
    with unit_of_work():
        consultation = opening.open_consultation(
            draft(deadline=deadline), opening.Place(building.compound, building),
            users["dispatcher"], secret=app_secret(), upload_folder=tmp_path,
            now=deadline - timedelta(days=1))
    return consultation.id


def decided_count():
    return db.session.scalar(select(func.count(ConsultationEvent.id)).where(
        ConsultationEvent.kind == "decided"))


def test_the_cli_closes_what_is_due_and_only_once(app, building, users, tmp_path):
    due = open_one(building, users, tmp_path, utcnow() + timedelta(hours=1))
    later = open_one(building, users, tmp_path, utcnow() + timedelta(days=3))
    runner = app.test_cli_runner()
    assert "0 consultations decided" in runner.invoke(args=["consultations", "close-due"]).output
    with unit_of_work():  # the hour passes
        db.session.execute(update(Consultation).where(Consultation.id == due)
                           .values(deadline=utcnow() - timedelta(minutes=1)))
    assert "1 consultations decided" in runner.invoke(args=["consultations",
                                                            "close-due"]).output
    assert "0 consultations decided" in runner.invoke(args=["consultations",
                                                            "close-due"]).output
    db.session.expire_all()
    assert db.session.get(Consultation, due).status == "decided"
    assert db.session.get(Consultation, later).status == "open"
    assert decided_count() == 1


def test_the_worker_decides_at_the_deadline(app, building, users, tmp_path):
    consultation_id = open_one(building, users, tmp_path, utcnow() - timedelta(minutes=1))
    Worker(app).run(once=True)
    db.session.expire_all()
    assert db.session.get(Consultation, consultation_id).outcome == "declined"
    Worker(app).run(once=True)
    assert decided_count() == 1
