"""Property-based tests over every resident form and upload: whatever is posted — any text,
control characters, NUL, huge strings, wrong types, missing, repeated or extra fields, garbage
files with odd names and types, a JSON body instead of a form, a bad CSRF token — the answer
is never a 5xx, a refusal carries a message, and the database and the upload folder hold
complete records or nothing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import app_secret, csrf_from
from tests.security.helpers import (
    FUZZ,
    MISSING,
    assert_answered,
    assert_no_half_records,
    draw_fields,
    field,
    file_report,
    files_under,
    good_upload,
    plausible_text,
    post_drawn,
    resolve,
    row_counts,
    stored_files,
    text_within,
    upload,
    weird_text,
)
from webapp.domain import unit_of_work
from webapp.domain.reports import transitions
from webapp.domain.services import booking as booking_domain
from webapp.domain.shared import tokens
from webapp.extensions import db
from webapp.models import Booking, Category, CategoryQuestion, Report
from webapp.resident.forms import clean_text

BAD_CSRF = st.one_of(st.sampled_from(["", "x", "IjEyMyI.bad.signature", "\x00", "<script>"]),
                    st.just(MISSING))
valid_phones = st.one_of(
    st.sampled_from(["13800138000", "138 0013 8000", "+8613800138000", "0351-7654321",
                     "(0351) 765 4321 123", "１３８００１３８０００"]),
    st.from_regex(r"\A1[3-9][0-9]{9}\Z"),
    st.from_regex(r"\A0[0-9]{3}[ \-()]{0,40}[0-9]{7}[ \-]{0,20}[0-9]{0,5}\Z"),
)
phones = st.one_of(
    valid_phones,
    st.sampled_from(["١٣٨٠٠١٣٨٠٠٠", "12345", "+1 555 0100", "1380013800" + "０"]),
    st.from_regex(r"\A(\+?86)?1[3-9][0-9 \-()]{9,45}\Z"),
    weird_text,
)




def optional(strategy):
    return st.one_of(st.just(MISSING), strategy)


def files_outside(tmp_path, upload_root):
    """Files the app wrote under the test's folder anywhere but the upload folder."""
    return {p for p in files_under(tmp_path)
            if upload_root not in p.parents and "sqlite3" not in p.name}


def expect_nothing_new(before, after, *models):
    for model in models:
        assert after[model] == before[model], (model, before[model], after[model])


# --- the report form -----------------------------------------------------------------------

@pytest.fixture
def report_form(client, entrance_code):
    """The form's URL, a valid CSRF token, and what the form offers."""
    url = f"/q/{entrance_code.token}/report"
    csrf = csrf_from(client.get(url).get_data(as_text=True))
    ids = {c.code: str(c.id) for c in db.session.scalars(select(Category))}
    questions = {q.code: q.id for q in db.session.scalars(select(CategoryQuestion))}
    return url, csrf, ids, questions


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_report_form(client, report_form, upload_root, tmp_path, data):
    url, valid_csrf, ids, questions = report_form
    draw = data.draw
    leak, floor = f"q{questions['leak_place']}", f"q{questions['floor']}"
    fields = draw_fields(draw, valid={
        "csrf_token": st.just(valid_csrf),
        "submission_key": st.builds(tokens.new_submission_key),
        "category": st.sampled_from(sorted(ids.values())),
        "description": text_within(4, 1000, plausible_text),
        "floor_room": optional(text_within(1, 40, st.just("2楼 201"))),
        "contact_name": optional(text_within(1, 40, st.just("李师傅"))),
        "contact_phone": optional(valid_phones),
        "care_card": optional(st.just("y")),
        "photos": optional(st.lists(good_upload, min_size=1, max_size=3)),
        "kept_photo": st.just(MISSING),
        leak: optional(st.sampled_from(["stairwell", "roof"])),
        floor: optional(st.sampled_from(["3", "-1", "12,5", " 7 "])),
    }, hostile={
        "csrf_token": BAD_CSRF,
        "submission_key": st.one_of(weird_text, st.just(MISSING), st.just("a" * 65)),
        "contact_phone": field(phones),
        "photos": st.lists(st.one_of(upload, good_upload), min_size=1, max_size=5),
        floor: field(st.one_of(st.sampled_from(["1e999", "NaN", "Infinity", "1" * 30]),
                               weird_text)),
    })
    before = row_counts()

    response, sent = post_drawn(draw, client, url, fields, valid_csrf)

    assert_answered(response)
    after = row_counts()
    if response.status_code >= 400:
        expect_nothing_new(before, after, "Report", "ReportEvent", "ReportPhoto", "ReportAnswer")
    else:
        assert response.status_code == 303
        assert after["Report"] - before["Report"] in (0, 1)
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        for text in (report.description, report.floor_room, report.contact_name,
                     report.contact_phone):
            assert text is None or "\x00" not in text
        assert 4 <= len(report.description) <= 1000
        assert report.floor_room is None or len(report.floor_room) <= 40
        assert report.contact_name is None or len(report.contact_name) <= 40
        assert report.contact_phone is None or len(report.contact_phone) <= 30
        description = sent["description"]
        if after["Report"] > before["Report"] and isinstance(description, str):
            assert report.description == clean_text(description)
    assert_no_half_records(upload_root)
    assert not files_outside(tmp_path, upload_root)


