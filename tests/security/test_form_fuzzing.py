"""Property-based tests over every resident form and upload: whatever is posted — any text,
control characters, NUL, huge strings, wrong types, missing, repeated or extra fields, garbage
files with odd names and types, a JSON body instead of a form, a bad CSRF token — the answer
is never a 5xx, a refusal carries a message, and the database and the upload folder hold
complete records or nothing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import csrf_from
from tests.security.helpers import (
    FUZZ,
    MISSING,
    assert_answered,
    assert_no_half_records,
    encodings,
    field,
    file_report,
    files_under,
    plausible_text,
    post_drawn,
    resolve,
    row_counts,
    stored_files,
    upload,
    weird_text,
)
from webapp.domain import booking as booking_domain
from webapp.domain import tokens
from webapp.extensions import db
from webapp.models import Booking, Category, CategoryQuestion, Report
from webapp.resident.forms import clean_text

BAD_CSRF = st.sampled_from(["", "x", "IjEyMyI.bad.signature", "\x00", "<script>"])
csrf_choice = st.one_of(st.just(None), st.just(None), st.just(None), st.just(None), BAD_CSRF)
phones = st.one_of(
    st.sampled_from(["13800138000", "138 0013 8000", "+8613800138000", "0351-7654321",
                     "(0351) 765 4321 123", "１３８００１３８０００", "١٣٨٠٠١٣٨٠٠٠"]),
    st.from_regex(r"\A(\+?86)?1[3-9][0-9 \-()]{9,45}\Z"),
    st.from_regex(r"\A0[0-9]{2,3}[ \-()]{0,40}[0-9]{7,8}[ \-]{0,20}[0-9]{0,5}\Z"),
    weird_text,
)


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


@FUZZ
@given(data=st.data())
def test_report_form(client, report_form, upload_root, tmp_path, data):
    url, valid_csrf, ids, questions = report_form
    draw = data.draw
    key = draw(st.one_of(st.builds(tokens.new_submission_key), st.builds(tokens.new_submission_key),
                         weird_text, st.just(MISSING)), label="submission_key")
    csrf = draw(csrf_choice, label="csrf") or valid_csrf
    fields = {
        "csrf_token": csrf,
        "submission_key": key,
        "category": draw(field(st.one_of(st.sampled_from(sorted(ids.values())), weird_text)),
                         label="category"),
        "description": draw(field(st.one_of(plausible_text, weird_text)), label="description"),
        "floor_room": draw(field(st.one_of(st.just("2楼 201"), weird_text)), label="floor_room"),
        "contact_name": draw(field(st.one_of(st.just("李师傅"), weird_text)), label="name"),
        "contact_phone": draw(field(phones), label="phone"),
        "care_card": draw(field(st.one_of(st.just("y"), weird_text)), label="care_card"),
        "photos": draw(st.one_of(st.just(MISSING), st.lists(upload, max_size=4)), label="photos"),
        "kept_photo": draw(field(weird_text), label="kept_photo"),
        f"q{questions['leak_place']}": draw(field(st.one_of(
            st.sampled_from(["stairwell", "roof"]), weird_text)), label="leak_place"),
        f"q{questions['floor']}": draw(field(st.one_of(
            st.sampled_from(["3", "-1", "1e999", "NaN", "12,5"]), weird_text)), label="floor"),
    }
    fields.update(draw(st.dictionaries(st.text(max_size=12), weird_text, max_size=2),
                       label="extra fields"))
    encoding = draw(encodings, label="encoding")
    before = row_counts()

    response = post_drawn(client, url, fields, encoding, valid_csrf)

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
        if after["Report"] > before["Report"] and isinstance(fields["description"], str):
            assert report.description == clean_text(fields["description"])
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
    state = draw(st.sampled_from(["submitted", "submitted", "resolved", "closed"]), label="state")
    report, link = file_report(entrance_code)
    if state != "submitted":
        resolve(report)
    if state == "closed":
        from webapp.domain import workflow
        workflow.confirm_fixed(report, 4, None)
    fields = {
        "csrf_token": draw(csrf_choice, label="csrf") or tracking_csrf,
        "note": draw(field(st.one_of(plausible_text, weird_text)), label="note"),
        "photos": draw(st.one_of(st.just(MISSING), st.lists(upload, max_size=4)), label="photos"),
    }
    fields.update(draw(st.dictionaries(st.text(max_size=12), weird_text, max_size=2),
                       label="extra fields"))
    encoding = draw(encodings, label="encoding")
    before, files_before = row_counts(), stored_files(upload_root)

    response = post_drawn(client, f"{link}/info", fields, encoding, tracking_csrf)

    assert_answered(response)
    after = row_counts()
    if response.status_code >= 400:
        expect_nothing_new(before, after, "ReportEvent", "ReportPhoto")
        assert stored_files(upload_root) == files_before
    else:
        assert response.status_code == 303 and state != "closed"
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
    fields = {
        "csrf_token": draw(csrf_choice, label="csrf") or tracking_csrf,
        "rating": draw(field(st.one_of(st.sampled_from(["1", "3", "5", "0", "6", "-1", "4.5",
                                                         "５", "٣", "²"]), weird_text)),
                       label="rating"),
        "comment": draw(field(st.one_of(plausible_text, weird_text)), label="comment"),
    }
    fields.update(draw(st.dictionaries(st.text(max_size=12), weird_text, max_size=2),
                       label="extra fields"))
    encoding = draw(encodings, label="encoding")

    response = post_drawn(client, f"{link}/confirm", fields, encoding, tracking_csrf)

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
    fields = {
        "csrf_token": draw(csrf_choice, label="csrf") or tracking_csrf,
        "reason": draw(field(st.one_of(plausible_text, weird_text)), label="reason"),
    }
    fields.update(draw(st.dictionaries(st.text(max_size=12), weird_text, max_size=2),
                       label="extra fields"))
    encoding = draw(encodings, label="encoding")
    events_before = len(report.events)

    response = post_drawn(client, f"{link}/not-fixed", fields, encoding, tracking_csrf)

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
    fields = {
        "csrf_token": draw(csrf_choice, label="csrf") or valid_csrf,
        "submission_key": draw(st.one_of(st.builds(tokens.new_submission_key),
                                         st.builds(tokens.new_submission_key), weird_text,
                                         st.just(MISSING)), label="submission_key"),
        "name": draw(field(st.one_of(st.just("赵奶奶"), weird_text)), label="name"),
        "phone": draw(field(phones), label="phone"),
        "floor_room": draw(field(st.one_of(st.just("4楼401"), weird_text)), label="floor_room"),
        "note": draw(field(st.one_of(plausible_text, weird_text)), label="note"),
    }
    fields.update(draw(st.dictionaries(st.text(max_size=12), weird_text, max_size=2),
                       label="extra fields"))
    encoding = draw(encodings, label="encoding")
    before = row_counts()

    response = post_drawn(client, url, fields, encoding, valid_csrf)

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
    made, _created = booking_domain.book(roomy, entrance_code, booking_domain.BookingDraft(
        submission_key=key, name="赵奶奶", phone=f"138{row_counts()['Booking']:08d}"))
    link = f"/b/{tokens.booking_token(key)}"
    valid_csrf = csrf_from(client.get(link).get_data(as_text=True))
    fields = {
        "csrf_token": draw(csrf_choice, label="csrf") or valid_csrf,
        "reason": draw(field(st.one_of(plausible_text, weird_text)), label="reason"),
    }
    fields.update(draw(st.dictionaries(st.text(max_size=12), weird_text, max_size=2),
                       label="extra fields"))
    encoding = draw(encodings, label="encoding")

    response = post_drawn(client, f"{link}/cancel", fields, encoding, valid_csrf)

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
