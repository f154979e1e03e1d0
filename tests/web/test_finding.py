"""Finding and collapsing through the real app with CSRF on: the queue's search box, a
resident following a neighbour's report from the door (我也遇到了), likely duplicates merged
with one click, and reopening after a failed call-back."""

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.web.helpers import submit_report
from webapp.domain.reports import transitions
from webapp.extensions import db
from webapp.models import Report, ReportFollower, ReportStatus
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}


def newest_report():
    return db.session.scalars(select(Report).order_by(Report.id.desc())).first()


@pytest.fixture
def filed(client, entrance_code):
    """A resident's report at 微波宿舍 1号楼 2单元, with their name, room and phone."""
    assert submit_report(client, entrance_code.token, description="楼道灯不亮，晚上很黑",
                         contact_name="王阿姨", floor_room="三楼东户",
                         contact_phone="13800000000").status_code == 303
    return newest_report()


def csrf(page):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


# --- search ----------------------------------------------------------------------------------

def test_the_dispatcher_finds_a_report_by_a_phone_spelled_otherwise(client, filed):
    login(client, "dispatcher")
    page = client.get("/staff/queue?tab=all&q=%2B86%20138-0000-0000", headers=EN).text
    assert filed.number in page and "1 report found for" in page
    assert 'name="q"' in page and 'value="+86 138-0000-0000"' in page
    # each tab, the filters and the live refresh keep the search
    assert "q=%2B86+138-0000-0000" in page or "q=%2B86%20138-0000-0000" in page
    none = client.get("/staff/queue?tab=all&q=13900000000", headers=EN).text
    assert filed.number not in none and "0 reports found for" in none


def test_a_search_while_typing_returns_only_the_rows(client, filed):
    login(client, "dispatcher")
    rows = client.get("/staff/queue?tab=all&q=灯不亮", headers={"HX-Request": "true", **EN})
    assert rows.status_code == 200 and filed.number in rows.text
    assert rows.text.lstrip().startswith('<div id="queue-rows"') and "<html" not in rows.text


def test_odd_searches_are_answered_not_failed(client, filed):
    login(client, "dispatcher")
    for typed in ("%", "_", "'", "\\", "x" * 5000, "１３８", "\u202e灯", "0", "+", "--"):
        assert client.get("/staff/queue", query_string={"q": typed}).status_code == 200


# --- 我也遇到了 ---------------------------------------------------------------------------------

def follow_form(page, report):
    prefix = f"f{report.id}-"
    return {name: re.search(rf'name="{prefix}{name}" type="hidden" value="([^"]+)"',
                            page).group(1) for name in ("csrf_token", "submission_key")}


def follow(client, code, report, **fields):
    page = client.get(f"/q/{code.token}/report", headers=EN).text
    data = {f"f{report.id}-{k}": v for k, v in {**follow_form(page, report), **fields}.items()}
    return client.post(f"/q/{code.token}/follow/{report.id}", data=data, headers=EN)


def test_a_neighbour_sees_the_open_report_at_the_door_but_not_who_filed_it(
        client, entrance_code, filed):
    fresh = client.application.test_client()
    page = fresh.get(f"/q/{entrance_code.token}/report", headers=EN).text
    neighbours = page[page.index('id="neighbours"'):page.index('id="report-form"')]
    assert "楼道灯不亮" in neighbours and "Received" in neighbours and "minute" in neighbours
    assert "I have this problem too" in neighbours and 'href="#report-form"' in neighbours
    for secret in ("王阿姨", "三楼东户", "13800000000", "/t/", filed.number):
        assert secret not in neighbours


def test_following_leads_to_a_private_page_of_ones_own(client, entrance_code, filed):
    response = follow(client, entrance_code, filed, phone="139 1111 2222", sms_updates="y")
    assert response.status_code == 303 and "/f/" in response.headers["Location"]
    follower = db.session.scalars(select(ReportFollower)).one()
    assert (follower.report_id, follower.phone, follower.sms_updates) == \
        (filed.id, "13911112222", True)
    page = client.get(response.headers["Location"], headers=EN)
    assert page.status_code == 200 and filed.number in page.text
    assert "Received" in page.text and "A neighbour has this problem too" in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    for secret in ("王阿姨", "三楼东户", "13800000000", "13911112222", "/t/"):
        assert secret not in page.text
    assert client.get("/f/not-a-real-link-token0").status_code == 404


def test_a_replayed_follow_is_one_follower(client, entrance_code, filed):
    page = client.get(f"/q/{entrance_code.token}/report").text
    data = {f"f{filed.id}-{k}": v for k, v in follow_form(page, filed).items()}
    first = client.post(f"/q/{entrance_code.token}/follow/{filed.id}", data=data)
    again = client.post(f"/q/{entrance_code.token}/follow/{filed.id}", data=data)
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(select(func.count(ReportFollower.id))) == 1


@pytest.mark.parametrize("language, message", [
    ("en", "To be sent text messages, please give a mobile number."),
    ("zh-CN", "如需接收短信，请填写手机号码。"),
])
def test_texts_without_a_mobile_are_refused_in_the_residents_language(
        client, entrance_code, filed, language, message):
    page = client.get(f"/q/{entrance_code.token}/report").text
    data = {f"f{filed.id}-{k}": v for k, v in follow_form(page, filed).items()}
    data[f"f{filed.id}-sms_updates"] = "y"
    data[f"f{filed.id}-phone"] = "0351-7654321"
    response = client.post(f"/q/{entrance_code.token}/follow/{filed.id}", data=data,
                           headers={"Accept-Language": language})
    assert response.status_code == 422 and message in response.text
    assert 'value="0351-7654321"' in response.text  # what was typed is kept
    assert db.session.scalar(select(func.count(ReportFollower.id))) == 0


