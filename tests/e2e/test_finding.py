"""Finding and collapsing in Chromium at 390×844: a resident at a door with an open report
follows it ("我也遇到了"); the dispatcher finds the report by a phone spelled otherwise and
merges a suggested duplicate with one click. No page scrolls sideways."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, log_in


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def shoot(page, folder, name, full_page=True):
    if folder:
        page.screenshot(path=str(folder / name), full_page=full_page)


def file_report(page, url, text, phone=None):
    page.goto(url + "/report")
    page.locator("label.category", has_text="电路").click()
    page.get_by_label("遇到了什么问题").fill(text)
    if phone:
        page.get_by_label("联系电话").fill(phone)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/t/"))
    return re.search(r"\d{8}-\d{4}", page.locator("h1").inner_text()).group(0)


def test_follow_at_the_door_find_by_phone_merge_a_duplicate(live_server, browser,
                                                           screenshot_dir):
    contexts = [browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                                    has_touch=True) for _ in range(3)]
    first, neighbour, dispatcher = (c.new_page() for c in contexts)
    try:
        number = file_report(first, live_server.scan_url, "楼道灯不亮，晚上看不清",
                             phone="13800138000")

        # 我也遇到了: the next resident at the door sees it first, without who filed it
        neighbour.goto(live_server.scan_url + "/report")
        door = neighbour.locator("#neighbours")
        expect(door).to_contain_text("已有邻居反映")
        expect(door).to_contain_text("楼道灯不亮，晚上看不清")
        expect(door).to_contain_text("已受理")
        assert "13800138000" not in door.inner_text() and number not in door.inner_text()
        fits(neighbour)
        shoot(neighbour, screenshot_dir, "follow-door-phone.png", full_page=False)
        neighbour.get_by_role("button", name="我也遇到了").click()
        neighbour.wait_for_url(re.compile(r"/f/"))
        expect(neighbour.locator(".status").first).to_have_text("已受理")
        expect(neighbour.locator("body")).to_contain_text("又一位邻居反映了此问题")
        fits(neighbour)
        shoot(neighbour, screenshot_dir, "follow-page-phone.png")

        # "not the same problem": a third resident files anyway, in other words
        neighbour.goto(live_server.scan_url + "/report")
        neighbour.get_by_role("link", name="不是同一个问题，继续报事").click()
        duplicate = file_report(neighbour, live_server.scan_url, "楼道的灯不亮了")

        # the dispatcher finds the first by its phone, spelled otherwise, on a phone
        log_in(dispatcher, live_server.url, "dispatcher")
        dispatcher.goto(live_server.url + "/staff/queue")
        dispatcher.get_by_label("搜索").fill("+86 138-0013-8000")
        rows = dispatcher.locator("#queue-rows")
        expect(rows).to_contain_text("共找到 1 条报事")  # swapped in by htmx while typing
        expect(rows.get_by_role("link", name=number)).to_be_visible()
        assert duplicate not in rows.inner_text()
        shoot(dispatcher, screenshot_dir, "queue-search-phone.png")
        rows.get_by_role("link", name=number).click()
        dispatcher.wait_for_url(re.compile(r"/staff/reports/\d+$"))
        expect(dispatcher.locator(".followers")).to_contain_text("1 位邻居也反映了")
        suggestions = dispatcher.locator("#duplicates")
        expect(suggestions).to_contain_text(duplicate)
        shoot(dispatcher, screenshot_dir, "duplicates-phone.png", full_page=False)

        # one click merges the suggestion into this report
        suggestions.get_by_role("button", name="合并到此").click()
        expect(dispatcher.locator("body")).to_contain_text(f"已合并：{duplicate}")
        expect(dispatcher.locator("#duplicates")).to_have_count(0)
        dispatcher.goto(live_server.url + "/staff/queue?tab=all&q=" + duplicate[-4:])
        expect(dispatcher.locator("#queue-rows")).to_contain_text("重复报事")
        fits(dispatcher)
    finally:
        for context in contexts:
            context.close()
