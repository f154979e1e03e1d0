"""A new report's arrival: its place from the code, one report per submission key, no stray
files. 多元点单: staff file a report for a resident; the channel and the staff member are
recorded; only those who may file, for their own community; a resident's own report names no
staff member."""

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import app_secret, count, jpeg_bytes
from tests.domain.reports.conftest import building_of, draft, file_for
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.reports import intake
from webapp.domain.shared import photos
from webapp.domain.shared.tokens import unseal
from webapp.extensions import db
from webapp.models import Category, Milestone, Report, ReportChannel, ReportPhoto, ReportStatus


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
    # A duplicate row written with the report (a category's unique code) fails the insert.
    with pytest.raises(IntegrityError):
        intake.submit_report(entrance_code, draft(), [photo], tmp_path, secret=app_secret(),
                             on_created=lambda report: db.session.add(Category(
                                 code="water", name_zh="重复", name_en="Twice", icon="💧")))
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []
    assert count(Report) == 3  # only the demo reports
    # A category that does not exist is refused before any file is written.
    with pytest.raises(DomainRefused):
        intake.submit_report(entrance_code, draft(category_id=999999), [photo], tmp_path,
                             secret=app_secret())
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


# --- 多元点单: staff file a report for a resident (phone, home visit, patrol, meeting) ----

def test_a_dispatcher_files_a_phone_call_at_a_picked_place(users, tmp_path):
    with unit_of_work():
        report, created = file_for(users["dispatcher"], "filed-by-phone-00001",
                                   folder=tmp_path)
    assert created and report.channel == ReportChannel.PHONE
    assert report.qr_code_id is None and report.compound.name == "建材宿舍"
    assert report.entrance.name == "1单元"
    [event] = report.events
    assert (event.kind, event.actor_kind, event.actor_id) == (
        "submitted", "staff", users["dispatcher"].id)
    assert event.actor_label.startswith("社区派单员 李静")
    assert [m.name for m in report.milestones] == [Milestone.ACCEPT]  # the clock runs
    assert report.contact_name == "王阿姨" and report.care_card


def test_a_grid_worker_files_a_patrol_finding_with_no_resident(users, tmp_path):
    with unit_of_work():
        report, _ = file_for(users["grid"], "filed-on-patrol-0001", channel="patrol",
                             folder=tmp_path, contact_name=None, contact_phone=None,
                             floor_room=None, care_card=False)
    assert report.channel == "patrol" and report.contact_phone is None
    assert report.events[0].actor_id == users["grid"].id and not report.care_card


def test_the_code_of_a_scanned_door_binds_the_report_to_it(users, entrance_code, tmp_path):
    with unit_of_work():
        report, _ = intake.submit_report(
            entrance_code, draft("filed-at-the-door-01", channel="visit",
                                 filed_by=users["grid"]), [], tmp_path, secret=app_secret())
    assert report.qr_code_id == entrance_code.id and report.channel == "visit"
    assert report.entrance_id == entrance_code.entrance_id


@pytest.mark.parametrize("who", ["mateng", "yianju", "volunteer"])
def test_a_property_handler_or_a_volunteer_may_not_file(users, who, tmp_path):
    user = users.get(who) or next(u for u in users.values() if u.role == who)
    before = count(Report)
    with pytest.raises(intake.FilingRefused) as refused:
        with unit_of_work():
            file_for(user, f"not-yours-{who:0>11}", folder=tmp_path,
                     photo_list=[photos.process_photo(jpeg_bytes())])
    assert refused.value.status == 403
    assert count(Report) == before and count(ReportPhoto) == 0
    assert not list(tmp_path.rglob("*.jpg"))  # nothing half-stored


def test_staff_file_only_in_their_own_community(users, tmp_path):
    elsewhere = building_of("东方花苑", "1幢")
    with pytest.raises(intake.FilingRefused):
        with unit_of_work():
            file_for(users["dispatcher"], "another-community-01", building=elsewhere,
                     folder=tmp_path)


@pytest.mark.parametrize(("channel", "by_staff"), [
    ("phone", False),     # a phone call is taken by someone
    ("qr", True),         # staff say how it came in: not by the door's code
    ("open311", True),
    ("fax", True),        # no such channel
    ("fax", False),
])
def test_the_channel_and_the_filer_go_together(users, channel, by_staff, tmp_path):
    filer = users["dispatcher"] if by_staff else None
    with pytest.raises(DomainRefused) as refused:
        with unit_of_work():
            file_for(filer, f"wrong-channel-{channel:0>6}{int(by_staff)}", channel=channel,
                     folder=tmp_path)
    assert refused.value.field == "channel" and refused.value.status == 422


def test_a_replay_returns_the_filed_report_and_stores_nothing_twice(users, tmp_path):
    photo, folder = photos.process_photo(jpeg_bytes()), tmp_path / "photos"
    with unit_of_work():
        first, _ = file_for(users["dispatcher"], "filed-twice-00000001", folder=folder,
                            photo_list=[photo])
    with unit_of_work():
        again, created = file_for(users["dispatcher"], "filed-twice-00000001",
                                  folder=folder, photo_list=[photo])
    assert again.id == first.id and not created
    assert count(ReportPhoto) == 1 and len(list(folder.iterdir())) == 1


def test_the_resident_can_be_texted_the_link_to_a_mobile_only(users, tmp_path):
    with unit_of_work():
        report, _ = file_for(users["dispatcher"], "filed-with-a-text-01", folder=tmp_path,
                             contact_phone="13800138000", sms_updates=True)
    assert report.sms_updates and unseal(report.sealed_link, app_secret()).startswith("/t/")
    with pytest.raises(DomainRefused) as refused:
        with unit_of_work():
            file_for(users["dispatcher"], "filed-to-a-landline1", folder=tmp_path,
                     contact_phone="0351-7654321", sms_updates=True)
    assert refused.value.field == "contact_phone"
