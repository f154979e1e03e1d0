"""An admin sets a property company's WeCom robot on a 360 px phone and sends a test message:
the page never scrolls sideways, and the (fake) group receives the message."""

from tests.e2e.conftest import log_in

NARROW = {"width": 360, "height": 780}


def sideways(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_an_admin_sets_a_robot_and_tests_it_on_a_narrow_phone(live_server, browser, wecom,
                                                              tmp_path):
    live_server.app.config["ROBOT_HOSTS"] = ["127.0.0.1"]
    context = browser.new_context(viewport=NARROW, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        log_in(page, live_server.url, "admin")
        page.goto(f"{live_server.url}/admin/organizations")
        assert page.locator("h1").inner_text() == "组织 · 群机器人"
        assert sideways(page) <= 0
        card = page.locator("section.card", has_text="太原市怡安居物业")
        card.locator("select[name=kind]").select_option("wecom")
        card.locator("input[name=webhook]").fill("http://intranet.local/hook")
        card.locator("button[type=submit]", has_text="保存").click()
        page.wait_for_selector(".problem")
        assert "https://" in page.locator(".problem").inner_text() and sideways(page) <= 0
        card = page.locator("section.card", has_text="太原市怡安居物业")
        assert card.locator("input[name=webhook]").input_value() == "http://intranet.local/hook"
        card.locator("input[name=webhook]").fill(wecom.webhook)
        card.locator("button[type=submit]", has_text="保存").click()
        page.wait_for_selector(".flash-success")
        page.locator("section.card", has_text="太原市怡安居物业").locator(
            "button", has_text="发送测试消息").click()
        page.wait_for_selector(".flash-success:has-text('测试消息已发送')")
        assert sideways(page) <= 0
        page.screenshot(path=str(tmp_path / "group-robots-360.png"), full_page=True)
        assert len(wecom.accepted) == 1 and "太原市怡安居物业" in wecom.accepted[0]["content"]
    finally:
        context.close()