def test_a_report_the_door_does_not_offer_cannot_be_followed(client, entrance_code, filed):
    page = client.get(f"/q/{entrance_code.token}/report").text
    data = {f"f{filed.id}-{k}": v for k, v in follow_form(page, filed).items()}
    filed.status = ReportStatus.CLOSED
    db.session.commit()
    response = client.post(f"/q/{entrance_code.token}/follow/{filed.id}", data=data,
                           headers=EN)
    assert response.status_code == 409 and "no longer open" in response.text
    other = db.session.scalars(select(Report).where(
        Report.building_id != filed.building_id)).first()
    data = {k.replace(f"f{filed.id}-", f"f{other.id}-"): v for k, v in data.items()}
    assert client.post(f"/q/{entrance_code.token}/follow/{other.id}",
                       data=data).status_code == 404
    assert db.session.scalar(select(func.count(ReportFollower.id))) == 0


# --- the dispatcher's report page ------------------------------------------------------------

def test_the_report_page_counts_followers_and_merges_a_suggestion_in_one_click(
        client, entrance_code, filed):
    follow(client, entrance_code, filed)
    assert submit_report(client, entrance_code.token, category=str(filed.category_id),
                         description="楼道的灯不亮了").status_code == 303
    second = newest_report()
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{filed.id}", headers=EN).text
    assert "1 neighbour also reported it" in page
    suggestions = page[page.index('id="duplicates"'):]
    assert second.number in suggestions and "Merge into this one" in suggestions
    action = f"/staff/reports/{filed.id}/duplicates/{second.id}/into-this"
    assert action in suggestions
    assert client.post(action, data={"version": str(second.version)}).status_code == 400
    response = client.post(action, data={"csrf_token": csrf(page),
                                         "version": str(second.version)}, headers=EN)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/reports/{filed.id}")
    db.session.refresh(second)
    assert second.status == ReportStatus.DUPLICATE and second.duplicate_of_id == filed.id
    # done: it is suggested no more, and a second click is refused with the reason
    assert 'id="duplicates"' not in client.get(f"/staff/reports/{filed.id}").text
    again = client.post(action, data={"csrf_token": csrf(page), "version": "1"}, headers=EN)
    assert again.status_code == 409


def test_this_report_is_marked_a_duplicate_of_the_suggestion(client, entrance_code, filed):
    assert submit_report(client, entrance_code.token, category=str(filed.category_id),
                         description="楼道灯不亮，晚上很黑").status_code == 303
    second = newest_report()
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{second.id}").text
    response = client.post(f"/staff/reports/{second.id}/duplicates/{filed.id}/into-other",
                           data={"csrf_token": csrf(page), "version": str(second.version)})
    assert response.status_code == 303
    db.session.refresh(second)
    assert second.duplicate_of_id == filed.id


def test_only_a_dispatcher_merges_and_only_in_their_community(client, entrance_code, filed):
    assert submit_report(client, entrance_code.token, category=str(filed.category_id),
                         description="楼道灯不亮").status_code == 303
    second = newest_report()
    login(client, "mateng")
    page = client.get("/staff/jobs").text
    action = f"/staff/reports/{filed.id}/duplicates/{second.id}/into-this"
    assert client.post(action, data={"csrf_token": csrf(page), "version": "1"}).status_code \
        == 403
    client.post("/logout", data={"csrf_token": csrf(page)})
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{filed.id}").text
    far = db.session.scalars(select(Report).where(
        Report.community_id != filed.community_id)).first()
    assert client.post(f"/staff/reports/{filed.id}/duplicates/{far.id}/into-this",
                       data={"csrf_token": csrf(page), "version": "1"}).status_code == 404
    assert client.post(f"/staff/reports/{filed.id}/duplicates/{second.id}/sideways",
                       data={"csrf_token": csrf(page), "version": "1"}).status_code == 404
    assert db.session.get(Report, second.id).status == ReportStatus.SUBMITTED


# --- reopening after a call-back --------------------------------------------------------------

def test_staff_reopen_a_closed_report_with_a_reason(client, filed, users):
    filed.status, filed.closed_at = ReportStatus.CLOSED, utcnow()
    db.session.commit()
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{filed.id}", headers=EN).text
    assert "Reopen after the call-back" in page
    data = {"csrf_token": csrf(page), "version": str(filed.version), "reason": " "}
    missing = client.post(f"/staff/reports/{filed.id}/reopen", data=data, headers=EN)
    assert missing.status_code == 422 and "Please write a reason" in missing.text
    data["reason"] = "回访：居民说灯还是不亮"
    assert client.post(f"/staff/reports/{filed.id}/reopen", data=data).status_code == 303
    db.session.refresh(filed)
    assert filed.status == ReportStatus.REOPENED and filed.closed_at is None
    assert transitions.allowed_actions(filed, users["dispatcher"]) >= {"assign", "merge"}
