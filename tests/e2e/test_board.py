"""The public board in Chromium, on a phone (390 × 844) and at a desk: 红黑榜 with the score's
parts, the honest counts, the 12-month charts and their table, no sideways scrolling."""

from datetime import timedelta

from sqlalchemy import select

from tests.e2e.conftest import DESKTOP, PHONE
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, intake, transitions
from webapp.extensions import db
from webapp.models import Building, Category, Compound, QrCode, User
from webapp.models.types import utcnow


def three_months_of_reports(app):
    """省直 fixes quickly and is rated well; 怡安居 is slow, rated low and sits on two
    overdue reports; 八九宿舍's company has one perfect report, too few to rank."""
    with app.app_context():
        def one(model, **where):
            return db.session.scalars(select(model).filter_by(**where)).first()

        dispatcher = one(User, username="dispatcher")
        handlers = {"微波宿舍": one(User, username="mateng"),
                    "建材宿舍": one(User, username="yianju"),
                    "八九宿舍": one(User, username="grid")}
        light = one(Category, code="electricity")
        now, n = utcnow(), 0

        def report(compound, hours_ago, fix_minutes=None, rating=None, then=None):
            nonlocal n
            n += 1
            code = db.session.scalars(
                select(QrCode).join(Building, QrCode.building_id == Building.id)
                .join(Compound, Building.compound_id == Compound.id)
                .where(Compound.name == compound, QrCode.revoked_at.is_(None))).first()
            start = now - timedelta(hours=hours_ago)
            with unit_of_work():
                filed, _ = intake.submit_report(code, intake.ReportDraft(
                    submission_key=f"e2e-board-{n:010d}", category_id=light.id,
                    description="楼道灯不亮"), [], None, now=start,
                    secret=app.config["SECRET_KEY"])
                if then:
                    then(filed, start)
                    return
                org = filed.compound.grid_org if compound == "八九宿舍" else \
                    filed.compound.partner_org
                dispatch.assign(filed, dispatcher, org, now=start + timedelta(minutes=1))
                if fix_minutes is None:
                    return  # nobody accepts it: overdue
                handler = handlers[compound]
                transitions.accept(filed, handler, now=start + timedelta(minutes=2))
                transitions.arrive(filed, handler, now=start + timedelta(minutes=4))
                transitions.resolve(filed, handler, "已修好",
                                    now=start + timedelta(minutes=fix_minutes))
                if rating:
                    transitions.confirm_fixed(filed, rating, None,
                                              now=start + timedelta(minutes=fix_minutes + 30))

        for days in (50, 45, 20, 12, 8):
            for h in (0, 3):
                report("微波宿舍", days * 24 + h, 15, 5)
        for h in range(3, 27, 4):
            report("微波宿舍", h, 16, 5 if h % 3 else 4)
        for days in (40, 18, 10):
            report("建材宿舍", days * 24, 300, 2)
        for h in (5, 9, 13, 20, 25):
            report("建材宿舍", h, 240 if h < 20 else 18, 3)
        report("建材宿舍", 26)  # left overdue
        report("建材宿舍", 22)
        report("八九宿舍", 6, 10, 5)
        report("微波宿舍", 7, then=lambda r, at: dispatch.reject(
            r, dispatcher, "不属于报修范围", now=at + timedelta(minutes=3)))
        db.session.remove()


def test_the_board_on_a_phone_and_at_a_desk(live_server, browser, screenshot_dir):
    three_months_of_reports(live_server.app)
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = browser.new_context(viewport=viewport, locale="zh-CN",
                                      is_mobile=name == "phone", has_touch=name == "phone")
        page = context.new_page()
        page.goto(f"{live_server.url}/board/")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        html = page.content()
        assert "红榜" in html and "黑榜" in html and "件数太少，暂不排名" in html
        red = page.locator(".red-list").first.inner_text()
        black = page.locator(".black-list").first.inner_text()
        assert "省直机关后勤保障中心" in red and "太原市怡安居物业" in black
        assert "超时未办" in black  # the overdue ones count against their holder
        assert page.locator("svg.chart").count() == 2
        assert page.locator("svg.chart rect.received").count() == 12
        page.locator(".trend summary").click()  # the table behind the charts
        assert page.locator(".trend table tbody tr").count() == 12
        if screenshot_dir:
            page.screenshot(path=str(screenshot_dir / f"board-red-black-{name}.png"),
                            full_page=True)
        context.close()
