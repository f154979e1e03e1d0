"""Replacing a poster's code on a phone: a confirmation page names the exact place and says
printed posters stop working; only its button replaces; the old code's page then names the
compound, building and entrance."""

from tests.e2e.conftest import log_in


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_replacing_a_code_asks_first_and_the_old_code_names_its_entrance(
        live_server, phone, screenshot_dir, tmp_path):
    shots = screenshot_dir or tmp_path
    log_in(phone, live_server.url, "admin")
    phone.goto(f"{live_server.url}/admin/places")
    phone.click("text=微波宿舍")
    entrance = phone.locator("li", has_text="2单元")
    entrance.locator("button", has_text="更换二维码").click()
    phone.wait_for_selector("text=确定更换此二维码吗？")
    details = phone.locator(".confirm-details").inner_text()
    assert "微波宿舍" in details and "1号楼" in details and "2单元" in details
    assert "印有此二维码的海报和标签将立即失效" in phone.content()
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "replace-code-confirm-phone.png"), full_page=True)
    # nothing was replaced by the first click
    assert phone.request.get(live_server.scan_url).status == 200

    phone.click("button:has-text('确定更换')")
    phone.wait_for_selector(".flash-success")
    assert phone.request.get(live_server.scan_url).status == 410

    phone.goto(live_server.scan_url)
    assert "微波宿舍 · 1号楼 · 2单元" in phone.inner_text("main")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "code-replaced-phone.png"), full_page=True)
