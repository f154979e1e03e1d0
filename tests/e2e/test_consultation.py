"""一事一议 in Chromium: a resident reports a major repair at 微波宿舍 1号楼; the dispatcher,
on a phone, lists the building's rooms and opens a consultation from the report, prints the
ballot slips (decoded back), three households vote from their phones, the door's scan page
shows the tally change, the deadline passes (`flask consultations close-due`), the result is
public and on the month's board, the report goes on, and staff mark a household's share paid."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
from sqlalchemy import select, update

from tests.e2e.conftest import PHONE, log_in
from tests.qr_sheets.helpers import qr_texts_in_pdf
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch
from webapp.extensions import db
from webapp.models import Category, Consultation, Report, User
from webapp.models.types import utcnow

ROOMS = "101, 80\n102, 92\n201, 80, 2单元\n202, 92, 2单元"


def shot(page, folder, name):
    page.screenshot(path=str(folder / f"consultation-{name}.png"), full_page=True)


def phone_context(browser):
    return browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                               accept_downloads=True)


def test_a_consultation_from_report_to_result(live_server, browser, tmp_path, screenshot_dir):
    app, base = live_server.app, live_server.url
    app.config["BASE_URL"] = base
    shots = screenshot_dir or tmp_path
    resident, staff = phone_context(browser), phone_context(browser)
    try:
        # a resident reports the heating riser; the dispatcher marks it for the residents
        door = resident.new_page()
        door.goto(f"{live_server.scan_url}/report")
        with app.app_context():
            heating = db.session.scalar(select(Category.id).where(Category.code == "heating"))
        door.check(f"input[name=category][value='{heating}']")
        door.fill("textarea[name=description]", "楼内暖气立管锈蚀漏水，整栋楼都不热")
        door.click("button[type=submit]")
        door.wait_for_url(re.compile(r"/t/"))
        tracking = door.url
        with app.app_context():
            report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
            dispatcher = db.session.scalars(select(User).where(
                User.username == "dispatcher")).one()
            with unit_of_work():
                dispatch.mark_needs_consultation(report, dispatcher, "需更换立管，业主出资")
            report_id, building_id = report.id, report.building_id

        # the dispatcher lists the rooms and opens the consultation from the report
        page = staff.new_page()
        log_in(page, base, "dispatcher")
        page.goto(f"{base}/staff/buildings/{building_id}/rooms")
        page.fill("textarea[name=rooms]", ROOMS)
        page.click("button:has-text('保存房号')")
        page.get_by_text("新增4个房号").wait_for()
        shot(page, shots, "rooms-phone")
        page.goto(f"{base}/staff/reports/{report_id}")
        page.click("text=发起一事一议")
        page.fill("input[name=title]", "更换1号楼暖气立管")
        page.fill("textarea[name=proposal]", "更换1-6层暖气立管及阀门，施工3天")
        page.fill("textarea[name=reason]", "立管锈蚀漏水，冬季无法正常供暖")
        page.fill("input[name=cost]", "24000")
        deadline = (utcnow() + timedelta(days=7)).astimezone(ZoneInfo("Asia/Shanghai")) \
            .strftime("%Y-%m-%dT%H:%M")
        page.fill("input[name=deadline]", deadline)
        shot(page, shots, "open-phone")
        page.click("button:has-text('发起并生成表决票')")
        page.wait_for_url(re.compile(r"/staff/consultations/\d+$"))
        manage = page.url
        consultation_id = int(manage.rsplit("/", 1)[1])

        # the slips, printed and read back: one link per household
        with page.expect_download() as download:
            page.click("#print button[type=submit]")
        pdf = tmp_path / "slips.pdf"
        download.value.save_as(pdf)
        links = qr_texts_in_pdf(pdf.read_bytes())
        assert len(links) == 4 and all(u.startswith(f"{base}/v/") for u in links)
        first_page = pdfium.PdfDocument(pdf.read_bytes())[0]
        first_page.render(scale=1.5).to_pil().save(shots / "consultation-slip-a5.png")

        # three households vote from their phones; the door shows the tally move
        scan = resident.new_page()
        scan.goto(live_server.scan_url)
        assert "已有0户投票，共4户" in scan.locator("main").inner_text()
        for url, choice in zip(links[:3], ("同意", "同意", "同意"), strict=True):
            household = phone_context(browser)
            ballot = household.new_page()
            ballot.goto(url)
            ballot.get_by_label(choice).check()
            if url == links[0]:
                shot(ballot, shots, "ballot-phone")
            ballot.click("button:has-text('投出本户的票')")
            ballot.get_by_text("本户的票已计入").wait_for()
            household.close()
        scan.goto(live_server.scan_url)
        notice = scan.locator(".consultation-notice").inner_text()
        assert "更换1号楼暖气立管" in notice and "已有3户投票，共4户" in notice
        shot(scan, shots, "door-phone")

        # the deadline passes; the command line decides
        with app.app_context():
            with unit_of_work():
                db.session.execute(update(Consultation).values(
                    deadline=utcnow() - timedelta(minutes=1)))
        result = app.test_cli_runner().invoke(args=["consultations", "close-due"])
        assert "1 consultations decided" in result.output

        public = resident.new_page()
        public.goto(f"{base}/consultations/{consultation_id}")
        text = public.locator("main").inner_text()
        assert "居民表决通过" in text and "6,000.00" in text  # 24,000 yuan in four shares
        shot(public, shots, "result-phone")
        # the public board of the month lists it with its result and tally, counts only
        with app.app_context():
            compound_id = db.session.get(Consultation, consultation_id).compound_id
        public.goto(f"{base}/board/{compound_id}")
        decided = public.locator("section", has_text="一事一议").inner_text()
        assert "更换1号楼暖气立管" in decided and "通过" in decided and "3" in decided
        door.goto(tracking)
        assert "居民表决通过，继续办理" in door.locator("main").inner_text()
        with app.app_context():
            assert db.session.get(Report, report_id).status == "submitted"  # back to the desk

        page.goto(manage)
        page.locator("button:has-text('标记已缴')").first.click()
        page.get_by_text("已筹集6,000.00元，共需24,000.00元").wait_for()
        shot(page, shots, "staff-phone")
        assert page.evaluate("document.documentElement.scrollWidth <= "
                             "document.documentElement.clientWidth + 1")
    finally:
        resident.close()
        staff.close()
