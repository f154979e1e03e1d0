"""GET requests, as a list and one by one: the spec's fields, filters and pages, status and SLA,
and no personal data out."""

import re
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.conftest import app_secret, jpeg_bytes
from tests.open311.helpers import (
    REQUEST_FIELDS,
    V2,
    W3C,
    errors_of,
    file_request,
    json_of,
    report_numbered,
    tags,
    xml_of,
)
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, intake, transitions
from webapp.domain.shared import photos
from webapp.domain.shared.photos import process_photo
from webapp.extensions import db
from webapp.models import Category, QrCode
from webapp.models.types import utcnow


def test_a_status_change_shows_in_get(client, key, users):
    number = file_request(client, key)
    listed = json_of(client.get(f"{V2}/requests/{number}.json"))[0]
    assert listed["status"] == "open" and listed["agency_responsible"] is None
    report = report_numbered(number)
    assert W3C.match(listed["expected_datetime"])
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org,
                        users["mateng"])
    assigned = json_of(client.get(f"{V2}/requests/{number}.json"))[0]
    assert assigned["agency_responsible"] == report.compound.partner_org.name
    with unit_of_work():
        transitions.accept(report, users["mateng"])
        transitions.arrive(report, users["mateng"])
        transitions.resolve(report, users["mateng"], "已更换漏水的水管接头。")
    for ext in ("json", "xml"):
        response = client.get(f"{V2}/requests/{number}.{ext}")
        if ext == "json":
            done = json_of(response)[0]
        else:
            done = {child.tag: child.text for child in xml_of(response).find("request")}
        assert done["status"] == "closed"
        assert done["status_notes"] == "已更换漏水的水管接头。"
        assert not done["expected_datetime"]
    closed = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi&status=closed"))
    assert number in [r["service_request_id"] for r in closed]
    still_open = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi&status=open"))
    assert number not in [r["service_request_id"] for r in still_open]


def test_expected_datetime_follows_the_sla_clock(client, key):
    number = file_request(client, key)
    report = report_numbered(number)
    accept_due = report.milestones[0].due_at
    expected = json_of(client.get(f"{V2}/requests/{number}.json"))[0]["expected_datetime"]
    # accept (30) is running; then on site (5) and fixed (20): 25 minutes after accept is due.
    assert abs(datetime.fromisoformat(expected) - (accept_due + timedelta(minutes=25))) < \
        timedelta(seconds=1)


def test_get_requests_in_both_formats_with_the_specs_fields(client, key):
    number = file_request(client, key)
    listed = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi"))
    assert isinstance(listed, list) and listed[0]["service_request_id"] == number
    assert all(list(r) == REQUEST_FIELDS for r in listed)
    for field in ("requested_datetime", "updated_datetime"):
        assert W3C.match(listed[0][field]), listed[0][field]
    assert listed[0]["address"] == "1号楼, 微波宿舍, 八一社区"
    assert re.fullmatch(r"E\d+", listed[0]["address_id"])

    root = xml_of(client.get(f"{V2}/requests.xml?jurisdiction_id=bayi"))
    assert root.tag == "service_requests"
    assert all(r.tag == "request" and tags(r) == REQUEST_FIELDS for r in root)
    assert root.find("request/service_request_id").text == number
    assert len(root) == len(listed)

    one = xml_of(client.get(f"{V2}/requests/{number}.xml"))
    assert tags(one) == ["request"] and one.findtext("request/status") == "open"
    missing = client.get(f"{V2}/requests/19990101-0001.json")
    assert missing.status_code == 404 and errors_of(missing)[0][0] == 404


