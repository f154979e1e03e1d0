"""Fixed examples of the input the fuzzing found troublesome: a file or a JSON number where a
form expects text, digits that are not ASCII, numbers too big for the database, a phone
number padded past its column. Each is a 4xx with a message or a clean success, never a 500."""

import io
import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret, csrf_from, login
from tests.security.helpers import (
    assert_answered,
    assert_no_half_records,
    file_report,
    resolve,
    row_counts,
)
from tests.web.helpers import open_report_form, report_fields
from webapp.domain import unit_of_work
from webapp.domain.reports import transitions
from webapp.domain.services import booking
from webapp.domain.shared import tokens
from webapp.extensions import db
from webapp.models import Report, ServiceType, Slot

EN = {"Accept-Language": "en"}
HUGE = "99999999999999999999"  # more than any INTEGER column holds, SQLite's or PostgreSQL's
# What the database driver raises for HUGE: SQLite's OverflowError, PostgreSQL's DataError.
def a_file():
    return (io.BytesIO(b"not text"), "note.txt", "text/plain")


def latest_report():
    db.session.rollback()
    return db.session.scalars(select(Report).order_by(Report.id.desc())).first()


# --- the report form -----------------------------------------------------------------------

def post_report(client, token, **changes):
    fields = report_fields(open_report_form(client, token))
    fields.update(changes)
    return client.post(f"/q/{token}/report", data=fields, headers=EN,
                       content_type="multipart/form-data")


def test_a_file_in_a_text_field_of_the_report_form(client, entrance_code, upload_root):
    for name in ("description", "floor_room", "contact_name", "contact_phone", "submission_key",
                 "category"):
        before = row_counts()
        response = post_report(client, entrance_code.token, **{name: a_file()})
        assert_answered(response)
        if name in ("description", "submission_key", "category"):
            assert response.status_code == 422, name  # required: a file is no answer
            assert row_counts() == before, name
    assert_no_half_records(upload_root)


def test_a_json_body_with_values_of_the_wrong_type(client, entrance_code, upload_root):
    for name in ("description", "contact_name", "contact_phone", "submission_key", "category",
                 "care_card"):
        for value in (123, 1.5, True, [1, 2], {"a": 1}, None):
            fields = report_fields(open_report_form(client, entrance_code.token))
            fields[name] = value
            response = client.post(f"/q/{entrance_code.token}/report",
                                   data=json.dumps(fields), content_type="application/json",
                                   headers={**EN, "X-CSRFToken": fields["csrf_token"]})
            assert_answered(response)
    assert_no_half_records(upload_root)


def test_a_category_that_only_looks_like_a_number(client, entrance_code):
    before = row_counts()
    for category in ("²", "٣", "１", "9" * 5000, "-1", " 1", "1.0"):
        response = post_report(client, entrance_code.token, category=category)
        assert response.status_code == 422, category
        assert "Please choose a category from the list." in response.text
    assert row_counts() == before


def test_phone_numbers_are_stored_within_their_column(client, entrance_code):
    """PostgreSQL refuses more than 30 characters (a 500); digits of another width or script
    would not match a care card's number: every number is stored in its one ASCII spelling.
    What is typed may be as long as the column (tests/test_text_limits)."""
    for phone, stored in (
        ("0351" + "-" * 19 + "7654321", "0351-7654321"),
        ("0351" + " " * 13 + "7654321 - 123", "0351-7654321-123"),
        ("(0351)" + "(" * 17 + "7654321", "0351-7654321"),
        ("１３８ ００１３ ８０００", "13800138000"),  # typed with the full-width IME digits
        ("（０３５１）７６５４３２１", "0351-7654321"),
        ("١٣٨٠٠١٣٨٠٠٠", "13800138000"),  # Arabic-Indic digits: the same number
    ):
        response = post_report(client, entrance_code.token, contact_phone=phone)
        assert response.status_code == 303, phone
        assert latest_report().contact_phone == stored


def test_phone_numbers_too_long_or_no_number_are_refused_never_cut(client, entrance_code):
    before = row_counts()
    for phone in ("138001380001" * 2, "1380013800０0" + "\x00" * 3):
        response = post_report(client, entrance_code.token, contact_phone=phone)
        assert response.status_code == 422, phone
        assert "Please enter a mobile number" in response.text
    # Longer than the column: refused as such, whatever the digits (never cut to fit).
    for phone in ("138001380001" * 3, "0351" + "-" * 60 + "7654321"):
        response = post_report(client, entrance_code.token, contact_phone=phone)
        assert response.status_code == 422, phone
        assert "At most 30 characters." in response.text
    assert row_counts() == before


