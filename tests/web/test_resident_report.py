"""Filing a report from a scanned code: success, idempotency and every kind of bad input."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import app_secret, jpeg_bytes, png_header_bomb
from tests.web.helpers import (
    category_id,
    open_report_form,
    photo_count,
    photo_upload,
    report_count,
    report_fields,
    submit_report,
)
from webapp.extensions import db
from webapp.models import QrCode, Report
from webapp.models.types import utcnow

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def test_scan_page_shows_the_place_and_hotlines(client, entrance_code):
    page = client.get(f"/q/{entrance_code.token}", headers=ZH)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("八一社区", "微波宿舍", "1号楼", "2单元", "0351-7654321", "0351-7654300"):
        assert text in html
    assert f"/q/{entrance_code.token}/report" in html
    assert 'lang="zh-CN"' in html


def test_scan_page_is_the_same_for_everyone_and_revalidates(client, entrance_code):
    first = client.get(f"/q/{entrance_code.token}", headers=EN)
    assert first.headers.get("ETag")
    assert "Set-Cookie" not in first.headers  # no session, no CSRF token: shareable
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get(f"/q/{entrance_code.token}", headers={
        **EN, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    other_language = client.get(f"/q/{entrance_code.token}", headers=ZH)
    assert other_language.headers["ETag"] != first.headers["ETag"]


def test_scan_page_follows_a_change_of_place(client, entrance_code):
    before = client.get(f"/q/{entrance_code.token}", headers=ZH)
    entrance_code.entrance.name = "二单元"
    db.session.commit()
    after = client.get(f"/q/{entrance_code.token}", headers={
        **ZH, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "二单元" in after.get_data(as_text=True)


def test_report_creates_one_report_and_redirects_to_tracking(client, entrance_code):
    before = report_count()
    response = submit_report(client, entrance_code.token, files=[photo_upload()])
    assert response.status_code == 303
    tracking_url = response.headers["Location"]
    assert re.fullmatch(r"/t/[A-Za-z0-9_-]{22,}", tracking_url)
    assert report_count() == before + 1
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report.entrance_id == entrance_code.entrance_id
    assert report.contact_phone == "13800138000"
    assert len(report.photos) == 1

    page = client.get(tracking_url)
    html = page.get_data(as_text=True)
    assert report.number in html
    assert "李师傅" in html and "13800138000" in html
    assert f"/photos/{report.photos[0].id}.jpg" in html


@pytest.mark.parametrize("typed", ["138.0013.8000", "＋86 138/0013/8000", "(+86)138-0013-8000"])
def test_a_phone_in_any_spelling_is_stored_in_one(client, entrance_code, typed):
    assert submit_report(client, entrance_code.token, contact_phone=typed).status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report.contact_phone == "13800138000"


def test_the_place_comes_from_the_code_not_the_form(client, entrance_code):
    response = submit_report(client, entrance_code.token, building_id="1", entrance_id="1",
                             compound_id="1")
    assert response.status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report.entrance_id == entrance_code.entrance_id


def test_double_submit_makes_one_report(client, entrance_code):
    hidden = open_report_form(client, entrance_code.token)
    fields = report_fields(hidden)
    before = report_count()
    first = client.post(f"/q/{entrance_code.token}/report", data=fields)
    second = client.post(f"/q/{entrance_code.token}/report", data=fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert report_count() == before + 1


def test_htmx_success_uses_hx_location(client, entrance_code):
    response = submit_report(client, entrance_code.token, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Location"].startswith("/t/")


BAD_INPUTS = [
    ({"description": ""}, "Please describe the problem."),
    ({"description": "   \n  "}, "Please describe the problem."),
    ({"description": "x" * 1001}, "Please use 4 to 1000 characters."),
    ({"category": None}, "Please choose what the problem is about."),
    ({"category": "99999"}, "Please choose a category from the list."),
    ({"category": "water'; DROP TABLE report;--"}, "Please choose a category from the list."),
    ({"contact_phone": "12345"}, "Please enter a mobile number"),
    ({"contact_phone": "<script>alert(1)</script>"}, "Please enter a mobile number"),
    ({"contact_phone": "138 0013 8000 " * 5}, "At most 30 characters."),
    ({"contact_phone": "0351-7654321", "sms_updates": "y"},
     "To be sent text messages, please give a mobile number."),
    ({"floor_room": "房" * 41}, "At most 40 characters."),
    ({"contact_name": "名" * 41}, "At most 40 characters."),
    ({"submission_key": "../../x"}, "This form is out of date."),
]


@pytest.mark.parametrize(("changes", "message"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_message_and_kept(client, entrance_code, changes, message):
    before = report_count()
    fields = report_fields(open_report_form(client, entrance_code.token), **changes)
    response = client.post(f"/q/{entrance_code.token}/report", data=fields, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert report_count() == before
    # what was typed is still there
    for key in ("description", "floor_room", "contact_name"):
        value = fields.get(key, "")
        if value.strip() and len(value) <= 1001:
            assert value.strip()[:20] in html


def test_messages_come_in_chinese_for_chinese_visitors(client, entrance_code):
    fields = report_fields(open_report_form(client, entrance_code.token), description="")
    response = client.post(f"/q/{entrance_code.token}/report", data=fields, headers=ZH)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please describe the problem." not in html
    assert re.search(r'class="field-error"[^>]*>[^<]*[\u4e00-\u9fff]', html)


@pytest.mark.parametrize(("upload", "message"), [
    (photo_upload(b"this is just text", "notes.jpg"), "not a photo we can read"),
    (photo_upload(jpeg_bytes()[:400], "broken.jpg"), "not a photo we can read"),
    (photo_upload(b"%PDF-1.7 fake", "scan.pdf"), "not a photo we can read"),
    (photo_upload(png_header_bomb(), "bomb.png"), "too many pixels"),
])
def test_bad_photos_are_refused_and_nothing_is_stored(client, entrance_code, app,
                                                     upload, message):
    before = (report_count(), photo_count())
    response = submit_report(client, entrance_code.token, files=[upload], headers=EN)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (report_count(), photo_count()) == before
    assert not list((Path(app.config["UPLOAD_FOLDER"]) / "reports").glob("*"))


def test_too_many_photos(client, entrance_code):
    before = report_count()
    response = submit_report(client, entrance_code.token, headers=EN,
                             files=[photo_upload() for _ in range(4)])
    assert response.status_code == 422
    assert "At most 3 photos" in response.get_data(as_text=True)
    assert report_count() == before


def test_good_photos_survive_an_error_elsewhere_in_the_form(client, entrance_code):
    hidden = open_report_form(client, entrance_code.token)
    fields = report_fields(hidden, description="")
    fields["photos"] = [photo_upload(), photo_upload()]
    first = client.post(f"/q/{entrance_code.token}/report", data=fields, headers=EN,
                        content_type="multipart/form-data")
    html = first.get_data(as_text=True)
    assert first.status_code == 422
    assert "2 photos already attached." in html
    kept = re.findall(r'name="kept_photo" value="([^"]+)"', html)
    assert len(kept) == 2

    fixed = report_fields(hidden, description="水管漏水，请尽快处理")
    fixed["kept_photo"] = kept
    second = client.post(f"/q/{entrance_code.token}/report", data=fixed)
    assert second.status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert len(report.photos) == 2


def test_kept_photo_names_from_another_submission_are_ignored(client, entrance_code):
    hidden = open_report_form(client, entrance_code.token)
    fields = report_fields(hidden, kept_photo="../../secret_key")
    response = client.post(f"/q/{entrance_code.token}/report", data=fields)
    assert response.status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report.photos == []


def test_oversized_upload_gets_a_clear_413(client, entrance_code, app):
    before = report_count()
    big = b"\xff\xd8" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = submit_report(client, entrance_code.token, headers=EN,
                             files=[photo_upload(big, "huge.jpg")])
    assert response.status_code == 413
    assert "at most 10 MB" in response.get_data(as_text=True)
    assert report_count() == before


def test_oversized_htmx_upload_reports_into_the_form(client, entrance_code, app):
    big = b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = submit_report(client, entrance_code.token,
                             headers={**EN, "HX-Request": "true", "HX-Trigger": "report-form"},
                             files=[photo_upload(big, "huge.jpg")])
    assert response.status_code == 413
    assert response.headers["HX-Retarget"] == "#report-form-problem"
    assert "<html" not in response.get_data(as_text=True)


def test_htmx_validation_error_returns_only_the_form(client, entrance_code):
    response = submit_report(client, entrance_code.token, description="",
                             headers={**EN, "HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.lstrip().startswith('<form id="report-form"')
    assert "<html" not in html
    assert "Please describe the problem." in html


def test_missing_csrf_token_is_refused(client, entrance_code):
    fields = report_fields(open_report_form(client, entrance_code.token), csrf_token=None)
    before = report_count()
    response = client.post(f"/q/{entrance_code.token}/report", data=fields, headers=EN)
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert report_count() == before


def test_unknown_code_gets_a_friendly_404_with_the_hotline_when_known(client, app):
    # No communities yet: no hotline to show, still friendly.
    page = client.get("/q/doesnotexist", headers=EN)
    assert page.status_code == 404
    assert "could not find" in page.get_data(as_text=True)

    from webapp.domain import unit_of_work
    from webapp.seed.demo import load_demo_data
    with unit_of_work():
        load_demo_data(app_secret())
    page = client.get("/q/doesnotexist/report", headers=EN)
    assert page.status_code == 404
    # two demo communities: which hotline is unknown, so none is guessed
    assert "0351-7654321" not in page.get_data(as_text=True)


def test_unknown_code_shows_the_only_communitys_hotline(client, app):
    from webapp.models import Community
    db.session.add(Community(code="solo", name="单一社区", hotline="010-12345678"))
    db.session.commit()
    page = client.get("/q/doesnotexist", headers=EN)
    assert page.status_code == 404
    assert "010-12345678" in page.get_data(as_text=True)


def test_revoked_code_says_it_was_replaced(client, entrance_code):
    entrance_code.revoked_at = utcnow()
    db.session.commit()
    for url in (f"/q/{entrance_code.token}", f"/q/{entrance_code.token}/report"):
        page = client.get(url, headers=EN)
        assert page.status_code == 410
        html = page.get_data(as_text=True)
        assert "This code was replaced" in html and "0351-7654321" in html
    before = report_count()
    fields = {"description": "still trying", "category": str(category_id())}
    assert client.post(f"/q/{entrance_code.token}/report", data=fields).status_code in (400, 410)
    assert report_count() == before


def test_building_level_code_files_a_report_without_entrance(client, demo):
    code = db.session.scalars(select(QrCode).where(QrCode.entrance_id.is_(None))).first()
    response = submit_report(client, code.token)
    assert response.status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report.building_id == code.building_id and report.entrance_id is None