# --- the tracking page's three forms ---------------------------------------------------------

@pytest.fixture
def tracking_csrf(client, entrance_code):
    _report, link = file_report(entrance_code)
    return csrf_from(client.get(link).get_data(as_text=True))


@FUZZ
@given(data=st.data())
def test_add_information(client, entrance_code, tracking_csrf, upload_root, tmp_path, data):
    draw = data.draw
    state = draw(st.sampled_from(["submitted", "resolved", "closed"]), label="state")
    report, link = file_report(entrance_code)
    if state != "submitted":
        resolve(report)
    if state == "closed":
        with unit_of_work():
            transitions.confirm_fixed(report, 4, None)
    fields = draw_fields(draw, valid={
        "csrf_token": st.just(tracking_csrf),
        "note": optional(text_within(1, 1000, plausible_text)),
        "photos": optional(st.lists(good_upload, min_size=1, max_size=3)),
    }, hostile={
        "csrf_token": BAD_CSRF,
        "photos": st.lists(st.one_of(upload, good_upload), min_size=1, max_size=5),
    })
    before, files_before = row_counts(), stored_files(upload_root)

    response, _sent = post_drawn(draw, client, f"{link}/info", fields, tracking_csrf)

    assert_answered(response)
    after = row_counts()
    if response.status_code >= 400:
        expect_nothing_new(before, after, "ReportEvent", "ReportPhoto")
        assert stored_files(upload_root) == files_before
    else:
        assert response.status_code == 303
        assert after["ReportEvent"] == before["ReportEvent"] + 1
        db.session.refresh(report)
        event = report.events[-1]
        assert event.kind == "info_added" and (event.note or event.photos)
        assert event.note is None or ("\x00" not in event.note and len(event.note) <= 1000)
    assert_no_half_records(upload_root)
    assert not files_outside(tmp_path, upload_root)


@FUZZ
@given(data=st.data())
def test_confirm_and_rate(client, entrance_code, tracking_csrf, upload_root, data):
    draw = data.draw
    report, link = file_report(entrance_code)
    resolved = draw(st.booleans(), label="resolved")
    if resolved:
        resolve(report)
    fields = draw_fields(draw, valid={
        "csrf_token": st.just(tracking_csrf),
        "rating": st.sampled_from(["1", "2", "3", "4", "5"]),
        "comment": optional(text_within(1, 500, plausible_text)),
    }, hostile={
        "csrf_token": BAD_CSRF,
        "rating": field(st.one_of(st.sampled_from(["0", "6", "-1", "4.5", "５", "٣", "²", " 5"]),
                                  weird_text)),
    })

    response, _sent = post_drawn(draw, client, f"{link}/confirm", fields, tracking_csrf)

    assert_answered(response)
    db.session.rollback()
    db.session.refresh(report)
    if response.status_code >= 400:
        assert report.status == ("resolved" if resolved else "submitted")
        assert report.rating is None
        assert all(e.kind != "rated" for e in report.events)
    else:
        assert resolved and report.status == "closed" and report.rating in range(1, 6)
        comment = report.rating_comment
        assert comment is None or ("\x00" not in comment and len(comment) <= 500)
    assert_no_half_records(upload_root)