# --- the tracking page and the booking page ------------------------------------------------

@pytest.fixture
def resolved_link(client, entrance_code):
    report, link = file_report(entrance_code)
    resolve(report)
    return report, link, csrf_from(client.get(link).text)


def test_a_file_in_a_text_field_of_the_tracking_forms(client, entrance_code, upload_root):
    for path, fields in (
        ("info", {"note": a_file}),
        ("info", {"note": a_file, "photos": a_file}),
        ("confirm", {"rating": a_file, "comment": "好"}),
        ("confirm", {"rating": "5", "comment": a_file}),
        ("not-fixed", {"reason": a_file}),
    ):
        report, link = file_report(entrance_code)
        resolve(report)
        events = len(report.events)
        data = {"csrf_token": csrf_from(client.get(link).text),
                **{k: v() if callable(v) else v for k, v in fields.items()}}
        response = client.post(f"{link}/{path}", data=data, headers=EN,
                               content_type="multipart/form-data")
        assert_answered(response)
        db.session.refresh(report)
        if response.status_code >= 400:
            assert len(report.events) == events and report.status == "resolved"
    assert_no_half_records(upload_root)


def test_json_values_of_the_wrong_type_in_the_tracking_forms(client, entrance_code,
                                                             upload_root):
    for path, body in (("info", {"note": 5}), ("confirm", {"rating": 5, "comment": 1.5}),
                       ("confirm", {"rating": [5, 4], "comment": True}),
                       ("not-fixed", {"reason": 42}), ("not-fixed", {"reason": {"a": 1}})):
        report, link = file_report(entrance_code)
        resolve(report)
        response = client.post(f"{link}/{path}", data=json.dumps(body), headers={
            **EN, "X-CSRFToken": csrf_from(client.get(link).text)},
            content_type="application/json")
        assert_answered(response)
    assert_no_half_records(upload_root)


def test_wrong_types_in_the_booking_form(client, entrance_code, roomy, upload_root):
    url = f"/q/{entrance_code.token}/slots/{roomy.id}/book"
    csrf = csrf_from(client.get(url).text)
    for n, fields in enumerate(({"name": a_file}, {"phone": a_file}, {"floor_room": a_file},
                                {"note": a_file}, {"submission_key": a_file})):
        data = {"csrf_token": csrf, "submission_key": tokens.new_submission_key(),
                "name": "赵奶奶", "phone": f"1381111{n:04d}", "floor_room": "4楼401",
                **{k: v() for k, v in fields.items()}}
        before = row_counts()
        response = client.post(url, data=data, headers=EN, content_type="multipart/form-data")
        assert_answered(response)
        if set(fields) & {"name", "phone", "submission_key"}:
            assert response.status_code == 422 and row_counts() == before, fields
    for n, body in enumerate(({"name": 7, "phone": 13811112222}, {"note": [1, 2]},
                              {"submission_key": 1.0}, {"floor_room": True})):
        data = {"submission_key": tokens.new_submission_key(), "name": "赵奶奶",
                "phone": f"1382222{n:04d}", **body}
        response = client.post(url, data=json.dumps(data), content_type="application/json",
                               headers={**EN, "X-CSRFToken": csrf})
        assert_answered(response)
    key = tokens.new_submission_key()
    with unit_of_work():
        booking.book(roomy, entrance_code, booking.BookingDraft(key, "赵奶奶", "13811112222"),
                     secret=app_secret())
    link = f"/b/{tokens.booking_token(key, app_secret())}"
    for reason in (a_file(), None):
        data = {"csrf_token": csrf, "reason": reason} if reason else {"reason": 5}
        response = client.post(f"{link}/cancel", data=json.dumps(data) if not reason else data,
                               headers={**EN, "X-CSRFToken": csrf},
                               content_type="multipart/form-data" if reason else
                               "application/json")
        assert_answered(response)
    assert_no_half_records(upload_root)


# --- defects outside the form modules (each was a 500 or a silent refusal) -----------------

