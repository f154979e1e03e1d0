"""A handler works a job from a 390 px phone: the job card shows what the job needs and the
next step's button, and accept → on site → resolve never scrolls sideways. The dispatcher's
person picker keeps to the chosen organisation."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import DESKTOP, PHONE, log_in
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, intake
from webapp.extensions import db
from webapp.models import Category, QrCode, Report, ReportStatus, User

NARROW = {"width": 360, "height": 740}


def user(name):
    return db.session.scalars(select(User).where(User.username == name)).one()


def urgent_job_for_mateng(server) -> str:
    with server.app.app_context(), unit_of_work():
        code = db.session.scalars(select(QrCode).where(
            QrCode.token == server.scan_url.rsplit("/", 1)[1])).one()
        draft = intake.ReportDraft(
            submission_key="phone-job-0000000001", care_card=True, floor_room="3楼301",
            category_id=db.session.scalar(select(Category.id).where(Category.code == "water")),
            description="厨房水管爆了，水流到楼道里。", contact_name="王阿姨",
            contact_phone="13812345678")
        report = intake.submit_report(code, draft, [], None, secret="x")[0]
        dispatcher = user("dispatcher")
        dispatch.assign(report, dispatcher, user("mateng").organization)
        dispatch.set_priority(report, dispatcher, 2)
        dispatch.add_internal_note(report, dispatcher, "住户行动不便，请先打电话")
        return report.number


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def serious_problems(page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_accept_arrive_resolve_on_a_phone_without_sideways_scroll(
        live_server, browser, tmp_path, screenshot_dir):
    shots = screenshot_dir or tmp_path
    number = urgent_job_for_mateng(live_server)
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(page, live_server.url, "mateng")
    card = page.locator(".job", has_text=number)
    expect(card.locator(".tag", has_text="紧急")).to_be_visible()
    expect(card.locator(".tag-care")).to_be_visible()
    expect(card.locator(".job-note")).to_contain_text("住户行动不便，请先打电话")
    expect(card.locator("a[href='tel:13812345678']")).to_be_visible()
    card.screenshot(path=str(shots / "job-card-390.png"))
    assert fits(page) and serious_problems(page) == []

    # Each step is the card's first button (a major job's plan step would come in between).
    for step in ("接单", "我已到场"):
        card.get_by_role("button", name=step).click()
        expect(page.locator(".flash")).to_be_visible()
        assert fits(page), f"after {step}"
    card.get_by_role("link", name="办结").click()
    page.wait_for_url(re.compile(r"/staff/reports/\d+#next-step$"))
    expect(page.locator("#next-step")).to_contain_text("办结")
    assert page.locator("a", has_text="← 我的工单").get_attribute("href") == "/staff/jobs"
    page.screenshot(path=str(shots / "report-handler-390.png"), full_page=True)
    assert fits(page) and serious_problems(page) == []
    page.locator("#next-step").get_by_label("处理情况").fill("已更换水管接头")
    page.get_by_role("button", name="标记为已办结").click()
    expect(page.locator(".status").first).to_contain_text("已办结")
    assert fits(page)
    page.context.close()


def test_the_person_picker_follows_the_organisation(live_server, browser, tmp_path):
    with live_server.app.app_context():
        report_id = db.session.scalars(select(Report.id).where(
            Report.status == ReportStatus.SUBMITTED).order_by(Report.id)).first()
    for name, viewport in (("360", NARROW), ("desktop", DESKTOP)):
        page = browser.new_context(viewport=viewport, locale="en-US").new_page()
        log_in(page, live_server.url, "dispatcher")
        page.goto(f"{live_server.url}/staff/reports/{report_id}")
        page.screenshot(path=str(tmp_path / f"report-dispatcher-{name}.png"), full_page=True)
        assert fits(page) and serious_problems(page) == []
        page.context.close()

    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/staff/reports/{report_id}")
    people = page.locator("#assign-person option")
    assert page.locator("#assign-person optgroup").count() > 1  # before a choice: grouped
    page.locator("#assign-org").select_option(label="太原市怡安居物业")
    expect(page.locator("#assign-person optgroup")).to_have_count(0)
    expect(people).to_have_text(["本单位任意人员", "怡安居 王师傅"])
    page.locator("#assign-person").select_option(label="怡安居 王师傅")
    page.get_by_role("button", name="派单", exact=True).click()
    expect(page.locator(".facts")).to_contain_text("怡安居 王师傅")
    page.context.close()

    admin = browser.new_context(viewport=NARROW, locale="zh-CN").new_page()
    log_in(admin, live_server.url, "admin")
    admin.goto(f"{live_server.url}/admin/services")
    admin.screenshot(path=str(tmp_path / "admin-services-360.png"), full_page=True)
    assert fits(admin)
    admin.context.close()


def major_job_for_mateng(server) -> str:
    with server.app.app_context(), unit_of_work():
        code = db.session.scalars(select(QrCode).where(
            QrCode.token == server.scan_url.rsplit("/", 1)[1])).one()
        draft = intake.ReportDraft(
            submission_key="phone-major-00000001",
            category_id=db.session.scalar(select(Category.id).where(Category.code == "elevator")),
            description="电梯一直停在三楼不动，按钮没有反应。")
        report = intake.submit_report(code, draft, [], None, secret="x")[0]
        dispatch.assign(report, user("dispatcher"), user("mateng").organization)
        return report.number


def test_a_major_job_goes_accept_plan_resolve_on_a_phone(live_server, browser):
    """A major job (电梯): its plan is the step after accepting; then resolving. No step
    scrolls sideways."""
    number = major_job_for_mateng(live_server)
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(page, live_server.url, "mateng")
    card = page.locator(".job", has_text=number)
    card.get_by_role("button", name="接单").click()
    expect(page.locator(".flash")).to_be_visible()
    card.get_by_role("link", name="提交方案").click()
    page.wait_for_url(re.compile(r"/staff/reports/\d+#next-step$"))
    step = page.locator("#next-step")
    expect(step).to_contain_text("提交方案")
    assert fits(page)
    step.get_by_label("怎么办").fill("更换曳引机控制板，需厂家配件。")
    step.get_by_label("预计完成日期").fill("2099-01-01")
    step.get_by_role("button", name="提交方案").click()
    expect(page.locator(".problem")).to_contain_text("一年")  # too far: refused, kept
    step = page.locator("#next-step")
    expect(step.get_by_label("怎么办")).to_have_value("更换曳引机控制板，需厂家配件。")
    step.get_by_label("预计完成日期").fill(page.evaluate(
        "new Date(Date.now() + 3 * 864e5).toISOString().slice(0, 10)"))
    step.get_by_role("button", name="提交方案").click()
    expect(page.locator("body")).to_contain_text("更换曳引机控制板")
    expect(page.locator("#next-step")).to_contain_text("办结")
    assert fits(page) and serious_problems(page) == []
    page.locator("#next-step").get_by_label("处理情况").fill("控制板已更换，电梯恢复运行")
    page.get_by_role("button", name="标记为已办结").click()
    expect(page.locator(".status").first).to_contain_text("已办结")
    assert fits(page)
    page.context.close()
