"""The dispatcher's queue and report page, the handler's jobs, call-backs and the CSV export,
through the real app with CSRF on."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.web.helpers import photo_upload, submit_report
from webapp.domain.reports import dispatch, transitions
from webapp.extensions import db
from webapp.models import Report, ReportStatus
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}


@pytest.fixture
def filed(client, entrance_code):
    """A new report from 微波宿舍 1号楼 2单元, filed by a resident, and its tracking link."""
    response = submit_report(client, entrance_code.token, contact_name="王阿姨",
                             contact_phone="13800000000")
    assert response.status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    return report, response.headers["Location"]


@pytest.fixture
def fresh(filed):
    return filed[0]


@pytest.fixture
def fresh_link(filed):
    return filed[1]


def act(client, report, action, **fields):
    page = client.get(f"/staff/reports/{report.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "version": str(report.version), **fields}
    return client.post(f"/staff/reports/{report.id}/{action}", data=data, headers=EN,
                       content_type="multipart/form-data")


def test_queue_shows_new_reports_with_their_clock(client, fresh):
    login(client, "dispatcher")
    page = client.get("/staff/queue", headers=EN).text
    assert fresh.number in page and "On track" in page
    assert client.get("/staff/queue?tab=new", headers=EN).text.count(fresh.number) == 1
    assert fresh.number in client.get("/staff/queue?tab=unassigned").text
    assert fresh.number not in client.get("/staff/queue?tab=overdue").text
    assert fresh.number not in client.get("/staff/queue?tab=closed").text


def test_queue_filters(client, fresh):
    login(client, "dispatcher")
    assert fresh.number in client.get(f"/staff/queue?compound={fresh.compound_id}").text
    other = db.session.scalars(select(Report.compound_id).where(
        Report.compound_id != fresh.compound_id, Report.community_id == fresh.community_id)
    ).first()
    assert fresh.number not in client.get(f"/staff/queue?compound={other}").text
    assert fresh.number in client.get(f"/staff/queue?category={fresh.category_id}").text
    assert fresh.number not in client.get("/staff/queue?status=closed&tab=all").text
    # nonsense filters fall back to defaults instead of failing
    assert client.get("/staff/queue?tab=bogus&page=-3&compound=x&status=<b>").status_code == 200


def test_overdue_tab_is_right_before_any_sweep(client, fresh):
    login(client, "dispatcher")
    fresh.next_due_at = utcnow() - timedelta(minutes=1)
    for m in fresh.milestones:
        m.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get("/staff/queue?tab=overdue", headers=EN).text
    assert fresh.number in page and "Overdue" in page


def test_polling_returns_only_the_rows_with_a_count_of_new_arrivals(client, fresh,
                                                                    entrance_code):
    login(client, "dispatcher")
    first = client.get("/staff/queue", headers={**EN, "HX-Request": "true"})
    assert first.text.lstrip().startswith('<div id="queue-rows"')
    seen = re.search(r"seen=(\d+)", first.text).group(1)
    submit_report(client, entrance_code.token, description="又一个问题：门禁坏了")
    login(client, "dispatcher")
    later = client.get(f"/staff/queue?seen={seen}&tab=open",
                       headers={**EN, "HX-Request": "true"})
    assert "1 new report since you opened this page" in later.text
    assert f"seen={seen}" in later.text  # keeps counting from the first load


def test_queue_is_paginated(client, fresh, entrance_code):
    for n in range(26):
        submit_report(client, entrance_code.token, description=f"第{n}个问题，请处理")
    login(client, "dispatcher")
    first = client.get("/staff/queue", headers=EN).text
    assert "Page 1 of 2" in first
    second = client.get("/staff/queue?page=2", headers=EN).text
    assert "Page 2 of 2" in second


def test_dispatch_accept_arrive_resolve_through_the_pages(client, fresh, fresh_link, users):
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{fresh.id}", headers=EN).text
    assert "王阿姨" in page and "13800000000" in page
    partner = fresh.compound.partner_org
    assert f'value="{partner.id}" selected' in page and "suggested" in page
    assert act(client, fresh, "assign", org=str(partner.id)).status_code == 303
    db.session.refresh(fresh)
    assert fresh.status == ReportStatus.ASSIGNED

    login(client, "mateng")
    jobs = client.get("/staff/jobs", headers=EN).text
    assert fresh.number in jobs and "Accept" in jobs
    assert act(client, fresh, "accept").status_code == 303
    db.session.refresh(fresh)
    assert act(client, fresh, "arrive").status_code == 303
    db.session.refresh(fresh)
    response = act(client, fresh, "resolve", note="已疏通", photo=photo_upload())
    assert response.status_code == 303
    db.session.refresh(fresh)
    assert fresh.status == ReportStatus.RESOLVED
    assert len(fresh.photos) == 1
    # the resident sees the handler's note and photo on the tracking page
    tracking = client.get(fresh_link, headers=EN).text
    assert "已疏通" in tracking and f"/photos/{fresh.photos[0].id}.jpg" in tracking
    assert 'id="rate-form"' in tracking


def test_an_illegal_action_is_refused_with_a_message(client, fresh):
    login(client, "admin")
    response = act(client, fresh, "resolve", note="done")
    assert response.status_code == 409
    assert "cannot be done while the report is" in response.text
    db.session.refresh(fresh)
    assert fresh.status == ReportStatus.SUBMITTED


def test_a_missing_reason_is_a_422_and_keeps_the_form(client, fresh):
    login(client, "dispatcher")
    response = act(client, fresh, "reject", reason="   ")
    assert response.status_code == 422
    assert "Please write a reason" in response.text


def test_the_second_of_two_dispatchers_sees_what_changed(client, app, fresh):
    other = app.test_client()
    login(client, "dispatcher")
    login(other, "admin")
    page = client.get(f"/staff/reports/{fresh.id}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    other_page = other.get(f"/staff/reports/{fresh.id}").text
    other_token = re.search(r'name="csrf_token" value="([^"]+)"', other_page).group(1)

    partner = fresh.compound.partner_org
    first = client.post(f"/staff/reports/{fresh.id}/assign", headers=EN, data={
        "csrf_token": token, "version": version, "org": str(partner.id)})
    assert first.status_code == 303
    second = other.post(f"/staff/reports/{fresh.id}/reject", headers=EN, data={
        "csrf_token": other_token, "version": version, "reason": "重复"})
    assert second.status_code == 409
    assert "Someone else changed this report" in second.text
    assert partner.name in second.text  # the current state is shown
    db.session.refresh(fresh)
    assert fresh.status == ReportStatus.ASSIGNED


def test_public_reply_with_a_canned_text_reaches_the_resident(client, fresh, fresh_link):
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{fresh.id}").text
    canned = re.search(r'<select id="reply-canned" name="canned"><option value="">—</option>'
                       r'<option value="(\d+)">', page).group(1)
    assert act(client, fresh, "public_reply", canned=canned).status_code == 303
    assert "您好，您的报事已收到" in client.get(fresh_link).text


def test_internal_notes_stay_internal(client, fresh, fresh_link):
    login(client, "dispatcher")
    act(client, fresh, "internal_note", note="此住户反复投诉")
    assert "此住户反复投诉" in client.get(f"/staff/reports/{fresh.id}").text
    assert "此住户反复投诉" not in client.get(fresh_link).text


def test_scanning_a_door_while_on_a_job_offers_to_stamp_arrival(client, fresh, entrance_code):
    login(client, "dispatcher")
    act(client, fresh, "assign", org=str(fresh.compound.partner_org_id))
    login(client, "mateng")
    db.session.refresh(fresh)
    act(client, fresh, "accept")
    scan = client.get(f"/q/{entrance_code.token}")
    assert scan.status_code == 302 and "/staff/arrive/" in scan.headers["Location"]
    page = client.get(scan.headers["Location"], headers=EN).text
    assert fresh.number in page and "Stamp arrival" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    db.session.refresh(fresh)
    response = client.post(f"/staff/reports/{fresh.id}/arrive", data={
        "csrf_token": token, "version": str(fresh.version), "back": "jobs"})
    assert response.status_code == 303
    db.session.refresh(fresh)
    assert fresh.status == ReportStatus.ON_SITE and fresh.arrived_at is not None


def test_callbacks_list_and_record(client, fresh, users):
    from webapp.domain import unit_of_work

    handler = users["mateng"]
    with unit_of_work():
        dispatch.assign(fresh, users["dispatcher"], fresh.compound.partner_org)
        transitions.accept(fresh, handler)
        transitions.arrive(fresh, handler)
        transitions.resolve(fresh, handler, "ok")
        transitions.auto_close_unrated(utcnow() + timedelta(days=8), 7)
    login(client, "dispatcher")
    assert fresh.number in client.get("/staff/callbacks").text
    assert act(client, fresh, "callback", result="居民表示满意", rating="4").status_code == 303
    db.session.refresh(fresh)
    assert fresh.rating == 4
    assert fresh.number not in client.get("/staff/callbacks").text


def test_csv_export_has_every_milestone_time(client, fresh, users):
    from webapp.domain import unit_of_work

    with unit_of_work():
        dispatch.assign(fresh, users["dispatcher"], fresh.compound.partner_org)
        transitions.accept(fresh, users["mateng"])
    login(client, "dispatcher")
    response = client.get("/staff/export.csv?tab=all", headers=EN)
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    row = next(r for r in rows if r["Report number"] == fresh.number)
    for column in ("Accepting: due", "Accepting: done", "Arriving on site: due",
                   "Resolving: due", "The plan: due"):
        assert column in row
    assert row["Accepting: done"] and row["Arriving on site: due"]
    assert not row["Arriving on site: done"]
    assert "13800000000" not in response.text  # no resident contact in the export


def test_csv_export_opens_in_a_spreadsheet_in_the_pages_language(client, entrance_code):
    """UTF-8 with a byte-order mark (Excel, WPS), local times to the minute, Chinese words
    on a Chinese page, and a description that a spreadsheet would run shown as text."""
    formula = '=HYPERLINK("http://x","点我") 楼道灯坏了'
    assert submit_report(client, entrance_code.token, description=formula).status_code == 303
    login(client, "dispatcher")
    response = client.get("/staff/export.csv?tab=all", headers={"Accept-Language": "zh-CN"})
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.mimetype_params["charset"] == "utf-8"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:4] == ["报事编号", "状态", "渠道", "报事时间"]
    mine = dict(zip(header, rows[-1], strict=True))
    assert mine["问题描述"].startswith("'=HYPERLINK(")
    assert (mine["状态"], mine["渠道"], mine["类别"]) == ("已受理", "扫码", "水电 · 上下水")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", mine["报事时间"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", mine["接单：时限"])


def test_admin_creates_and_disables_an_account(client, users):
    login(client, "admin")
    page = client.get("/admin/users").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    org = str(users["grid"].organization_id)
    short = client.post("/admin/users", headers=EN, data={
        "csrf_token": token, "username": "newgrid", "display_name": "新网格员",
        "role": "handler", "org": org, "password": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    assert 'value="newgrid"' in short.text  # typed input kept
    ok = client.post("/admin/users", data={
        "csrf_token": token, "username": "newgrid", "display_name": "新网格员",
        "role": "handler", "org": org, "password": "long-enough-1"})
    assert ok.status_code == 303
    from webapp.models import User
    user = db.session.scalars(select(User).where(User.username == "newgrid")).one()
    client.post(f"/admin/users/{user.id}", data={"csrf_token": token, "role": "handler",
                                                 "org": org, "active": "0", "confirmed": "1"})
    db.session.refresh(user)
    assert not user.active


def test_a_staff_phone_is_read_like_a_residents_and_refused_when_it_is_none(client, users):
    login(client, "admin")
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/admin/users").text).group(1)
    fields = {"csrf_token": token, "username": "phoned", "display_name": "有电话",
              "role": "handler", "org": str(users["grid"].organization_id),
              "password": "long-enough-1"}
    for bad, message in (("1" * 31, "at most 30 characters"),
                         ("call me", "Please enter a mobile number")):
        refused = client.post("/admin/users", headers=EN, data={**fields, "phone": bad})
        assert refused.status_code == 422 and message in refused.text
    assert client.post("/admin/users", data={**fields, "phone": "139.1234.5678"}) \
        .status_code == 303
    from webapp.models import User
    assert db.session.scalars(select(User.phone).where(User.username == "phoned")).one() == \
        "13912345678"


@pytest.mark.parametrize(("language", "hint"), [
    ("en", "Public: anyone can read this text"), ("zh-CN", "公开：任何人都能在晒单榜")])
def test_the_forms_whose_words_are_published_say_so(client, fresh, language, hint):
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{fresh.id}", headers={"Accept-Language": language}).text
    for field in ("reply-text", "consult-note", "reject-reason"):
        assert f'aria-describedby="{field}-public"' in page
    assert page.count(hint) >= 3


def test_admin_sets_routing_and_sla_targets(client, users):
    from webapp.domain.reports import category_settings, sla
    from webapp.models import Category
    login(client, "admin")
    water = db.session.scalars(select(Category).where(Category.code == "water")).one()
    page = client.get("/admin/categories").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = client.post(f"/admin/categories/{water.id}", headers=EN, data={
        "csrf_token": token, "routing": "grid", "target_accept": "abc", "target_arrive": "5",
        "target_resolve": "20"})
    assert bad.status_code == 422 and "whole number of minutes" in bad.text
    for odd in ("²", "9" * 5000):  # isdigit() says yes to both; int() refuses or overflows
        refused = client.post(f"/admin/categories/{water.id}", headers=EN, data={
            "csrf_token": token, "routing": "grid", "target_accept": odd, "target_arrive": "5",
            "target_resolve": "20"})
        assert refused.status_code == 422 and "whole number of minutes" in refused.text
    ok = client.post(f"/admin/categories/{water.id}", data={
        "csrf_token": token, "routing": "grid", "target_accept": "15", "target_arrive": "10",
        "target_resolve": "45", "canned": "师傅已出发"})
    assert ok.status_code == 303
    db.session.refresh(water)
    here = users["admin"].organization.community_id
    assert category_settings.routing_for(water, here) == "grid"
    assert sla.targets_for(water, here) == {"accept": 15, "arrive": 10, "resolve": 45}
    assert water.routing == "partner"  # the shared default: see test_category_settings.py


def test_staff_without_a_job_at_the_door_see_the_normal_scan_page(client, entrance_code):
    login(client, "mateng")
    page = client.get(f"/q/{entrance_code.token}")
    assert page.status_code == 200 and "微波宿舍" in page.text
    # the scan page is the public one, identical for staff and residents (it is cached)
    anonymous = client.application.test_client().get(f"/q/{entrance_code.token}")
    assert page.text == anonymous.text and "马腾飞" not in page.text


def test_links_and_polling_keep_every_filter(client, fresh):
    from webapp.domain.reports.queue import QueueFilter

    f = QueueFilter(tab="overdue", compound_id=1, category_id=1, status="submitted", page=1)
    assert f.args() == {"tab": "overdue", "compound": 1, "category": 1, "status": "submitted"}
    assert f.args(page=2)["page"] == 2 and f.args(page=2)["compound"] == 1
    login(client, "dispatcher")
    page = client.get(f"/staff/queue?tab=all&compound={fresh.compound_id}"
                      f"&category={fresh.category_id}").text
    poll = re.search(r'id="queue-rows" hx-get="([^"]+)"', page).group(1)
    assert f"compound={fresh.compound_id}" in poll and f"category={fresh.category_id}" in poll


def test_merge_stays_in_the_community_and_the_merged_page_follows_the_work(
        client, fresh, fresh_link, entrance_code):
    """新桥北村社区's report number is refused like an unknown one. A report merged into
    `fresh` shows fresh's number, status and public progress, live, but never fresh's
    private link, its reporter's details or what they wrote."""
    login(client, "dispatcher")
    elsewhere = db.session.scalars(select(Report).where(
        Report.community_id != fresh.community_id)).first()
    refused = act(client, fresh, "merge", original=elsewhere.number)
    assert refused.status_code == 409
    assert "No report of this community has that number" in refused.text
    db.session.refresh(fresh)
    assert fresh.status == ReportStatus.SUBMITTED and fresh.duplicate_of_id is None

    second_link = submit_report(client, entrance_code.token, description="楼下也在滴水。",
                                contact_name="李先生", contact_phone="13900000000"
                                ).headers["Location"]
    second = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert act(client, second, "merge", original=fresh.number).status_code == 303
    page = client.get(second_link, headers=EN).text
    assert f"Merged into report {fresh.number}" in page and 'href="#carried-by"' in page
    version = page.split(f"{second_link}?v=")[1].split('"')[0]
    poll = f"{second_link}?v={version}"
    assert client.get(poll, headers={"HX-Request": "true"}).status_code == 204

    assert act(client, fresh, "public_reply", text="师傅明早到").status_code == 303
    live = client.get(poll, headers={"HX-Request": "true", **EN})
    assert live.status_code == 200 and "师傅明早到" in live.text
    page = client.get(second_link, headers=EN).text
    assert "师傅明早到" in page and "Received" in page
    for private in (fresh_link.rsplit("/", 1)[1], "王阿姨", "13800000000", fresh.description):
        assert private not in page
