"""多元点单 in Chromium on a phone: a dispatcher takes a resident's phone call, picks the place
step by step, files the report with the "text the link" tick, reads the tracking link out, and
finds the report at the top of the queue of that compound with its channel tag."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, log_in

COUNT_STEPS = """document.body.dataset.placeSteps = 0;
document.body.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target?.id === "file-place") document.body.dataset.placeSteps++;
})"""


def test_a_dispatcher_files_a_phone_in_report_on_a_phone(live_server, browser, screenshot_dir,
                                                         tmp_path):
    shots = screenshot_dir or tmp_path
    page = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                               has_touch=True).new_page()
    try:
        log_in(page, live_server.url, "dispatcher")
        page.get_by_role("link", name="代居民登记").first.click()
        page.wait_for_url(re.compile(r"/staff/file"))
        page.wait_for_load_state("networkidle")  # htmx has taken the new page in hand
        # each choice brings the next select (htmx), without a page load
        page.evaluate(COUNT_STEPS)
        for n, (step, choice) in enumerate((("小区", "建材宿舍"), ("楼栋", "1号楼"),
                                            ("单元", "2单元")), start=1):
            page.get_by_label(step).select_option(label=choice)
            # htmx takes the new step in hand once it has settled (a person never notices)
            expect(page.locator(f"body[data-place-steps='{n}']")).to_be_attached()
        expect(page.locator("#file-form")).to_be_visible()
        assert "entrance=" in page.url  # the step is in the address: a reload keeps it

        page.get_by_role("radio", name="电话").check()
        page.locator("label.category", has_text="电路").click()
        page.get_by_label("遇到了什么问题").fill("赵奶奶来电：二单元三楼楼道灯不亮，晚上下楼看不清。")
        page.get_by_label("居民姓名").fill("赵奶奶")
        page.get_by_label("居民电话").fill("139 1234 5678")
        page.get_by_label("把跟踪链接发短信给居民").check()
        page.screenshot(path=str(shots / "file-for-resident-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name="提交登记").click()

        expect(page.locator("h1")).to_contain_text("已登记")
        number = re.search(r"\d{8}-\d{4}", page.locator("h1").inner_text()).group(0)
        link = page.locator("#tracking-link").input_value()
        assert "/t/" in link
        expect(page.locator(".tag-channel")).to_have_text("电话")
        expect(page.get_by_text("跟踪链接正以短信发送至 13912345678")).to_be_visible()
        page.screenshot(path=str(shots / "filed-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # the queue of the place, where a duplicate would show too
        page.get_by_role("link", name="本小区的报事").click()
        page.wait_for_url(re.compile(r"/staff/queue"))
        first_row = page.locator("table.queue tbody tr").first
        expect(first_row).to_contain_text(number)
        expect(first_row.locator(".tag-channel")).to_have_text("电话")
        page.screenshot(path=str(shots / "queue-phone-in-phone.png"), full_page=True)
        first_row.get_by_role("link", name=number).click()
        expect(page.locator("main")).to_contain_text("由 社区派单员 李静 · 八一社区居委会 代登记")
    finally:
        page.context.close()
