"""The report form of a scan page this phone opened also opens without a connection: a
resident in a basement fills it in, the outbox keeps it, and it is sent when the phone is back
online. The kept copy carries no CSRF token, and each opening gets its own submission key."""

import re
import time

from sqlalchemy import select

from tests.e2e.test_pwa import SAVED, install_worker, kept_pages, report_count
from webapp.extensions import db
from webapp.models import Report

KEPT_FORM = """async (path) => {
    for (const name of await caches.keys()) {
        const copy = await (await caches.open(name)).match(path, { ignoreVary: true });
        if (copy) return copy.text();
    }
    return null;
}"""


def wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.2)


def open_form_from_the_scan_page(page, server):
    page.goto(server.scan_url)
    page.get_by_role("link", name=re.compile("报事")).click()
    page.wait_for_url(re.compile(r"/report$"))
    page.locator("#report-form").wait_for()
    page.wait_for_load_state("networkidle")  # app.js has loaded the outbox


def write(page, text):
    page.locator("label.category", has_text="电路").click()
    page.get_by_label("遇到了什么问题").fill(text)
    page.get_by_role("button", name="提交").click()
    page.locator("#outbox-notice").wait_for()
    assert SAVED in page.locator("#outbox-notice").inner_text()


def descriptions(server) -> list[str]:
    with server.app.app_context():
        return list(db.session.scalars(select(Report.description).order_by(Report.id)))


def test_the_report_form_of_a_kept_scan_page_opens_offline_and_is_sent_later(
        live_server, phone):
    page, context = phone, phone.context
    form_path = live_server.scan_url.removeprefix(live_server.url) + "/report"
    install_worker(page, live_server)
    open_form_from_the_scan_page(page, live_server)  # online: the worker keeps a copy
    online_token = page.locator("input[name=csrf_token]").input_value()
    wait_for(lambda: form_path in kept_pages(page))
    kept = page.evaluate(KEPT_FORM, form_path)
    assert online_token and online_token not in kept
    assert 'name="submission_key" type="hidden" value=""' in kept
    before = report_count(live_server)

    context.set_offline(True)
    keys = []
    for text in ("地下室的灯不亮了", "地下室门锁坏了"):
        open_form_from_the_scan_page(page, live_server)  # the worker's copy
        assert page.locator("input[name=csrf_token]").input_value() == ""
        keys.append(page.locator("input[name=submission_key]").input_value())
        write(page, text)
    assert len(set(keys)) == 2 and all(len(key) >= 16 for key in keys)
    assert page.evaluate("() => outbox.all().then(records => records.length)") == 2
    assert report_count(live_server) == before

    context.set_offline(False)  # the page's "online" event sends what waits
    wait_for(lambda: report_count(live_server) == before + 2)
    assert sorted(descriptions(live_server)[-2:]) == sorted(["地下室的灯不亮了", "地下室门锁坏了"])
    page.locator("#outbox-notice a").wait_for()
    assert "报事已发送" in page.locator("#outbox-notice").inner_text()
