"""The district overview as a street or district official sees it: figures side by side,
links down to each community's board and each company's figures, nothing personal."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import app_secret, login
from tests.domain.reports.conftest import category_coded, org_named
from webapp.domain import unit_of_work
from webapp.domain.district import places
from webapp.domain.people import accounts
from webapp.domain.reports import dispatch, intake, transitions
from webapp.extensions import db
from webapp.models import Community, Role
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}


def resolved_report(code, users, key, name="王阿姨", phone="13812345678"):
    draft = intake.ReportDraft(submission_key=key, category_id=category_coded("water").id,
                               description="楼道水管漏水", contact_name=name,
                               contact_phone=phone, floor_room="3-302")
    start = utcnow() - timedelta(hours=2)
    with unit_of_work():
        report, _ = intake.submit_report(code, draft, [], None, now=start, secret=app_secret())
        dispatch.assign(report, users["dispatcher"], org_named("省直机关后勤保障中心"),
                        users["mateng"], now=start)
        transitions.accept(report, users["mateng"], now=start + timedelta(minutes=1))
        transitions.arrive(report, users["mateng"], now=start + timedelta(minutes=3))
        transitions.resolve(report, users["mateng"], "换了水管 王阿姨 13812345678",
                            now=start + timedelta(minutes=40))
        transitions.confirm_fixed(report, 4, "谢谢", now=start + timedelta(minutes=50))
    return report


def test_the_district_official_lands_on_the_overview_and_reads_no_one(
        client, users, entrance_code):
    resolved_report(entrance_code, users, "district-page-000001")
    login(client, "district")
    home = client.get("/staff/", headers=EN)
    assert home.status_code == 302 and home.headers["Location"].endswith("/district/")
    page = client.get("/district/", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "八一社区" in html and "新桥北村社区" in html
    assert 'href="/board/?community=bayi&amp;month=' in html
    assert "省直机关后勤保障中心" in html  # the company behind the demo's partner
    for personal in ("王阿姨", "13812345678", "3-302", "换了水管", "谢谢", "马腾飞"):
        assert personal not in html, personal
    assert "Queue" not in html and "/notifications" not in html  # not a community's staff


def test_a_street_official_sees_their_street_and_a_district_official_picks_one(
        client, users, demo):
    bayi, xinqiao = db.session.scalars(select(Community).order_by(Community.id)).all()[:2]
    with unit_of_work():
        district = places.district_coded("xiaodian")
        other = places.create_street(district, "erying", "二营盘街道")
        xinqiao.street = other
        accounts.create_user("wucheng", "坞城街道 专员", "street-pass", Role.OVERSEER, None,
                             street=places.street_coded("wucheng"))
    login(client, "wucheng", "street-pass")
    html = client.get("/district/?street=erying", headers=EN).get_data(as_text=True)
    assert "八一社区" in html and "新桥北村社区" not in html  # another street: ignored
    assert 'name="street"' not in html  # one street: nothing to pick
    login(client, "district")
    whole = client.get("/district/", headers=EN).get_data(as_text=True)
    assert "八一社区" in whole and "新桥北村社区" in whole and 'name="street"' in whole
    one = client.get("/district/?street=erying", headers=EN).get_data(as_text=True)
    assert "八一社区" not in one and "新桥北村社区" in one


def test_a_company_page_shows_it_per_community_and_another_districts_is_missing(
        client, users, entrance_code):
    report = resolved_report(entrance_code, users, "district-company-0001")
    company_id = report.assigned_org.company_id
    login(client, "district")
    page = client.get(f"/district/companies/{company_id}", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "省直机关后勤保障中心" in html and "八一社区" in html
    assert "王阿姨" not in html and "13812345678" not in html
    with unit_of_work():
        db.session.get(Community, report.community_id).street = None
    assert client.get(f"/district/companies/{company_id}").status_code == 404
    assert client.get("/district/?month=2026-13", headers=EN).status_code == 200  # ignored


def test_a_community_admin_cannot_make_an_overseer(client, demo, app):
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, "admin")
    office = org_named("八一社区居委会")
    response = client.post("/admin/users", headers=EN, data={
        "username": "sneaky", "display_name": "x", "password": "long-enough-pass",
        "role": "overseer", "org": str(office.id)})
    assert response.status_code == 422
    assert "street office or one district" in response.get_data(as_text=True)
    page = client.get("/admin/users", headers=EN).get_data(as_text=True)
    assert 'value="overseer"' not in page
