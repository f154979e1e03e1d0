"""Without an account the phone remembers: the reports and bookings a resident made are listed
on the scan page ("我的报事", "我的预约"), each a link to its private page, and the private link
can be copied or shared. Residents who lose the link no longer lose the report."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import PHONE
from webapp.extensions import db
from webapp.models import Building, Compound, Entrance, QrCode

TRACKING = re.compile(r"/t/[A-Za-z0-9_-]{22,}$")
BOOKING = re.compile(r"/b/[A-Za-z0-9_-]{22,}$")


@pytest.fixture
def resident(browser):
    """A phone that may use the clipboard (for the copy button)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1,
                                  is_mobile=True, has_touch=True,
                                  permissions=["clipboard-read", "clipboard-write"])
    yield context.new_page()
    context.close()


def other_building_code(server) -> str:
    """A code on a building other than the live server's scan code."""
    with server.app.app_context():
        return db.session.scalars(
            select(QrCode.token).join(Building, QrCode.building_id == Building.id)
            .join(Compound, Building.compound_id == Compound.id)
            .outerjoin(Entrance, QrCode.entrance_id == Entrance.id)
            .where(QrCode.revoked_at.is_(None), Compound.name != "微波宿舍")).first()


def file_report(page, scan_url, category="水电"):
    page.goto(scan_url)
    page.get_by_role("link", name=re.compile("报事")).first.click()
    page.wait_for_url(re.compile(r"/report$"))
    page.locator("label.category", has_text=category).click()
    page.get_by_label("遇到了什么问题").fill("楼道的灯一直不亮，晚上看不清台阶。")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(TRACKING)
    remembered(page)
    return page.locator("h1").inner_text(), page.url


def book_first_free_slot(page, scan_url, phone="13811112222"):
    page.goto(f"{scan_url}/services")
    page.locator("a.service-link").first.click()
    page.locator("a.service-link[href$='/book']").first.click()
    page.get_by_label("您的姓名").fill("赵奶奶")
    page.get_by_label("联系电话").fill(phone)
    page.get_by_role("button", name="预约这个时间").click()
    page.wait_for_url(BOOKING)
    remembered(page)
    return page.locator("h1").inner_text(), page.url


def stored(page):
    """What the phone's store "mine" holds."""
    return page.evaluate("""() => typeof phoneDb === "undefined" ? [] :
        phoneDb.run("mine", "readonly", (store) => store.getAll())""")


def remembered(page, status=None):
    """Wait until this page is in the phone's store (written in the background), with this
    status if one is given."""
    path = urlsplit(page.url).path
    for _attempt in range(50):
        if any(record["path"] == path and status in (None, record["status"])
               for record in stored(page)):
            return
        page.wait_for_timeout(100)
    pytest.fail(f"{path} was not remembered (status {status})")


def test_a_report_is_listed_on_the_scan_page_and_its_building_first(live_server, resident):
    page = resident
    page.goto(live_server.scan_url)
    page.wait_for_load_state("networkidle")
    assert page.locator("#my-items").is_hidden()  # nothing remembered yet

    number, link = file_report(page, live_server.scan_url)
    other_scan = f"{live_server.url}/q/{other_building_code(live_server)}"
    other_number, other_link = file_report(page, other_scan, category="电路")

    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server.scan_url)
    mine = page.locator("#my-items")
    expect(mine.get_by_role("heading", name="我的报事")).to_be_visible()
    items = mine.locator("[data-kind=report] li")
    expect(items).to_have_count(2)
    # This building's report first, though the other one is newer.
    assert re.search(r"\d{8}-\d{4}", number).group() in items.nth(0).inner_text()
    assert re.search(r"\d{8}-\d{4}", other_number).group() in items.nth(1).inner_text()
    assert "已受理" in items.nth(0).locator(".status").inner_text()
    assert "微波宿舍" in items.nth(0).inner_text()
    assert mine.locator("[data-kind=booking]").is_hidden()
    # The private links stay on the phone: no request carried one.
    token, other_token = link.rsplit("/", 1)[1], other_link.rsplit("/", 1)[1]
    assert not [url for url in asked if token in url or other_token in url]
    # The phone's database holds no waiting report: the outbox's page script is not needed.
    page.wait_for_load_state("networkidle")
    assert page.locator("script[src*='outbox-page.js']").count() == 0

    page.goto(other_scan)  # that building's own report first there
    expect(page.locator("#my-items [data-kind=report] li").first).to_contain_text(
        re.search(r"\d{8}-\d{4}", other_number).group())

    page.goto(live_server.scan_url)
    page.locator("#my-items [data-kind=report] li a").first.click()
    page.wait_for_url(link)
    expect(page.locator("h1")).to_have_text(number)


def test_a_booking_is_listed_and_forgetting_removes_it(live_server, resident):
    page = resident
    service, link = book_first_free_slot(page, live_server.scan_url)

    page.goto(live_server.scan_url)
    mine = page.locator("#my-items")
    expect(mine.get_by_role("heading", name="我的预约")).to_be_visible()
    item = mine.locator("[data-kind=booking] li")
    expect(item).to_have_count(1)
    assert service in item.inner_text() and "已预约" in item.locator(".status").inner_text()
    assert item.locator("a").get_attribute("href") == link.removeprefix(live_server.url)
    assert mine.locator("[data-kind=report]").is_hidden()

    item.get_by_role("button", name="从本机移除").click()
    expect(mine).to_be_hidden()
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("#my-items").is_hidden()
    assert stored(page) == []


def test_the_status_last_seen_is_updated_when_the_page_is_opened_again(live_server, resident):
    page = resident
    _service, link = book_first_free_slot(page, live_server.scan_url)
    page.get_by_label("原因（选填）").fill("临时有事")
    page.get_by_role("button", name="取消我的预约").click()
    expect(page.locator(".status").first).to_have_text("已取消")
    remembered(page, "cancelled")
    page.goto(live_server.scan_url)
    expect(page.locator("#my-items [data-kind=booking] .status")).to_have_text("已取消")


def test_the_copy_button_puts_the_link_on_the_clipboard(live_server, resident):
    page = resident
    _number, link = file_report(page, live_server.scan_url)
    field = page.locator("#tracking-link")
    assert field.input_value() == link and field.get_attribute("readonly") is not None
    page.get_by_role("button", name="复制链接").click()
    expect(page.get_by_role("status").filter(has_text="已复制")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link


def test_an_older_phone_database_keeps_its_waiting_report(live_server, resident):
    """A phone with the version 1 database (the outbox alone) and a report waiting in it: the
    upgrade adds the new store and the report still waits (its notice is shown)."""
    page = resident
    page.goto(live_server.url + "/offline")
    page.evaluate("""() => new Promise((resolve, reject) => {
        const request = indexedDB.open("mashang", 1);
        request.onupgradeneeded = () => request.result.createObjectStore("outbox",
            { keyPath: "key" });
        request.onsuccess = () => {
            const tx = request.result.transaction("outbox", "readwrite");
            tx.objectStore("outbox").put({ key: "k1", action: "/q/x/report", fields: [],
                                            photos: [], problem: 400 });
            tx.oncomplete = () => { request.result.close(); resolve(); };
        };
        request.onerror = () => reject(request.error);
    })""")
    file_report(page, live_server.scan_url)
    page.goto(live_server.scan_url)
    expect(page.locator("#my-items [data-kind=report] li")).to_have_count(1)
    expect(page.locator("#outbox-k1")).to_be_visible()  # outbox-page.js: the report waits
    assert page.evaluate("outbox.all().then((records) => records.map((r) => r.key))") == ["k1"]