@FUZZ
@given(data=st.data())
def test_not_fixed(client, entrance_code, tracking_csrf, upload_root, data):
    draw = data.draw
    report, link = file_report(entrance_code)
    resolved = draw(st.booleans(), label="resolved")
    if resolved:
        resolve(report)
    fields = draw_fields(draw, valid={
        "csrf_token": st.just(tracking_csrf),
        "reason": text_within(1, 1000, plausible_text),
    }, hostile={"csrf_token": BAD_CSRF})
    events_before = len(report.events)

    response, _sent = post_drawn(draw, client, f"{link}/not-fixed", fields, tracking_csrf)

    assert_answered(response)
    db.session.rollback()
    db.session.refresh(report)
    if response.status_code >= 400:
        assert report.status == ("resolved" if resolved else "submitted")
        assert len(report.events) == events_before
    else:
        assert resolved and report.status == "reopened"
        reason = report.events[-1].note
        assert reason and "\x00" not in reason and len(reason) <= 1000
    assert_no_half_records(upload_root)


# --- booking and cancelling ----------------------------------------------------------------

@pytest.fixture
def booking_form(client, entrance_code, roomy):
    url = f"/q/{entrance_code.token}/slots/{roomy.id}/book"
    csrf = csrf_from(client.get(url).get_data(as_text=True))
    return url, csrf, roomy.id


@FUZZ
@given(data=st.data())
def test_booking_form(client, booking_form, upload_root, data):
    url, valid_csrf, slot_id = booking_form
    draw = data.draw
    fields = draw_fields(draw, valid={
        "csrf_token": st.just(valid_csrf),
        "submission_key": st.builds(tokens.new_submission_key),
        "name": text_within(1, 40, st.just("赵奶奶")),
        "phone": valid_phones,
        "floor_room": optional(text_within(1, 40, st.just("4楼401"))),
        "note": optional(text_within(1, 1000, plausible_text)),
    }, hostile={
        "csrf_token": BAD_CSRF,
        "submission_key": st.one_of(weird_text, st.just(MISSING)),
        "phone": field(phones),
    })
    before = row_counts()

    response, _sent = post_drawn(draw, client, url, fields, valid_csrf)

    assert_answered(response)
    after = row_counts()
    if response.status_code >= 400:
        expect_nothing_new(before, after, "Booking")
    else:
        assert response.status_code == 303
        made = db.session.scalars(select(Booking).order_by(Booking.id.desc())).first()
        assert made.slot_id == slot_id
        for text in (made.name, made.phone, made.floor_room, made.note):
            assert text is None or "\x00" not in text
        assert len(made.name) <= 40 and len(made.phone) <= 30
        assert made.floor_room is None or len(made.floor_room) <= 40
    assert_no_half_records(upload_root)


@FUZZ
@given(data=st.data())
def test_cancel_booking(client, entrance_code, roomy, upload_root, data):
    draw = data.draw
    key = tokens.new_submission_key()
    with unit_of_work():
        made, _created = booking_domain.book(roomy, entrance_code, booking_domain.BookingDraft(
            submission_key=key, name="赵奶奶",
            phone=f"138{row_counts()['Booking']:08d}"), secret=app_secret())
    link = f"/b/{tokens.booking_token(key, app_secret())}"
    valid_csrf = csrf_from(client.get(link).get_data(as_text=True))
    fields = draw_fields(draw, valid={
        "csrf_token": st.just(valid_csrf),
        "reason": optional(text_within(1, 1000, plausible_text)),
    }, hostile={"csrf_token": BAD_CSRF})

    response, _sent = post_drawn(draw, client, f"{link}/cancel", fields, valid_csrf)

    assert_answered(response)
    db.session.rollback()
    db.session.refresh(made)
    if response.status_code >= 400:
        assert made.status == "booked"
    else:
        assert made.status == "cancelled" and made.cancelled_at is not None
        reason = made.cancel_reason
        assert reason is None or ("\x00" not in reason and len(reason) <= 1000)
    assert_no_half_records(upload_root)
