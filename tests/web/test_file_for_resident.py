"""多元点单 through the pages: a dispatcher or grid worker files a report for a resident from
the place picker (with or without htmx) or a scanned door, with the channel, photos and the
resident's tracking link texted and shown once; the channel shows in the queue, on the report
page and on the board."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, hidden_value, login
from tests.web.helpers import category_id, photo_count, photo_upload, report_count
from webapp.extensions import db
from webapp.models import Building, Compound, OutboxMessage, QrCode, Report

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def place(compound="建材宿舍", building="1号楼"):
    return db.session.scalars(select(Building).join(Compound).where(
        Compound.name == compound, Building.name == building)).one()


def picked_url(entrance=1):
    b = place()
    return (f"/staff/file?compound={b.compound_id}&building={b.id}"
            f"&entrance={b.entrances[entrance].id}")


def open_form(client, url, headers=EN):
    page = client.get(url, headers=headers)
    assert page.status_code == 200
    action = re.search(r'id="file-form"[^>]*action="([^"]+)"', page.text, re.S)
    assert action, "no report form on the page"
    return page.text, action.group(1).replace("&amp;", "&")


def fields(html, **changes):
    values = {"csrf_token": csrf_from(html), "submission_key": hidden_value(html, "submission_key"),
              "channel": "phone", "category": str(category_id()),
              "description": "三楼楼道灯不亮，老人晚上看不清。", "contact_name": "赵奶奶",
              "contact_phone": "139 1234 5678", "floor_room": "3楼 302"}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_the_place_picker_works_step_by_step_without_javascript(client, demo):
    login(client, "dispatcher")
    b = place()
    first = client.get("/staff/file", headers=EN).text
    assert 'name="compound"' in first and 'name="building"' not in first
    assert 'id="file-form"' not in first and "建材宿舍" in first
    second = client.get(f"/staff/file?compound={b.compound_id}", headers=EN).text
    assert 'name="building"' in second and 'name="entrance"' not in second
    third = client.get(f"/staff/file?compound={b.compound_id}&building={b.id}", headers=EN).text
    assert 'name="entrance"' in third and "2单元" in third and 'id="file-form"' not in third
    _html, action = open_form(client, picked_url())
    assert f"building={b.id}" in action and f"entrance={b.entrances[1].id}" in action
    # the whole building, and a building of another compound counts as not picked
    open_form(client, f"/staff/file?compound={b.compound_id}&building={b.id}&entrance=0")
    other = place("微波宿舍")
    mixed = client.get(f"/staff/file?compound={b.compound_id}&building={other.id}").text
    assert 'id="file-form"' not in mixed


def test_with_htmx_a_step_answers_only_the_picker_and_the_form(client, demo):
    login(client, "dispatcher")
    b = place()
    part = client.get(f"/staff/file?compound={b.compound_id}", headers={
        "HX-Request": "true", "HX-Target": "file-place", **EN})
    assert part.status_code == 200 and "<html" not in part.text
    assert part.text.lstrip().startswith('<div id="file-place">') and 'name="building"' in part.text


def test_a_dispatcher_files_a_phone_call_and_the_resident_is_texted_the_link(client, demo):
    login(client, "dispatcher")
    html, action = open_form(client, picked_url())
    before = report_count()
    response = client.post(action, data={**fields(html, sms_updates="y"),
                                         "photos": [photo_upload()]},
                           headers=EN, content_type="multipart/form-data")
    assert response.status_code == 200, response.text[:2000]
    assert report_count() == before + 1 and photo_count() >= 1
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert (report.channel, report.contact_phone, report.sms_updates) == (
        "phone", "13912345678", True)
    assert report.entrance.name == "2单元" and report.qr_code_id is None
    assert report.events[0].actor_kind == "staff"
    # the link, shown this once, is the resident's working tracking page
    link = re.search(r'id="tracking-link" type="text" readonly value="([^"]+)"', response.text)
    assert report.number in response.text and "139" in response.text
    tracking = client.application.test_client().get(urlsplit(link.group(1)).path)
    assert tracking.status_code == 200 and report.number in tracking.text
    texts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
    assert [t.kind for t in texts] == ["received"]
    assert texts[0].recipient == "phone:+8613912345678"

    queue = client.get("/staff/queue?tab=new", headers=ZH).text
    row = queue[queue.index(report.number):][:1500]
    assert 'class="tag tag-channel">电话<' in row
    page = client.get(f"/staff/reports/{report.id}", headers=ZH).text
    assert "由 社区派单员 李静 · 八一社区居委会 代登记" in page and "代居民登记" in page


def test_a_grid_worker_files_a_patrol_finding_by_scanning_the_door(client, demo):
    code = db.session.scalars(select(QrCode).where(
        QrCode.entrance_id == place().entrances[2].id)).first()
    anonymous = client.get(f"/q/{code.token}").text
    assert "/staff/file" not in anonymous
    login(client, "grid")
    scan = client.get(f"/q/{code.token}", headers=ZH)
    assert f"/staff/file?code={code.token}" in scan.text and "代居民登记" in scan.text
    html, action = open_form(client, f"/staff/file?code={code.token}")
    response = client.post(action, data=fields(html, channel="patrol", contact_name=None,
                                               contact_phone=None, floor_room=None),
                           headers=EN, content_type="multipart/form-data")
    assert response.status_code == 200
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert (report.channel, report.qr_code_id, report.contact_phone) == (
        "patrol", code.id, None)
    # every link of the page after filing opens for a grid worker
    for href in re.findall(r'class="button[^"]*" href="([^"]+)"', response.text):
        assert client.get(href).status_code == 200, href


def test_who_may_file(client, demo):
    for who, status in (("mateng", 403), ("grid", 200), ("admin", 200)):
        login(client, who)
        assert client.get("/staff/file").status_code == status, who
    login(client, "mateng")
    assert "/staff/file" not in client.get("/staff/jobs").text


def test_a_code_of_another_community_is_not_found(client, demo):
    login(client, "dispatcher")
    elsewhere = db.session.scalars(select(QrCode).where(
        QrCode.building_id == place("东方花苑", "1幢").id)).first()
    assert client.get(f"/staff/file?code={elsewhere.token}").status_code == 404
    assert client.get("/staff/file?code=no-such-code").status_code == 404


@pytest.mark.parametrize(("changes", "message"), [
    ({"channel": None}, "Please choose how the report came in."),
    ({"channel": "qr"}, "Not a valid choice."),
    ({"sms_updates": "y", "contact_phone": "0351-7654321"},
     "To be sent text messages, please give a mobile number."),
])
def test_a_refused_form_keeps_what_was_typed_and_the_photos(client, demo, changes, message):
    login(client, "dispatcher")
    html, action = open_form(client, picked_url())
    before, photos_before = report_count(), photo_count()
    response = client.post(action, data={**fields(html, **changes),
                                         "photos": [photo_upload()]},
                           headers=EN, content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.text
    assert "三楼楼道灯不亮" in response.text and "1 photo already attached" in response.text
    assert (report_count(), photo_count()) == (before, photos_before)


def test_a_post_without_a_place_is_refused(client, demo):
    login(client, "dispatcher")
    html, _action = open_form(client, picked_url())
    response = client.post("/staff/file", data=fields(html), headers=EN,
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Please choose the place first." in response.text


def test_the_board_counts_reports_by_channel(client, demo):
    login(client, "grid")
    html, action = open_form(client, picked_url())
    assert client.post(action, data=fields(html, channel="meeting"),
                       content_type="multipart/form-data").status_code == 200
    board = client.application.test_client().get("/board/", headers=ZH).text
    assert "居民议事会" in board and "赵奶奶" not in board and "13912345678" not in board