@pytest.mark.parametrize("state, path, fields", [
    ("closed", "info", {"note": ""}),
    ("submitted", "confirm", {"comment": "好"}),
    ("submitted", "not-fixed", {"reason": ""}),
])
def test_an_invalid_post_in_the_wrong_state_says_why(client, entrance_code, state, path,
                                                      fields):
    report, link = file_report(entrance_code)
    csrf = csrf_from(client.get(link).text)  # the page as it was, in another tab
    if state == "closed":
        resolve(report)
        with unit_of_work():
            transitions.confirm_fixed(report, 4, None)
    response = client.post(f"{link}/{path}", data={"csrf_token": csrf, **fields}, headers=EN)
    assert_answered(response)
    assert response.status_code == 409


@pytest.mark.parametrize("version", ["²", "9" * 5000])
def test_polling_the_tracking_page_with_an_odd_version(client, entrance_code, version):
    _report, link = file_report(entrance_code)
    response = client.get(f"{link}?v={version}", headers={"HX-Request": "true"})
    assert response.status_code < 500


@pytest.mark.parametrize("path", [
    "/q/{qr}/slots/{huge}/book", "/q/{qr}/services/{huge}", "{link}/photos/{huge}.jpg",
])
def test_an_id_too_big_for_the_database_in_a_resident_url(client, entrance_code, path):
    _report, link = file_report(entrance_code)
    url = path.format(qr=entrance_code.token, huge=HUGE, link=link)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [f"/staff/reports/{HUGE}", f"/staff/queue?compound={HUGE}",
                                 f"/staff/queue?category={HUGE}", "/staff/queue?seen=²",
                                 f"/staff/export.csv?compound={HUGE}"])
def test_staff_urls_with_numbers_too_big_or_not_ascii(client, demo, url):
    login(client, "dispatcher")
    assert client.get(url).status_code < 500


@pytest.mark.parametrize("fields", [{"version": "²"}, {"org": HUGE}, {"org": "²"},
                                    {"person": HUGE}, {"canned": HUGE, "text": ""}])
def test_staff_actions_with_numbers_too_big_or_not_ascii(client, entrance_code, fields):
    report, _link = file_report(entrance_code)
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{report.id}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    action = "public_reply" if "canned" in fields else "assign"
    data = {"csrf_token": csrf, "version": str(report.version),
            "org": str(report.compound.partner_org_id), **fields}
    response = client.post(f"/staff/reports/{report.id}/{action}", data=data, headers=EN)
    assert_answered(response)


def volunteer_offer(client, **fields):
    login(client, "xiaowang")
    page = client.get("/volunteer/").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    start = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    return client.post("/volunteer/availability", headers=EN, data={
        "csrf_token": csrf, "start": start, "places": "1", **fields})


def test_a_volunteer_offers_a_time_for_a_service_that_is_not_a_number(client, demo):
    assert volunteer_offer(client, service="abc").status_code < 500


def test_a_volunteer_offers_a_time_at_a_location_with_nul(client, demo):
    service = db.session.scalars(select(ServiceType).order_by(ServiceType.id)).first()
    response = volunteer_offer(client, service=str(service.id), location="服务\x00中心")
    assert_answered(response)
    db.session.rollback()
    locations = db.session.scalars(select(Slot.location).where(Slot.location.is_not(None)))
    assert not any("\x00" in location for location in locations)


@pytest.mark.parametrize("url", ["/q/%00", "/q/ab%00cd/report", "/q/%00/services",
                                 "/q/%00/slots/1/book", "/volunteer/feed/%00.ics"])
def test_a_nul_in_a_url(client, demo, url):
    assert client.get(url).status_code in (404, 410)


def test_a_nul_in_the_login_name(client, demo):
    csrf = csrf_from(client.get("/login").text)
    response = client.post("/login", headers=EN, data={
        "csrf_token": csrf, "username": "dispatcher\x00", "password": "mashang-demo"})
    assert response.status_code < 500 and response.status_code != 303


@pytest.mark.parametrize("url", ["/staff/arrive/%00", "/staff/codes/%00.svg"])
def test_a_nul_in_a_staff_url(client, demo, url):
    login(client, "admin")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/q/{qr}/report", "/login"])
def test_a_multipart_part_without_a_name(client, entrance_code, url):
    body = (b"------part\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
            b"------part--\r\n")
    response = client.post(url.format(qr=entrance_code.token), data=body, headers=EN,
                           content_type="multipart/form-data; boundary=----part")
    assert_answered(response)
