"""On a 360 px phone: a report waiting on the residents shows its clocks paused and why, on the
staff page and on the resident's tracking page; the admin's working-day calendar fits."""

import re

from sqlalchemy import select

from tests.e2e.conftest import log_in
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch
from webapp.extensions import db
from webapp.models import Report, User

NARROW = {"width": 360, "height": 740}


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_paused_clocks_and_the_calendar_on_a_narrow_phone(live_server, browser, screenshot_dir,
                                                          tmp_path):
    shots = screenshot_dir or tmp_path
    context = browser.new_context(viewport=NARROW, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.scan_url}/report")
    page.locator("input[name=category]").first.check()
    page.fill("textarea[name=description]", "电梯厅顶棚渗水，需要大修")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/t/"))
    tracking = page.url
    with live_server.app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        dispatcher = db.session.scalars(select(User).where(User.username == "dispatcher")).one()
        with unit_of_work():
            dispatch.mark_needs_consultation(report, dispatcher, "维修资金需业主表决")
        report_id = report.id

    page.goto(tracking)
    assert "决定后我们的办理时限重新开始计时" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "paused-tracking-360.png"), full_page=True)

    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/staff/reports/{report_id}")
    clocks = page.locator("#clocks")
    assert "计时已暂停：等待居民决定" in clocks.inner_text() and "已暂停" in clocks.inner_text()
    assert clocks.evaluate("e => e.scrollWidth <= e.clientWidth")  # the card fits itself
    clocks.screenshot(path=str(shots / "paused-clocks-360.png"))
    page.screenshot(path=str(shots / "paused-report-360.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/calendar")
    page.fill("input[name=day]", "2026-12-24")
    page.fill("input[name=note]", "社区活动日")
    with page.expect_navigation():
        page.click("button:has-text('保存')")
    assert "社区活动日" in page.locator("main").inner_text()
    assert overflow(page) <= 0
    page.screenshot(path=str(shots / "admin-calendar-360.png"), full_page=True)
    context.close()
