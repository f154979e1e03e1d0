"""The five-step loop in real browsers: a resident reports on a phone, the dispatcher
dispatches on a desktop, the handler accepts, arrives and resolves on a phone, the resident
rates it, and the public board shows it."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, log_in


def test_report_dispatch_accept_resolve_rate_publish(live_server, browser, screenshot_dir):
    base = live_server.url
    resident = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    dispatcher = browser.new_context(viewport=DESKTOP, locale="en-US").new_page()
    handler = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    try:
        # 点单: the resident reports
        resident.goto(live_server.scan_url + "/report")
        resident.locator("label.category", has_text="电路").click()
        resident.get_by_label("遇到了什么问题").fill("一楼楼道灯坏了，晚上很黑")
        resident.get_by_role("button", name="提交").click()
        resident.wait_for_url(re.compile(r"/t/"))
        number = re.search(r"\d{8}-\d{4}", resident.locator("h1").inner_text()).group(0)

        # 派单: the dispatcher sees it in the queue and dispatches to the suggested company
        log_in(dispatcher, base, "dispatcher")
        dispatcher.get_by_role("link", name=number).click()
        dispatcher.wait_for_url(re.compile(r"/staff/reports/\d+$"))
        assert "suggested" in dispatcher.locator("#assign-org").inner_text()
        if screenshot_dir:
            dispatcher.screenshot(path=str(screenshot_dir / "report-desktop.png"),
                                  full_page=True)
        dispatcher.get_by_role("button", name="Dispatch", exact=True).click()
        expect(dispatcher.locator(".status").first).to_have_text("Assigned")

        # 接单: the handler accepts, arrives and resolves, on a phone
        log_in(handler, base, "mateng")
        assert number in handler.content()
        if screenshot_dir:
            handler.screenshot(path=str(screenshot_dir / "jobs-phone.png"), full_page=True)
        handler.get_by_role("button", name="接单").first.click()
        handler.get_by_role("button", name=re.compile("到场")).first.click()
        handler.get_by_role("link", name=number).click()
        handler.get_by_label("处理情况").fill("已更换灯泡")
        handler.get_by_role("button", name="标记为已办结").click()
        expect(handler.locator(".status").first).to_contain_text("已办结")

        # 评单: the resident's open page shows it (polling or reload) and they rate it
        resident.reload()
        expect(resident.locator("#live")).to_contain_text("已更换灯泡")
        resident.locator("label.star", has_text="★★★★★").click()
        resident.get_by_role("button", name=re.compile("已解决")).click()
        expect(resident.locator(".status").first).to_have_text("已完结")

        # 晒单: the public board shows it, without the resident's details
        dispatcher.goto(f"{base}/board")
        board = dispatcher.content()
        assert "省直机关后勤保障中心" in board and "已更换灯泡" in board
        if screenshot_dir:
            dispatcher.screenshot(path=str(screenshot_dir / "board-desktop.png"), full_page=True)
    finally:
        for page in (resident, dispatcher, handler):
            page.context.close()
