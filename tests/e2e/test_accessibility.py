"""axe-core scans of every resident page and of the dispatcher's queue and report page:
no serious or critical violation, in Chinese and in English."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from tests.conftest import demo_tracking_token
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from webapp.domain import unit_of_work
from webapp.domain.places import editing
from webapp.extensions import db
from webapp.models import QrCode, Report, ReportStatus, Slot

AXE = Axe()


def serious(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): " + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def resident_urls(live_server) -> list[str]:
    """One URL for each resident page, in the states that show the most."""
    with live_server.app.app_context():
        code = db.session.scalars(select(QrCode).where(
            QrCode.entrance_id.is_not(None), QrCode.revoked_at.is_(None))).first()
        report = db.session.scalars(select(Report)).first()
        report.status = ReportStatus.RESOLVED  # shows the rating forms
        db.session.commit()
        slot = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
        replaced = db.session.scalars(select(QrCode).where(
            QrCode.entrance_id.is_not(None), QrCode.id != code.id)).first()
        with unit_of_work():
            editing.replace_code(replaced)
        base, token = live_server.url, code.token
        return [f"{base}/", f"{base}/q/{token}", f"{base}/q/{token}/report",
                f"{base}/t/{demo_tracking_token(report)}", f"{base}/q/{token}/services",
                f"{base}/q/{token}/services/{slot.service_type_id}",
                f"{base}/q/{token}/slots/{slot.id}/book", f"{base}/q/{replaced.token}",
                f"{base}/q/no-such-code", f"{base}/board", f"{base}/login"]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_resident_pages(live_server, browser, locale):
    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    problems = {}
    urls = resident_urls(live_server)
    try:
        for url in urls:
            page.goto(url)
            found = serious(page)
            if found:
                problems[url] = found
        # a form with its errors shown
        page.goto(urls[2])
        page.locator("label.category").first.click()
        page.fill("#description", "漏水了，请尽快处理")
        page.fill("#contact_phone", "123")
        page.click("button[type=submit]")
        page.locator(".field-error").wait_for()
        if found := serious(page):
            problems["report form with errors"] = found
    finally:
        context.close()
    assert problems == {}


def test_dispatcher_pages(live_server, browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, live_server.url, "dispatcher")
        problems = {"queue": serious(page)}
        with live_server.app.app_context():
            report_id = db.session.scalar(select(Report.id).where(
                Report.status == ReportStatus.SUBMITTED))
        page.goto(f"{live_server.url}/staff/reports/{report_id}")
        problems["report"] = serious(page)
    finally:
        context.close()
    assert problems == {"queue": [], "report": []}


def test_every_page_works_by_keyboard_alone(live_server, phone):
    """Tab from the top of the report form to its submit button, choosing with the keyboard."""
    page = phone
    page.goto(live_server.scan_url + "/report")
    page.keyboard.press("Tab")  # skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "category":
            break
    page.keyboard.press("Space")
    assert page.locator("label.category input:checked").count() == 1
    page.focus("#description")
    page.keyboard.type("键盘也能报事")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/t/"))
    assert "键盘也能报事" in page.content()
