"""A resident scans, reports with a photo and follows the report, in a real Chromium."""

import re

import pytest

from tests.conftest import jpeg_bytes
from tests.e2e.conftest import DESKTOP, PHONE


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "leak.jpg"
    path.write_bytes(jpeg_bytes(size=(1600, 1200), exif=True))
    return path


def file_report(page, photo_file):
    page.get_by_role("link", name=re.compile("报事")).click()
    page.wait_for_url(re.compile(r"/report$"))
    page.locator("label.category", has_text="水电").click()
    page.get_by_label("遇到了什么问题").fill("二楼楼道的水管一直在滴水，地面很滑。")
    page.locator("input[type=file][name=photos]").set_input_files(str(photo_file))
    page.get_by_label("楼层 / 房号").fill("2楼 201")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22,}$"))


def assert_tracking_page(page):
    heading = page.get_by_role("heading", level=1)
    assert re.search(r"\d{8}-\d{4}", heading.inner_text())
    image = page.locator(".photos img").first
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=image.element_handle())
    assert "13800138000" in page.content()
    assert "已受理" in page.locator(".status").inner_text()


def test_scan_report_with_photo_and_track(live_server, phone, photo_file, screenshot_dir):
    page = phone
    page.goto(live_server.scan_url)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "微波宿舍" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("link", name=re.compile("0351-7654321")).is_visible()
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "scan-phone.png"), full_page=True)

    file_report(page, photo_file)
    assert_tracking_page(page)
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "tracking-phone.png"), full_page=True)


def test_the_same_journey_without_javascript(live_server, browser, photo_file):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.scan_url)
        assert page.evaluate is not None
        file_report(page, photo_file)
        assert_tracking_page(page)
    finally:
        context.close()


def test_a_server_side_error_keeps_what_was_typed(live_server, phone):
    page = phone
    page.goto(live_server.scan_url + "/report")
    page.locator("label.category", has_text="电路").click()
    page.get_by_label("遇到了什么问题").fill("三楼的灯坏了好几天了")
    page.get_by_label("联系电话").fill("12345")
    page.get_by_role("button", name="提交").click()
    error = page.locator(".field-error")
    error.wait_for()
    assert "手机号" in error.inner_text()
    assert page.url.endswith("/report")
    assert page.get_by_label("遇到了什么问题").input_value() == "三楼的灯坏了好几天了"
    assert page.locator("label.category input:checked").count() == 1

    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/t/"))
    assert "三楼的灯坏了好几天了" in page.content()


def test_language_switch(live_server, browser, screenshot_dir):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.scan_url)
        assert page.get_by_role("link", name=re.compile("我要报事")).is_visible()
        page.get_by_role("link", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert page.url == live_server.scan_url
        assert page.get_by_role("link", name=re.compile("Report a problem")).is_visible()
        page.get_by_role("link", name=re.compile("Report a problem")).click()
        page.wait_for_url(re.compile(r"/report$"))
        assert page.locator("label.category", has_text="Water and drains").is_visible()
        if screenshot_dir:
            page.screenshot(path=str(screenshot_dir / "report-form-desktop-en.png"),
                            full_page=True)
        page.get_by_role("link", name="中文").click()
        page.wait_for_function("document.documentElement.lang === 'zh-CN'")
        assert page.locator("label.category", has_text="水电").is_visible()
    finally:
        context.close()


def test_scan_page_fits_a_narrow_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    try:
        for url in (live_server.scan_url, live_server.scan_url + "/report"):
            page.goto(url)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
            small = page.evaluate("""() => [...document.querySelectorAll(
                'main a, main button, main label.category, main input[type=text],'
                + 'main input[type=tel]')]
                .filter(e => e.offsetParent !== null)
                .map(e => e.getBoundingClientRect())
                .filter(r => r.height < 44).length""")
            assert small == 0, f"{url}: {small} touch targets under 44px"
    finally:
        context.close()


def test_a_screenshot_before_submitting_causes_no_csp_refusal(live_server, phone):
    """A screenshot (Playwright's, here) leaves style="" on inputs; htmx must not copy it
    onto the next page's inputs of the same id, which the CSP refuses."""
    page = phone
    page.add_init_script("window.refusals = [];document.addEventListener("
                         "'securitypolicyviolation', e => window.refusals.push(e.sample))")
    page.goto(live_server.scan_url + "/report")
    page.locator("label.category", has_text="电路").click()
    page.get_by_label("遇到了什么问题").fill("三楼的灯坏了好几天了")
    page.screenshot()
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22,}$"))
    page.locator(".status").wait_for()
    page.wait_for_timeout(300)  # the settle step runs after the swap
    assert page.evaluate("window.refusals") == []
