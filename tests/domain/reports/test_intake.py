"""A new report's arrival: its place from the code, one report per submission key, no stray
files."""

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import app_secret, count, jpeg_bytes
from tests.domain.reports.conftest import draft
from webapp.domain import unit_of_work
from webapp.domain.reports import intake
from webapp.domain.shared import photos
from webapp.extensions import db
from webapp.models import Report, ReportPhoto, ReportStatus


def test_submit_takes_the_place_from_the_code(entrance_code, tmp_path):
    report, created = intake.submit_report(entrance_code, draft(), [], tmp_path,
                                             secret=app_secret())
    assert created
    assert report.building_id == entrance_code.building_id
    assert report.entrance_id == entrance_code.entrance_id
    assert report.compound.name == "微波宿舍"
    assert report.status == ReportStatus.SUBMITTED
    assert report.number.endswith(f"-{report.id:04d}") and len(report.number) >= 13
    assert [e.kind for e in report.events] == ["submitted"]
    assert report.events[0].to_status == ReportStatus.SUBMITTED


def test_same_submission_key_makes_one_report(entrance_code, tmp_path):
    tmp_path = tmp_path / "photos"
    photo = photos.process_photo(jpeg_bytes())
    first, created_first = intake.submit_report(entrance_code, draft(), [photo], tmp_path,
                                                  secret=app_secret())
    before = count(Report)
    again, created_again = intake.submit_report(entrance_code, draft(), [photo], tmp_path,
                                                  secret=app_secret())
    assert (created_first, created_again) == (True, False)
    assert again.id == first.id
    assert count(Report) == before
    assert count(ReportPhoto) == 1
    assert len(list((tmp_path).iterdir())) == 1  # the replay stored no second file


def test_concurrent_replays_make_one_report(app, entrance_code, tmp_path):
    """Double tap: several requests with one key at the same moment."""
    code_id = entrance_code.id
    results, errors = [], []
    barrier = threading.Barrier(4)

    def submit():
        with app.app_context():
            try:
                from webapp.models import QrCode
                qr = db.session.get(QrCode, code_id)
                barrier.wait()
                with unit_of_work():
                    report, created = intake.submit_report(
                        qr, draft("race-key-000000000001"), [], tmp_path, secret=app_secret())
                results.append((report.id, created))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({report_id for report_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_replayed_key_for_another_place_is_refused(demo, entrance_code, tmp_path):
    from webapp.models import QrCode
    other = db.session.scalars(select(QrCode).where(QrCode.id != entrance_code.id)).first()
    intake.submit_report(entrance_code, draft(), [], tmp_path, secret=app_secret())
    with pytest.raises(intake.SubmissionKeyConflict):
        intake.submit_report(other, draft(), [], tmp_path, secret=app_secret())


def test_a_failed_insert_leaves_no_files(entrance_code, tmp_path):
    tmp_path = tmp_path / "photos"
    photo = photos.process_photo(jpeg_bytes())
    with pytest.raises(IntegrityError):
        intake.submit_report(entrance_code, draft(category_id=999999), [photo], tmp_path,
                               secret=app_secret())
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []
    assert count(Report) == 3  # only the demo reports
