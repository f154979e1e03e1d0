"""The public board: figures per compound and organisation, never anything personal."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import app_secret, login
from webapp.domain import unit_of_work
from webapp.domain.reports import board as reporting
from webapp.domain.reports import category_settings, dispatch, intake, transitions
from webapp.extensions import db
from webapp.models import Category, Community

EN = {"Accept-Language": "en"}


def file(code, minutes_ago, key, **draft):
    fields = dict(submission_key=key, description="楼道有垃圾堆放",
                  category_id=db.session.scalar(select(Category.id).where(
                      Category.code == "sanitation")), contact_name="赵先生",
                  contact_phone="13911112222", floor_room="6楼601")
    fields.update(draft)
    now = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    with unit_of_work():
        report, _ = intake.submit_report(code, intake.ReportDraft(**fields), [], None,
                                           now=now, secret=app_secret())
    return report, now


def close_loop(report, users, start, minutes_to_fix, rating):
    handler = users["mateng"]
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=start)
        transitions.accept(report, handler, now=start + timedelta(minutes=1))
        transitions.arrive(report, handler, now=start + timedelta(minutes=2))
        transitions.resolve(report, handler, "已清理干净",
                         now=start + timedelta(minutes=minutes_to_fix))
        if rating:
            transitions.confirm_fixed(report, rating, "很好", now=start + timedelta(minutes=90))


@pytest.fixture
def month_of_reports(entrance_code, users):
    a, t = file(entrance_code, 300, "board-a-00000000001")
    close_loop(a, users, t, 10, 5)          # on time
    b, t = file(entrance_code, 200, "board-b-00000000001")
    close_loop(b, users, t, 60, 3)          # resolve 20 min after arrival: late
    c, _ = file(entrance_code, 100, "board-c-00000000001")  # still open
    return a, b, c


def test_figures_for_the_month(month_of_reports, entrance_code):
    from webapp.models import Report

    a, b, _c = month_of_reports
    community = db.session.scalars(select(Community).where(Community.code == "bayi")).one()
    month = a.resolved_at.strftime("%Y-%m")
    resolved = [r for r in db.session.scalars(select(Report).where(
        Report.community_id == community.id, Report.resolved_at.is_not(None)))
        if r.resolved_at.strftime("%Y-%m") == month]  # the demo's own loop may count too
    board = reporting.board(community.id, month, "UTC")
    assert board.total.resolved == len(resolved) >= 2
    assert 0 < board.total.on_time_share < 1  # b was fixed late
    assert board.total.median_minutes is not None
    assert board.by_org["省直机关后勤保障中心"].resolved == len(resolved)
    assert board.by_compound["微波宿舍"].received >= 3


def test_board_page_shows_figures_and_replies_but_nothing_personal(client, month_of_reports):
    page = client.get("/board", headers=EN)
    assert page.status_code == 200
    html = page.text
    assert "省直机关后勤保障中心" in html and "微波宿舍" in html
    assert "已清理干净" in html  # the public resolution note
    for personal in ("赵先生", "13911112222", "6楼601", "2单元"):
        assert personal not in html


def test_compound_board_and_hidden_reports(client, month_of_reports, users):
    a, b, _c = month_of_reports
    with unit_of_work():
        dispatch.set_hidden_from_board(b, users["dispatcher"], True)
    page = client.get(f"/board/{a.compound_id}", headers=EN).text
    assert "微波宿舍" in page
    community = a.community
    figures = reporting.board(community.id, a.resolved_at.strftime("%Y-%m"), "UTC",
                              a.compound_id).total
    assert figures.resolved == 2  # a and the demo's loop; b is hidden


def test_past_months_and_bad_month_values(client, month_of_reports):
    assert client.get("/board?month=2020-01", headers=EN).status_code == 200
    # The issue: the month is named ("Nothing resolved this month yet." before).
    assert "Nothing resolved in January 2020." in client.get("/board?month=2020-01",
                                                             headers=EN).text
    for bad in ("2026-13", "x", "<script>", "99999-01"):
        assert client.get(f"/board?month={bad}").status_code == 200
    assert client.get("/board/999999").status_code == 404


def test_replies_on_the_board_are_masked(client, entrance_code, users):
    report, start = file(entrance_code, 50, "board-mask-00000001")
    handler = users["mateng"]
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=start)
        dispatch.public_reply(report, users["dispatcher"], "赵先生：师傅电话139.1234.5678",
                              now=start)
        transitions.accept(report, handler, now=start + timedelta(minutes=1))
        transitions.arrive(report, handler, now=start + timedelta(minutes=2))
        transitions.resolve(report, handler, "已清理，有事打 (0351) 765-4399 或微信 mateng_88",
                         now=start + timedelta(minutes=5))
    html = client.get("/board", headers=EN).text
    assert "师傅电话" in html and "已清理，有事打" in html
    for secret in ("赵先生", "5678", "765-4399", "mateng_88"):
        assert secret not in html


def test_a_private_category_counts_but_shows_nothing(client, entrance_code, users):
    dispute = db.session.scalar(select(Category).where(Category.code == "dispute"))
    dispute.is_private = False  # the flag set, then unset, by the admin page below
    db.session.commit()
    report, start = file(entrance_code, 40, "board-private-00001", category_id=dispute.id,
                         description="楼上赵家每晚吵")
    close_loop(report, users, start, 10, 4)
    with unit_of_work():
        dispatch.public_reply(report, users["dispatcher"], "已找楼上赵家调解")
    month = report.resolved_at.strftime("%Y-%m")
    before = reporting.board(report.community_id, month, "UTC").total
    assert "已找楼上赵家调解" in client.get("/board", headers=EN).text

    login(client, "admin")
    page = client.get("/admin/categories", headers=EN).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    fields = {"csrf_token": token, "routing": "grid", "private": "1",
              **dict(re.findall(r'name="(target_\w+)" value="(\d+)"', page.split(
                  f'id="category-{dispute.id}"')[1].split("</form>")[0]))}
    saved = client.post(f"/admin/categories/{dispute.id}", data=fields)
    assert saved.status_code == 303
    db.session.expire_all()
    # The admin's community only: the shared default, which other communities follow, stays.
    assert category_settings.private_for(dispute, report.community_id)
    assert not db.session.get(Category, dispute.id).is_private

    after = reporting.board(report.community_id, month, "UTC")
    assert (after.total.received, after.total.resolved) == (before.received, before.resolved)
    assert report.id not in [r.id for r in after.latest]
    html = client.get("/board", headers=EN).text
    assert "赵家" not in html and "Neighbour dispute" not in html


ZH = {"Accept-Language": "zh-CN"}


def test_the_month_is_named_not_called_this_month(client, month_of_reports):
    past = client.get("/board?month=2020-01", headers=ZH).text
    assert "2020年1月" in past and "本月" not in past
    assert "January 2020" in client.get("/board?month=2020-01", headers=EN).text
    now = client.get("/board", headers=ZH).text
    this_month = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{this_month.year}年{this_month.month}月" in now
    # The month picker names months too, a year of them.
    assert now.count('<option value="20') >= 12 and "2020-01</option>" not in past


def test_a_switcher_when_the_installation_has_several_communities(client, demo):
    html = client.get("/board/", headers=EN).text
    picker = html.split('name="community"')[1].split("</select>")[0]
    assert "八一社区" in picker and "新桥北村社区" in picker
    other = client.get("/board/?community=xinqiaobeicun", headers=EN).text
    assert '<option value="xinqiaobeicun" selected' in other


def test_red_and_black_lists_too_few_and_the_trend(client, month_of_reports, entrance_code,
                                                   users):
    html = client.get("/board", headers=EN).text
    assert "Too few reports to rank" in html and "Red list" not in html
    for i in range(3):
        report, start = file(entrance_code, 60 + i, f"board-more-{i:010d}")
        close_loop(report, users, start, 10, 5)
    html = client.get("/board", headers=EN).text
    red = html.split("Red list")[1].split("Black list")[0]
    assert "省直机关后勤保障中心" in red and "score" in red
    assert "Too few ranked to name a worst." in html
    # The trend: two SVG charts drawn here, and the same figures as a table.
    trend = html.split('class="card trend"')[1].split("</section>")[0]
    assert trend.count('<svg class="chart"') == 2 and "<table" in trend
    assert "http" not in trend.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in trend


def test_the_scan_and_tracking_pages_link_to_the_compounds_board(client, entrance_code):
    compound_id = entrance_code.building.compound_id
    link = f'href="/board/{compound_id}"'
    scan = client.get(f"/q/{entrance_code.token}", headers=ZH).text
    assert link in scan and "看看本小区的办理情况" in scan
    from webapp.domain.shared.tokens import tracking_token

    file(entrance_code, 1, "board-link-000000001")
    tracking = client.get(f"/t/{tracking_token('board-link-000000001', app_secret())}",
                          headers=ZH)
    assert tracking.status_code == 200 and link in tracking.text
