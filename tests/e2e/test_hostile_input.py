"""Hostile text in a real Chromium: a resident files a report full of markup, staff answer
with more, and no page — tracking, the dispatcher's report page and queue, the handler's
jobs, the public board — runs any of it. The DOM is checked directly, so the test holds
whatever the Content-Security-Policy would block."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, log_in

DESCRIPTION = ("<img src=x onerror=alert('desc-img')>"
               "\"><svg onload=alert('desc-svg')>"
               "<script>alert('desc-script')</script>"
               "<a href=\"javascript:alert('desc-link')\" id=jslink>link</a>"
               "</textarea><b id=inj>b</b>"
               "<div id=hxinj hx-get=\"/staff/queue\" hx-trigger=\"load\">htmx</div>"
               " 楼道漏水")
FLOOR_ROOM = "\"><svg onload=alert('room')>"
NAME = "<img src=x onerror=alert('name')>"
INFO = "<iframe srcdoc=\"<script>parent.alert('info')</script>\"></iframe>补充"
REPLY = "<img src=x onerror=alert('reply')> 已收到"
RESOLVED = "<svg/onload=alert('resolved')> 已修好"

# What only injected markup can put into a page: every template draws none of it (the
# board's own charts are drawn with class "chart"; an injected one has no class).
INJECTED = ["img[src='x']", "svg:not(.chart)", "iframe", "#inj", "#hxinj", "#jslink",
            "a[href^='javascript:']"]
HANDLERS = """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => a.name.startsWith('on')).map(a => e.tagName + '[' + a.name + ']'))"""
ALERTS = """() => [...document.querySelectorAll('script')]
    .filter(s => !s.getAttribute('src') && s.textContent.includes('alert')).length"""


def watch_dialogs(page, fired: list) -> None:
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))


def assert_inert(page, where: str, shown: list[str]) -> None:
    """Nothing injected is in the DOM, and the hostile text is on the page as text."""
    page.wait_for_load_state("networkidle")
    for selector in INJECTED:
        assert page.locator(selector).count() == 0, f"{selector} on {where}"
    assert page.evaluate(HANDLERS) == [], where
    assert page.evaluate(ALERTS) == 0, where
    text = page.locator("body").inner_text()
    for value in shown:
        assert value in text, f"{value!r} not shown as text on {where}"


def test_hostile_text_runs_nowhere(live_server, browser):
    base = live_server.url
    fired: list[str] = []
    resident = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    dispatcher = browser.new_context(viewport=DESKTOP, locale="en-US").new_page()
    handler = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    for page in (resident, dispatcher, handler):
        watch_dialogs(page, fired)
    try:
        # the resident files it, and adds more on the tracking page
        resident.goto(live_server.scan_url + "/report")
        resident.locator("label.category", has_text="电路").click()
        resident.locator("#description").fill(DESCRIPTION)
        resident.locator("#floor_room").fill(FLOOR_ROOM)
        resident.locator("#contact_name").fill(NAME)
        resident.locator("button[type=submit]").click()
        resident.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22,}$"))
        tracking_url = resident.url
        number = re.search(r"\d{8}-\d{4}", resident.locator("h1").inner_text()).group(0)
        resident.locator("#note").fill(INFO)
        resident.locator("#info-form button[type=submit]").click()
        expect(resident.locator(".timeline")).to_contain_text("补充")
        assert_inert(resident, "tracking page", [DESCRIPTION.strip(), FLOOR_ROOM, NAME, INFO])

        # the dispatcher sees it in the queue and on the report page, replies and dispatches
        log_in(dispatcher, base, "dispatcher")
        dispatcher.goto(f"{base}/staff/queue?tab=all")
        expect(dispatcher.get_by_role("link", name=number)).to_be_visible()
        assert_inert(dispatcher, "queue", [])
        dispatcher.get_by_role("link", name=number).click()
        dispatcher.wait_for_url(re.compile(r"/staff/reports/\d+$"))
        assert_inert(dispatcher, "staff report page", [FLOOR_ROOM, NAME, INFO])
        dispatcher.locator("summary", has_text="Reply to the resident").click()  # folded
        dispatcher.locator("#reply-text").fill(REPLY)
        dispatcher.get_by_role("button", name="Send reply").click()
        expect(dispatcher.locator(".timeline")).to_contain_text("已收到")
        dispatcher.get_by_role("button", name="Dispatch", exact=True).click()
        expect(dispatcher.locator(".status").first).to_have_text("Assigned")
        assert_inert(dispatcher, "staff report page after reply", [REPLY])

        # the handler accepts, arrives and resolves with a hostile note
        log_in(handler, base, "mateng")
        assert_inert(handler, "jobs", [])
        handler.get_by_role("button", name="Accept").first.click()
        handler.get_by_role("button", name=re.compile("on site")).first.click()
        handler.get_by_role("link", name=number).click()
        handler.locator("#resolve-note").fill(RESOLVED)
        handler.get_by_role("button", name="Mark resolved").click()
        expect(handler.locator(".status").first).to_contain_text("Resolved")
        assert_inert(handler, "handler's report page", [RESOLVED])

        # everything the resident and the public see afterwards
        resident.goto(tracking_url)
        assert_inert(resident, "tracking page, resolved", [REPLY, RESOLVED])
        dispatcher.goto(f"{base}/board/")
        # The board masks what the reply shares with the resident's own name ("<img src=x").
        assert_inert(dispatcher, "public board", [REPLY.split(" ", 2)[2], RESOLVED])
        assert "楼道漏水" not in dispatcher.content()  # the description is not on the board
        dispatcher.goto(f"{base}/staff/queue?tab=all")
        assert_inert(dispatcher, "queue, resolved", [])
        assert fired == [], f"dialogs fired: {fired}"
    finally:
        for page in (resident, dispatcher, handler):
            page.context.close()
