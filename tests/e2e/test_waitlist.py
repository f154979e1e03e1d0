"""In Chromium: a resident finds a time full and joins its waiting list; another resident
cancels; the first in line is given the place and their page says so; the cancelled booking's
calendar file cancels the event (parsed)."""

import re

from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import PHONE
from webapp.extensions import db
from webapp.models import Booking, Slot, WaitlistEntry


def book_form(page, name, phone):
    page.get_by_label("您的姓名").fill(name)
    page.get_by_label("联系电话").fill(phone)


def test_a_waitlisted_resident_is_promoted_when_another_cancels(live_server, browser,
                                                                screenshot_dir):
    with live_server.app.app_context():
        slot = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
        slot.capacity = 1
        db.session.commit()
        slot_id, service_id = slot.id, slot.service_type_id
    first = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    second = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    service_page = f"{live_server.scan_url}/services/{service_id}"
    try:
        # the first resident takes the last place
        first.goto(service_page)
        first.locator(f"a[href$='/slots/{slot_id}/book']").click()
        book_form(first, "赵奶奶", "13811112222")
        first.get_by_role("button", name="预约这个时间").click()
        first.wait_for_url(re.compile(r"/b/[A-Za-z0-9_-]{22,}$"))
        booking_url = first.url

        # the second finds it full and joins the waiting list, asking for a text
        second.goto(service_page)
        full = second.locator(f"a[href$='/slots/{slot_id}/book']")
        expect(full).to_contain_text("已约满 · 可加入候补")
        full.click()
        book_form(second, "钱大爷", "13822223333")
        second.get_by_label("短信发送预约链接和任何变动").check()
        if screenshot_dir:
            second.screenshot(path=str(screenshot_dir / "waitlist-join-phone.png"),
                              full_page=True)
        second.get_by_role("button", name="加入候补名单").click()
        second.wait_for_url(re.compile(r"/b/[A-Za-z0-9_-]{22,}$"))
        expect(second.locator("#waitlist-position")).to_have_text("您在候补名单上排第1位。")
        if screenshot_dir:
            second.screenshot(path=str(screenshot_dir / "waitlist-position-phone.png"),
                              full_page=True)

        # the first cancels: the place goes to the second at once
        first.get_by_role("button", name="取消我的预约").click()
        expect(first.get_by_role("link", name="从我的日历中删除")).to_be_visible()
        expect(first.get_by_role("link", name="加入我的日历")).to_have_count(0)
        if screenshot_dir:
            first.screenshot(path=str(screenshot_dir / "waitlist-cancelled-phone.png"),
                             full_page=True)
        second.reload()
        expect(second.get_by_text("您已获得名额")).to_be_visible()
        expect(second.get_by_role("button", name="取消我的预约")).to_be_visible()
        if screenshot_dir:
            second.screenshot(path=str(screenshot_dir / "waitlist-promoted-phone.png"),
                              full_page=True)
        with live_server.app.app_context():
            promoted = db.session.scalars(select(Booking).where(
                Booking.name == "钱大爷")).one()
            assert promoted.status == "booked" and promoted.sms_updates
            assert db.session.scalar(select(WaitlistEntry.booking_id)) == promoted.id
            assert db.session.get(Slot, slot_id).booked == 1

        # the cancelled booking's calendar file, as the browser fetches it, cancels the event
        ics = first.request.get(f"{booking_url}/calendar.ics")
        assert ics.headers["content-type"].startswith("text/calendar")
        parsed = Calendar.from_ical(ics.body())
        event, = parsed.walk("VEVENT")
        assert str(parsed["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
        assert int(event["sequence"]) >= 1 and str(event["uid"]).startswith("booking-")
    finally:
        first.context.close()
        second.context.close()
