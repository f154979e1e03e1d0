"""A volunteer checks in by scanning the door's code — the code decoded from its printed image,
opened as a phone's camera would — and the service's points appear in their passbook; a care
visit is checked in the same way and recorded all well; staff see it in the holder's history."""

import io
import re
from datetime import timedelta

import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select, update

from tests.e2e.conftest import PHONE, log_in
from webapp.domain import unit_of_work
from webapp.domain.services import booking, care_cards, care_visits
from webapp.extensions import db
from webapp.models import CareVisit, QrCode, ServiceType, Slot, User
from webapp.models.types import utcnow


def prepare(app, token):
    """小王 serves a home service at this door that started five minutes ago; 孙爷爷 lives
    here, visited daily, and 老李 took today's visit."""
    with app.app_context():
        code = db.session.scalar(select(QrCode).where(QrCode.token == token))
        community_id = code.building.compound.community_id
        users = {u.username: u for u in db.session.scalars(select(User))}
        service = db.session.scalars(select(ServiceType).where(ServiceType.at_home)
                                     .order_by(ServiceType.id)).first()
        with unit_of_work():
            slot, = booking.publish(service, community_id, utcnow() + timedelta(minutes=20))
            booking.sign_up(slot, users["xiaowang"])
            booking.book(slot, code, booking.BookingDraft("e2e-checkin-0000000001", "赵奶奶",
                                                          "13811112222", floor_room="3楼 301"),
                         secret=app.config["SECRET_KEY"])
            card = care_cards.register(community_id, care_cards.CareCardDraft(
                "孙爷爷", "13700001111", code.entrance_id))
        with unit_of_work():
            db.session.execute(update(Slot).where(Slot.id == slot.id).values(
                starts_at=utcnow() - timedelta(minutes=5),
                ends_at=utcnow() + timedelta(minutes=40)))
            care_visits.set_rhythm(card, care_visits.RhythmDraft(1, 10, None), users["admin"])
        visit = db.session.scalars(select(CareVisit).order_by(CareVisit.due_on)).first()
        with unit_of_work():
            care_visits.take(visit, users["laoli"])
        return service.points, card.id


def decoded_door_url(admin, base, token) -> str:
    """The door's code as the office prints it, read back as a camera reads it."""
    image = admin.request.get(f"{base}/staff/codes/{token}.png")
    assert image.ok
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.body())))
    assert len(found) == 1
    return found[0].text


def test_check_in_by_scanning_the_door_earns_the_points(live_server, browser, screenshot_dir):
    base = live_server.url
    live_server.app.config["BASE_URL"] = base
    token = live_server.scan_url.rsplit("/", 1)[1]
    points, card_id = prepare(live_server.app, token)
    volunteer = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                                    has_touch=True).new_page()
    visitor = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                                  has_touch=True).new_page()
    admin = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    try:
        log_in(admin, base, "admin")
        door_url = decoded_door_url(admin, base, token)
        assert door_url == live_server.scan_url

        log_in(volunteer, base, "xiaowang")
        volunteer.goto(door_url)
        volunteer.wait_for_url(re.compile(rf"/volunteer/door/{token}$"))
        expect(volunteer.locator("section.job")).to_contain_text("赵奶奶")
        if screenshot_dir:
            volunteer.screenshot(path=str(screenshot_dir / "checkin-door.png"), full_page=True)
        volunteer.locator("form[action*='/bookings/'] button").click()
        expect(volunteer.locator(".flash")).to_contain_text("积分")
        expect(volunteer.locator("section.job")).to_contain_text("已签到")

        volunteer.get_by_role("link", name="我的积分存折").click()
        assert int(volunteer.locator(".balance strong").inner_text()) == points
        if screenshot_dir:
            volunteer.screenshot(path=str(screenshot_dir / "checkin-passbook.png"),
                                 full_page=True)

        # a care visit: 老李 scans the same door, checks in, and finds 孙爷爷 well
        log_in(visitor, base, "laoli")
        expect(visitor.locator("section.job", has_text="孙爷爷")).to_be_visible()
        visitor.goto(door_url)
        visitor.wait_for_url(re.compile(rf"/volunteer/door/{token}$"))
        visitor.locator("form[action*='/visits/'] button").click()
        visitor.wait_for_url(re.compile(r"/volunteer/visits/\d+$"))
        if screenshot_dir:
            visitor.screenshot(path=str(screenshot_dir / "care-visit-phone.png"),
                               full_page=True)
        visitor.get_by_role("button", name="一切安好").click()
        expect(visitor.locator(".flash")).to_contain_text("积分")

        admin.goto(f"{base}/admin/care-cards/{card_id}")
        expect(admin.locator("table.queue")).to_contain_text("一切安好")
        expect(admin.locator("table.queue")).to_contain_text("志愿者 老李")
        if screenshot_dir:
            admin.screenshot(path=str(screenshot_dir / "care-visit-history.png"),
                             full_page=True)
            admin.goto(f"{base}/admin/attendance")
            admin.screenshot(path=str(screenshot_dir / "checkin-attendance.png"),
                             full_page=True)
    finally:
        for page in (volunteer, visitor, admin):
            page.context.close()
