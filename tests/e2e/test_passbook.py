"""In Chromium, on phones 390 and 360 px wide: a volunteer's request holds points, an admin
reverses a mistaken award from the history (asked first), and both lines show in the
passbook, which fits the screen without sideways scrolling."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import log_in
from webapp.domain import unit_of_work
from webapp.domain.services import ledger
from webapp.extensions import db
from webapp.models import User

WIDTHS = {"390": {"width": 390, "height": 844}, "360": {"width": 360, "height": 780}}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_held_points_and_a_reversal_in_the_passbook(browser, live_server, screenshot_dir,
                                                     width):
    with live_server.app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        with unit_of_work():
            ledger.adjust(users["xiaowang"], 120, "社区清扫活动", users["admin"])
        with unit_of_work():
            ledger.adjust(users["xiaowang"], 50, "重阳节敬老活动（误记）", users["admin"])
        with unit_of_work():
            ledger.adjust(users["laoli"], 40, "楼道宣传", users["admin"])
    base = live_server.url
    pages = [browser.new_context(viewport=WIDTHS[width], locale="zh-CN", is_mobile=True,
                                 has_touch=True).new_page() for _ in range(2)]
    volunteer, admin = pages
    try:
        log_in(volunteer, base, "xiaowang")
        volunteer.goto(f"{base}/volunteer/passbook")
        volunteer.locator("li", has_text="水饺一袋").locator("button").click()
        expect(volunteer.locator(".hint", has_text="冻结 50 分")).to_be_visible()

        log_in(admin, base, "admin")
        admin.goto(f"{base}/admin/points/history")
        line = admin.locator("li", has_text="重阳节敬老活动（误记）")
        line.locator("input[name=reason]").fill("活动未举行，记错了")
        line.locator("button").click()
        expect(admin.locator("h1")).to_have_text("撤销这笔积分？")
        admin.locator("form button.button-primary").click()
        expect(admin.locator(".flash")).to_contain_text("已撤销")
        assert fits(admin)
        if screenshot_dir:
            admin.screenshot(path=str(screenshot_dir / f"passbook-admin-history-{width}.png"),
                             full_page=True)

        volunteer.reload()
        movements = volunteer.locator("table.stats tbody")
        expect(movements).to_contain_text("撤销： 活动未举行，记错了")
        expect(movements).to_contain_text("已于")
        assert volunteer.locator(".balance strong").inner_text() == "120"
        assert fits(volunteer)
        if screenshot_dir:
            volunteer.screenshot(path=str(screenshot_dir / f"passbook-volunteer-{width}.png"),
                                 full_page=True)
    finally:
        for page in pages:
            page.context.close()
