import enum
import inspect
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import app_secret, at_the_same_moment, jpeg_bytes
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, intake, transitions
from webapp.domain.shared import photos
from webapp.extensions import db
from webapp.models import Category, Report, ReportEvent, ReportPhoto, ReportStatus


def draft(key="key-0000000000000001", **changes):
    category_id = db.session.scalar(select(Category.id).where(Category.code == "water"))
    fields = dict(submission_key=key, category_id=category_id,
                  description="楼道水管漏水 leaking pipe", floor_room="3-302",
                  contact_name="王阿姨", contact_phone="13800000000", care_card=True)
    fields.update(changes)
    return intake.ReportDraft(**fields)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


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


def resolved_report(entrance_code, tmp_path):
    report, _ = intake.submit_report(entrance_code, draft(), [], tmp_path, secret=app_secret())
    # Staff resolve reports in the dispatch workflow; here we put it there directly.
    report.status = ReportStatus.RESOLVED
    db.session.commit()
    return report


def test_resident_confirms_and_rates(entrance_code, tmp_path):
    report = resolved_report(entrance_code, tmp_path)
    transitions.confirm_fixed(report, 4, "师傅很快")
    assert report.status == ReportStatus.CLOSED
    assert (report.rating, report.rating_comment) == (4, "师傅很快")
    assert report.closed_at is not None
    last = report.events[-1]
    assert (last.kind, last.from_status, last.to_status) == (
        "rated", ReportStatus.RESOLVED, ReportStatus.CLOSED)


def test_rating_needs_a_resolved_report_and_a_sane_score(entrance_code, tmp_path):
    report, _ = intake.submit_report(entrance_code, draft(), [], tmp_path, secret=app_secret())
    with pytest.raises(transitions.TransitionRefused):
        transitions.confirm_fixed(report, 5, None)
    report.status = ReportStatus.RESOLVED
    for bad in (0, 6, -1):
        with pytest.raises(transitions.TransitionRefused):
            transitions.confirm_fixed(report, bad, None)
    assert report.rating is None


def test_not_fixed_reopens_with_the_reason(entrance_code, tmp_path):
    report = resolved_report(entrance_code, tmp_path)
    transitions.report_not_fixed(report, "  还在漏水  ")
    assert report.status == ReportStatus.REOPENED
    assert report.events[-1].note == "还在漏水"
    with pytest.raises(transitions.TransitionRefused):
        transitions.report_not_fixed(report, "again")


def test_information_can_be_added_until_closed(entrance_code, tmp_path):
    report = resolved_report(entrance_code, tmp_path)
    photo = photos.process_photo(jpeg_bytes())
    event = transitions.add_information(report, "补充一张照片", [photo], tmp_path)
    assert event.photos[0].report_id == report.id
    transitions.confirm_fixed(report, 5, None)
    with pytest.raises(transitions.TransitionRefused):
        transitions.add_information(report, "more", [], tmp_path)


def test_two_additions_at_the_same_moment_refuse_one_and_keep_no_stray_file(
        app, entrance_code, tmp_path):
    """Two tabs add information at once, both having read the same version of the report:
    one is saved, the other is told the report changed (not a 500), and the loser's photo
    file is removed with its rolled-back row."""
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, draft(), [], tmp_path,
                                           secret=app_secret())
    report_id, events_before = report.id, len(report.events)
    folder = tmp_path / "race-photos"

    def load(i):
        fresh = db.session.get(Report, report_id)
        return fresh, photos.process_photo(jpeg_bytes(color=(i * 90, 60, 40)))

    def add(i, loaded):
        fresh, photo = loaded
        transitions.add_information(fresh, f"补充 {i}", [photo], folder)

    outcomes = at_the_same_moment(app, 2, add, (transitions.ReportChanged,), prepare=load)
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    db.session.expire_all()
    changed = db.session.get(Report, report_id)
    assert len(changed.events) == events_before + 1
    stored = {p.stored_name for p in changed.photos}
    assert len(stored) == 1 and {f.name for f in folder.iterdir()} == stored


def test_every_transition_is_guarded_against_concurrent_changes():
    """A transition without the guard turns a concurrent change into a 500. Every public
    function of the transition modules that takes a report and saves it must carry the
    guard, and the guard must sit on functions, not on the ResidentStep enum."""
    guard_code = transitions.one_change_at_a_time(lambda: None).__code__
    helpers = {"check_resident_step", "allowed_actions", "check_allowed", "hand_to", "save_change"}
    modules = (transitions, dispatch)
    found = {
        name: function for module in modules for name, function in vars(module).items()
        if inspect.isfunction(function) and not name.startswith("_")
        and function.__module__ == module.__name__ and name not in helpers
        and next(iter(inspect.signature(function).parameters), None) == "report"}
    saving = {name for module in modules for name, function in vars(module).items()
              if inspect.isfunction(function) and function.__module__ == module.__name__
              and "save_change(" in inspect.getsource(inspect.unwrap(function))
              and name != "save_change"}
    assert saving <= set(found)
    assert {"add_information", "confirm_fixed", "assign", "resolve"} <= set(found)
    unguarded = sorted(name for name, function in found.items()
                       if function.__code__ is not guard_code)
    assert unguarded == []
    assert isinstance(transitions.ResidentStep, type) and \
        issubclass(transitions.ResidentStep, enum.Enum)
    assert transitions.ResidentStep("add_information") is transitions.ResidentStep.ADD_INFORMATION


def test_timeline_is_append_only(entrance_code, tmp_path):
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, draft(), [], tmp_path,
                                           secret=app_secret())
    event = db.session.scalar(select(ReportEvent).where(ReportEvent.report_id == report.id))
    event.note = "rewritten history"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ReportEvent, event.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