def test_get_requests_filters(client, key):
    water = file_request(client, key)
    greenery = file_request(client, key, service_code="greenery")
    base = f"{V2}/requests.json?jurisdiction_id=bayi"

    def numbers(query):
        response = client.get(base + query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["service_request_id"] for r in json_of(response)]

    assert numbers("&service_code=greenery") == [greenery]
    assert set(numbers("&service_code=greenery,water")) >= {water, greenery}
    # service_request_id overrides every other filter
    assert sorted(numbers(f"&service_request_id={water},{greenery}&service_code=parking")) == \
        sorted([water, greenery])
    assert numbers("&start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z") == []
    today = utcnow()
    since = (today - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert greenery in numbers(f"&start_date={since}")
    assert numbers("&page_size=1") == [greenery]
    assert numbers("&page_size=1&page=2") == [water]

    for bad in ("&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
                "&start_date=yesterday", "&status=pending", "&page=0", "&page_size=5000"):
        response = client.get(base + bad)
        assert response.status_code == 400, bad
        assert errors_of(response)[0][0] == 400


def test_default_page_is_a_hundred_of_the_last_90_days(client, key, entrance_code):
    category = db.session.scalar(select(Category.id).where(Category.code == "water"))
    with unit_of_work():
        for n in range(101):
            draft = intake.ReportDraft(submission_key=f"page-test-key-{n:05d}",
                                         category_id=category, description="漏水了")
            intake.submit_report(entrance_code, draft, [], None, secret=app_secret())
        old = intake.ReportDraft(submission_key="page-test-old-00001", category_id=category,
                                   description="很早以前")
        intake.submit_report(entrance_code, old, [], None,
                               now=utcnow() - timedelta(days=100), secret=app_secret())
    response = client.get(f"{V2}/requests.json?jurisdiction_id=bayi")
    assert len(json_of(response)) == 100 and response.headers["X-Page-Size"] == "100"
    everything = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi&page_size=1000"))
    assert len(everything) == 101 + 2  # and the demo's two of 八一社区; not the old one
    assert "很早以前" not in {r["description"] for r in everything}


def test_no_name_phone_room_or_email_leaks_through_get(client, key, entrance_code):
    category = db.session.scalar(select(Category.id).where(Category.code == "water"))
    draft = intake.ReportDraft(
        submission_key="privacy-test-000001", category_id=category,
        description="张三丰家302室门口漏水，电话13912345678，邮件 zsf@example.org",
        floor_room="3楼302室", contact_name="张三丰", contact_phone="13912345678")
    with unit_of_work():
        scanned, _ = intake.submit_report(entrance_code, draft, [], None,
                                            secret=app_secret())
    posted = file_request(client, key, first_name="李", last_name="四光", phone="13887654321",
                          email="lisiguang@example.org",
                          description="请联系李四光 138 8765 4321")
    bodies = []
    for ext in ("json", "xml"):
        bodies.append(client.get(f"{V2}/requests.{ext}?jurisdiction_id=bayi").get_data(
            as_text=True))
        for number in (scanned.number, posted):
            bodies.append(client.get(f"{V2}/requests/{number}.{ext}").get_data(as_text=True))
    for body in bodies:
        for secret in ("张三丰", "13912345678", "302", "zsf@example.org", "李四光",
                       "13887654321", "8765", "lisiguang"):
            assert secret not in body, (secret, body[max(0, body.find(secret) - 200):][:300])
    described = json_of(client.get(f"{V2}/requests/{scanned.number}.json"))[0]["description"]
    assert described.startswith("***家***") and "门口漏水" in described


def bodies_of(client, number) -> str:
    """Everything GET requests says about a request, as a list and alone, JSON and XML."""
    return "".join(client.get(url).get_data(as_text=True) for ext in ("json", "xml") for url in (
        f"{V2}/requests.{ext}?jurisdiction_id=bayi", f"{V2}/requests/{number}.{ext}"))


def test_numbers_with_dots_slashes_or_full_width_digits_are_masked_too(client, key):
    number = file_request(
        client, key, phone="138.0013.8000",
        description="楼道漏水。我的电话138.0013.8000，邻居138/0013/8001，老伴＋８６ １３９ "
                    "１２３４ ５６７８，座机(0351)765-4399转12，身份证11010519900101123X，"
                    "微信 lao_wang88，QQ 12345678，邮箱 laowang＠example．org")
    assert report_numbered(number).contact_phone == "13800138000"
    body = bodies_of(client, number)
    for secret in ("0013", "１２３４", "765-4399", "11010519900101123X", "lao_wang88",
                   "12345678", "laowang"):
        assert secret not in body, (secret, body[max(0, body.find(secret) - 200):][:300])
    assert "楼道漏水" in body


def test_public_replies_and_resolution_notes_are_masked_in_status_notes(client, key, users):
    number = file_request(client, key, first_name="王", last_name="建国", phone="13800138000")
    report = report_numbered(number)
    with unit_of_work():
        dispatch.public_reply(report, users["dispatcher"],
                              "王建国您好，师傅电话 139.1234.5678，微信 shifu_li，今天下午到。")
    notes = json_of(client.get(f"{V2}/requests/{number}.json"))[0]["status_notes"]
    assert "今天下午到" in notes
    for secret in ("王建国", "5678", "shifu_li"):
        assert secret not in notes and secret not in bodies_of(client, number)


def test_a_private_category_is_counted_but_says_nothing(client, key, users, app):
    dispute = db.session.scalar(select(Category).where(Category.code == "dispute"))
    assert dispute.is_private  # the standard neighbour-dispute category starts private
    folder = photos.upload_folder_for_reports(app.config["UPLOAD_FOLDER"])
    draft = intake.ReportDraft(submission_key="private-test-00001", category_id=dispute.id,
                                 description="楼上赵家每晚吵到十二点")
    entrance = db.session.scalars(select(QrCode).where(QrCode.entrance_id.is_not(None))).first()
    with unit_of_work():
        report, _ = intake.submit_report(entrance, draft, [process_photo(jpeg_bytes())],
                                           folder, secret=app_secret())
        dispatch.public_reply(report, users["dispatcher"], "已找赵家谈过")
        dispatch.set_photos_public(report, users["dispatcher"], True)
    listed = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi&page_size=1000"))
    mine = [r for r in listed if r["service_request_id"] == report.number]
    assert len(mine) == 1 and mine[0]["service_code"] == "dispute"  # still counted
    alone = json_of(client.get(f"{V2}/requests/{report.number}.json"))[0]
    for shown in (mine[0], alone):
        assert (shown["description"], shown["status_notes"], shown["media_url"]) == \
            (None, None, None)
    body = bodies_of(client, report.number)
    assert "赵家" not in body
    assert client.get(f"{V2}/media/{report.photos[0].id}.jpg").status_code == 404


def test_a_report_hidden_from_the_board_keeps_its_words_to_itself(client, key, users):
    number = file_request(client, key, description="邻居家的事")
    report = report_numbered(number)
    with unit_of_work():
        dispatch.set_hidden_from_board(report, users["dispatcher"], True)
    shown = json_of(client.get(f"{V2}/requests/{number}.json"))[0]
    assert shown["status"] == "open" and shown["description"] is None


def test_a_duplicate_says_of_which_request(client, key, users):
    first, second = file_request(client, key), file_request(client, key)
    with unit_of_work():
        dispatch.merge_duplicate(report_numbered(second), users["dispatcher"],
                                 report_numbered(first))
    merged = json_of(client.get(f"{V2}/requests/{second}.json?locale=en"))[0]
    assert merged["status"] == "closed" and first in merged["status_notes"]
