"""Staff pages, live, in Chromium on a 360 px phone: the dispatcher's open queue shows a new
report and counts it in the tab title without a reload, the handler's "My jobs" lights up
with a new assignment, and a new item raises a browser notification when allowed. Then the
notification pages fit a phone and pass an accessibility scan."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import DESKTOP, log_in
from webapp.domain import unit_of_work
from webapp.domain.notify import outbox
from webapp.domain.reports import intake, queue
from webapp.extensions import db
from webapp.models import (
    Category,
    Channel,
    Organization,
    OutboxMessage,
    OutboxStatus,
    QrCode,
    Report,
)
from webapp.models.types import utcnow

NARROW = {"width": 360, "height": 740}
# Records what the page asks the browser to show: the browser's own API, observed.
RECORD_NOTIFICATIONS = """
  window.__shown = [];
  const Real = window.Notification;
  window.Notification = new Proxy(Real, {
    construct(target, args) {
      window.__shown.push({ title: args[0], body: (args[1] || {}).body });
      return Reflect.construct(target, args);
    },
  });
"""


def fast(live_server):
    live_server.app.config["LIVE_POLL_SECONDS"] = 1
    return live_server.url


def staff_page(browser, viewport=NARROW, locale="zh-CN"):
    return browser.new_context(viewport=viewport, locale=locale).new_page()


def file_through_the_domain(live_server, key: str) -> str:
    with live_server.app.app_context():
        code = db.session.scalars(select(QrCode).where(
            QrCode.token == live_server.scan_url.rsplit("/", 1)[1])).one()
        draft = intake.ReportDraft(
            submission_key=key, category_id=db.session.scalar(
                select(Category.id).where(Category.code == "water")),
            description="三楼水管漏水")
        with unit_of_work():
            report, _new = intake.submit_report(code, draft, [], live_server.app.config[
                "UPLOAD_FOLDER"], secret=live_server.app.config["SECRET_KEY"])
        return report.number


def shown_within(page, seconds: float) -> list:
    """What the page asked the browser to show, once it asked (polled from here: the page's
    CSP allows no evaluated strings, which wait_for_function would need)."""
    for _ in range(int(seconds * 10)):
        shown = page.evaluate("window.__shown")
        if shown:
            return shown
        page.wait_for_timeout(100)
    return []


def waiting_now(live_server) -> int:
    with live_server.app.app_context():
        community_id = db.session.scalars(select(Report.community_id)).first()
        return queue.waiting_count(community_id)


def test_the_open_queue_shows_a_new_report_and_counts_it_in_the_title(live_server, browser):
    base = fast(live_server)
    dispatcher = staff_page(browser)
    resident = staff_page(browser)
    try:
        log_in(dispatcher, base, "dispatcher")
        dispatcher.goto(f"{base}/staff/queue")
        before = waiting_now(live_server)
        # A resident files a report on their own phone.
        resident.goto(live_server.scan_url + "/report")
        resident.locator("label.category", has_text="电路").click()
        resident.get_by_label("遇到了什么问题").fill("二楼楼道灯不亮")
        resident.get_by_role("button", name="提交").click()
        resident.wait_for_url(re.compile(r"/t/"))
        number = re.search(r"\d{8}-\d{4}", resident.locator("h1").inner_text()).group(0)
        # Without a reload: the row appears and the title counts it.
        expect(dispatcher.locator("#queue-rows")).to_contain_text(number, timeout=10_000)
        expect(dispatcher).to_have_title(re.compile(rf"^\({before + 1}\) 报事列表"),
                                         timeout=10_000)
        expect(dispatcher.locator("a.bell .bell-count")).not_to_have_text("0")
        assert dispatcher.evaluate("performance.getEntriesByType('navigation').length") == 1
    finally:
        dispatcher.context.close()
        resident.context.close()


def test_my_jobs_light_up_with_a_new_assignment(live_server, browser, screenshot_dir):
    base = fast(live_server)
    number = file_through_the_domain(live_server, "live-e2e-jobs-000000001")
    handler = staff_page(browser)
    dispatcher = staff_page(browser, DESKTOP, "en-US")
    try:
        log_in(handler, base, "mateng")
        handler.goto(f"{base}/staff/jobs")
        expect(handler.locator("#job-list")).not_to_contain_text(number)
        log_in(dispatcher, base, "dispatcher")
        dispatcher.goto(f"{base}/staff/queue?tab=new")
        dispatcher.get_by_role("link", name=number).click()
        dispatcher.get_by_role("button", name="Dispatch", exact=True).click()
        expect(dispatcher.locator(".status").first).to_have_text("Assigned")
        fresh = handler.locator("section.job.is-new", has_text=number)
        expect(fresh).to_be_visible(timeout=10_000)
        expect(fresh.locator(".tag-new")).to_have_text("新")
        if screenshot_dir:
            handler.screenshot(path=str(screenshot_dir / "jobs-new-360.png"), full_page=True)
        assert handler.evaluate("performance.getEntriesByType('navigation').length") == 1
    finally:
        handler.context.close()
        dispatcher.context.close()


def test_a_new_item_raises_a_browser_notification_when_allowed(live_server, browser):
    base = fast(live_server)
    context = browser.new_context(viewport=NARROW, locale="zh-CN")
    context.grant_permissions(["notifications"], origin=base)
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = context.new_page()
    try:
        log_in(page, base, "dispatcher")
        page.goto(f"{base}/notifications")
        assert page.evaluate("Notification.permission") == "granted"
        expect(page.locator("#desktop-enable")).to_be_hidden()  # nothing left to ask
        number = file_through_the_domain(live_server, "live-e2e-notify-00000001")
        shown = shown_within(page, seconds=10)
        assert [s["title"] for s in shown] == [f"新报事 {number}"]
        expect(page.locator("a.bell .bell-count")).to_have_text("1")
        # The list shows it without a reload; opening it reads it and goes to its report.
        page.get_by_role("button", name=re.compile(number)).click()
        page.wait_for_url(re.compile(r"/staff/reports/\d+$"))
        expect(page.locator("a.bell .bell-unread")).to_be_hidden()
    finally:
        context.close()


def test_without_permission_nothing_is_shown_and_the_button_asks_only_when_pressed(
        live_server, browser):
    base = fast(live_server)
    context = browser.new_context(viewport=NARROW, locale="zh-CN")
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = context.new_page()
    try:
        log_in(page, base, "dispatcher")
        page.goto(f"{base}/notifications")
        assert page.evaluate("Notification.permission") == "default"  # not asked on load
        expect(page.get_by_role("button", name="桌面通知")).to_be_visible()
        file_through_the_domain(live_server, "live-e2e-notify-00000002")
        expect(page.locator("a.bell .bell-count")).to_have_text("1", timeout=10_000)
        assert page.evaluate("window.__shown") == []
    finally:
        context.close()


def test_notification_pages_fit_a_phone(live_server, browser, screenshot_dir, tmp_path):
    """Each page at 360 px without sideways scrolling and without serious accessibility
    problems; screenshots at 360 px and on a desktop."""
    base = live_server.url
    resident = staff_page(browser)
    resident.goto(live_server.scan_url + "/report")
    resident.locator("label.category", has_text="电路").click()
    resident.get_by_label("遇到了什么问题").fill("楼道灯坏了")
    resident.get_by_label(re.compile("电话")).fill("13912345678")
    resident.get_by_label(re.compile("短信")).check()
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url(re.compile(r"/t/"))
    resident.context.close()
    with live_server.app.app_context():
        community_id = db.session.scalars(select(Report.community_id)).first()
        org = db.session.scalars(select(Organization).where(
            Organization.community_id == community_id, Organization.kind == "property")).first()
        with unit_of_work():
            outbox.enqueue(key="shot-robot", channel=Channel.ROBOT, recipient=f"org:{org.id}",
                           kind="overdue", title="已超时：20261201-0007",
                           body="接单时限 12-01 09:30 已过 · 八九宿舍 1号楼",
                           url="/staff/reports/1",
                           community_id=community_id, due_at=utcnow(), language="zh",
                           urgent=True)
        message = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.dedupe_key == "shot-robot")).one()
        message.status, message.attempts = OutboxStatus.FAILED, 5
        message.last_error = "HTTP 500 from the WeCom robot: errcode 93000 invalid webhook url"
        db.session.commit()
    folder = screenshot_dir or tmp_path
    README_SHOTS = {"bell-360.png", "sent-messages-360.png", "deliveries-desktop.png"}
    axe = Axe()
    pages = {"dispatcher": [("/notifications", "bell"), ("/notifications/settings", "settings"),
                            ("/staff/queue", "queue")],
             "admin": [("/admin/deliveries", "deliveries"),
                       ("/admin/sent-messages", "sent-messages")]}
    for name, viewport in (("360", NARROW), ("desktop", DESKTOP)):
        for user, paths in pages.items():
            page = staff_page(browser, viewport)
            try:
                log_in(page, base, user)
                for path, shot in paths:
                    page.goto(base + path)
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    assert wide <= viewport["width"], f"{path} at {name}: {wide} px wide"
                    serious = [v["id"] for v in axe.run(page).response["violations"]
                               if v["impact"] in ("serious", "critical")]
                    assert serious == [], f"{path}: {serious}"
                    shot_name = f"{shot}-{name}.png"
                    into = folder if shot_name in README_SHOTS else tmp_path
                    page.screenshot(path=str(into / shot_name), full_page=True)
                if user == "dispatcher":
                    assert re.match(r"^\(\d+\) 报事列表", page.title())
            finally:
                page.context.close()
