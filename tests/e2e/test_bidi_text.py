"""A name with U+202E (RIGHT-TO-LEFT OVERRIDE) must not turn the phone a dispatcher reads
aloud into another number. In Chromium at 360 px: the digits of the phone, read in the order
they are drawn from left to right, are the stored phone — for a report filed now (the control
is stripped on input) and for one stored before that (the name is drawn inside <bdi>)."""

import re

from sqlalchemy import select, update

from tests.e2e.conftest import log_in
from webapp.extensions import db
from webapp.models import Report

RLO = "\u202e"
NARROW = {"width": 360, "height": 780}

# The characters of the phone link's text as drawn: sorted by where each one's box is.
DRAWN = """link => {
    const node = [...link.querySelectorAll('*'), link].map(e => [...e.childNodes])
        .flat().find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const range = document.createRange();
    const boxes = [...node.textContent].map((ch, i) => {
        range.setStart(node, i); range.setEnd(node, i + 1);
        return {ch, x: range.getBoundingClientRect().left};
    });
    return {text: node.textContent,
            drawn: [...boxes].sort((a, b) => a.x - b.x).map(b => b.ch).join('')};
}"""


def phone_as_drawn(page, report_id: int, base: str) -> dict:
    page.goto(f"{base}/staff/reports/{report_id}")
    link = page.locator("dd a[href^='tel:']")
    result = link.evaluate(DRAWN)
    result["inner_text"] = link.inner_text()
    return result


def test_a_right_to_left_override_in_a_name_does_not_reverse_the_phone(
        live_server, browser, tmp_path):
    base = live_server.url
    resident = browser.new_context(viewport=NARROW, locale="zh-CN").new_page()
    dispatcher = browser.new_context(viewport=NARROW, locale="zh-CN").new_page()

    # filed now, through the form: the control never reaches the database
    resident.goto(live_server.scan_url + "/report")
    resident.locator("label.category", has_text="电路").click()
    resident.locator("#description").fill("楼道灯不亮了")
    resident.locator("#contact_name").fill(f"{RLO}王阿姨 楼上")
    resident.locator("#contact_phone").fill("13812345678")
    resident.locator("button[type=submit]").click()
    resident.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22,}$"))
    with live_server.app.app_context():
        filed = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert (filed.contact_name, filed.contact_phone) == ("王阿姨 楼上", "13812345678")
        # stored by an older version, with the control in it
        older = db.session.scalars(select(Report).order_by(Report.id)).first()
        db.session.execute(update(Report).where(Report.id == older.id).values(
            contact_name=f"张{RLO}三 · 楼下", contact_phone="13987654321"))
        db.session.commit()
        ids = {filed.id: filed.contact_phone, older.id: "13987654321"}

    log_in(dispatcher, base, "dispatcher")
    for report_id, stored in ids.items():
        seen = phone_as_drawn(dispatcher, report_id, base)
        assert seen["inner_text"] == stored
        assert seen["drawn"] == stored, f"drawn as {seen['drawn']}"
    dispatcher.screenshot(path=str(tmp_path / "staff-report-360.png"), full_page=False)
    name_box = dispatcher.locator("dd", has_text="张").locator("bdi").first.bounding_box()
    phone_box = dispatcher.locator("dd a[href^='tel:']").bounding_box()
    assert phone_box["x"] > name_box["x"], "the phone follows the name, left to right"
