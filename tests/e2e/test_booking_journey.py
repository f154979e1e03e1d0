"""Volunteer signs up for a slot → resident books it from a scan → the volunteer checks in at
the door by scanning its code → points appear → the volunteer redeems them → the admin approves."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select, update

from tests.e2e.conftest import DESKTOP, PHONE, log_in
from webapp.extensions import db
from webapp.models import Booking, Slot
from webapp.models.types import utcnow


def test_book_serve_earn_redeem(live_server, browser, screenshot_dir):
    base = live_server.url
    volunteer = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    resident = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    admin = browser.new_context(viewport=DESKTOP, locale="en-US").new_page()
    try:
        # the volunteer signs up for the first open shift
        log_in(volunteer, base, "xiaowang")
        first_open = volunteer.locator("section.job", has=volunteer.get_by_role(
            "button", name="Sign up")).first
        service_name = first_open.locator("strong").first.inner_text()
        first_open.get_by_role("button", name="Sign up").click()
        expect(volunteer.locator(".flash")).to_contain_text("signed up")

        # a resident books that service from the scan page
        resident.goto(live_server.scan_url)
        resident.get_by_role("link", name=re.compile("预约服务")).click()
        with live_server.app.app_context():
            slot = db.session.scalars(select(Slot).where(Slot.volunteers_booked > 0)).first()
            slot_id, service_id = slot.id, slot.service_type_id
        resident.goto(f"{live_server.scan_url}/services/{service_id}")
        resident.locator(f"a[href$='/slots/{slot_id}/book']").click()
        resident.get_by_label("您的姓名").fill("赵奶奶")
        resident.get_by_label("联系电话").fill("13811112222")
        resident.get_by_label("短信发送预约链接和任何变动").check()
        if screenshot_dir:
            resident.screenshot(path=str(screenshot_dir / "booking-form-phone.png"),
                                full_page=True)
        resident.locator("form.card button[type=submit]").click()
        resident.wait_for_url(re.compile(r"/b/[A-Za-z0-9_-]{22,}$"))
        with live_server.app.app_context():
            made = db.session.scalars(select(Booking).where(Booking.name == "赵奶奶")).one()
            assert made.sms_updates and made.sealed_link
        if screenshot_dir:
            resident.screenshot(path=str(screenshot_dir / "booking-phone.png"), full_page=True)

        # the service takes place: move the slot into the past, as time would
        with live_server.app.app_context():
            db.session.execute(update(Slot).where(Slot.id == slot_id).values(
                starts_at=utcnow() - timedelta(minutes=30), ends_at=utcnow() +
                timedelta(minutes=15)))
            db.session.commit()
        volunteer.reload()
        shift = volunteer.locator("section.job", has_text="赵奶奶")
        assert service_name in shift.inner_text()
        # at the resident's door the volunteer scans its code and checks in
        volunteer.goto(live_server.scan_url)
        volunteer.locator("form[action*='/bookings/'] button").click()
        expect(volunteer.locator(".flash")).to_contain_text("points")

        # the service's points are in the passbook
        volunteer.get_by_role("link", name="My passbook").click()
        earned = int(volunteer.locator(".balance strong").inner_text())
        with live_server.app.app_context():
            assert earned == db.session.get(Slot, slot_id).service.points

        # the admin adds a manual award for a community event
        log_in(admin, base, "admin")
        admin.goto(f"{base}/admin/points")
        admin.select_option("#adjust-volunteer", label="志愿者 小王")
        admin.fill("#adjust-points", "20")
        admin.fill("#adjust-reason", "社区清扫活动")
        admin.get_by_role("button", name="Record").click()
        expect(admin.locator(".flash")).to_contain_text("Points recorded")

        # the volunteer redeems tissues; the admin approves; the passbook shows the debit
        volunteer.reload()
        balance = int(volunteer.locator(".balance strong").inner_text())
        assert balance == earned + 20
        volunteer.locator("li", has_text="Tissues").get_by_role("button", name="Redeem").click()
        expect(volunteer.locator(".flash")).to_contain_text("Requested")
        admin.goto(f"{base}/admin/points")
        admin.locator("tr", has_text="Tissues").get_by_role("button", name="Approve").click()
        expect(admin.locator(".flash")).to_contain_text("Decision recorded")
        volunteer.reload()
        assert int(volunteer.locator(".balance strong").inner_text()) == balance - 30
        if screenshot_dir:
            volunteer.screenshot(path=str(screenshot_dir / "passbook-phone.png"), full_page=True)
    finally:
        for page in (volunteer, resident, admin):
            page.context.close()
