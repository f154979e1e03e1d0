"""What 八一社区's admin saves for a shared category on the admin page (routing, SLA targets, a
canned reply) shows and counts in 八一社区 only: 新桥北村社区's admin page, report page and
new reports are as before."""

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import login
from tests.web.helpers import submit_report
from webapp.domain import unit_of_work
from webapp.domain.people import accounts
from webapp.domain.reports import category_settings
from webapp.extensions import db
from webapp.models import (
    CannedReply,
    Category,
    CategoryQuestion,
    Community,
    Organization,
    QrCode,
    Report,
    Role,
)

EN = {"Accept-Language": "en"}


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def water_form(page: str, category_id: int) -> str:
    """The category's settings form, less its CSRF token (signed anew each second)."""
    start = page.index(f'id="category-{category_id}"')
    return re.sub(r'name="csrf_token" value="[^"]+"', "",
                  page[start:page.index("</form>", start)])


def test_an_admin_changes_categories_for_their_own_community_only(app, client, demo):
    bayi, xinqiao = db.session.scalars(select(Community).order_by(Community.id)).all()[:2]
    office = db.session.scalars(select(Organization).where(
        Organization.community_id == xinqiao.id, Organization.kind == "office")).first()
    with unit_of_work():
        accounts.create_user("xq-admin", "新桥管理员", "xinqiao-pass", Role.ADMIN, office)
    water = db.session.scalars(select(Category).where(Category.code == "water")).one()
    other = app.test_client()
    login(other, "xq-admin", "xinqiao-pass")
    there_before = water_form(other.get("/admin/categories").text, water.id)

    login(client, "admin")
    page = client.get("/admin/categories").text
    saved = client.post(f"/admin/categories/{water.id}", data={
        "csrf_token": csrf(page), "routing": "office", "target_accept": "7",
        "target_arrive": "8", "target_resolve": "9", "canned": "八一：维修师傅明早九点上门"})
    assert saved.status_code == 303
    here = water_form(client.get("/admin/categories").text, water.id)
    assert 'name="target_accept" value="7"' in here
    assert re.search(r'value="office"\s+selected', here)

    # 新桥北村社区's admin page: the same as before, and no 八一 reply
    there_page = other.get("/admin/categories").text
    assert water_form(there_page, water.id) == there_before
    assert 'name="target_accept" value="30"' in there_before
    assert "八一：维修师傅明早九点上门" not in there_page

    # a new report in 新桥北村社区: the 52022 clock and its partner company suggested
    code = next(c for c in db.session.scalars(select(QrCode).where(
        QrCode.entrance_id.is_not(None))) if c.building.compound.community_id == xinqiao.id)
    assert submit_report(app.test_client(), code.token).status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert report.community_id == xinqiao.id
    assert report.next_due_at - report.created_at == timedelta(minutes=30)
    report_page = other.get(f"/staff/reports/{report.id}", headers=EN).text
    partner = report.compound.partner_org.name
    assert re.search(rf'selected>{re.escape(partner)} — suggested', report_page)
    assert "八一：维修师傅明早九点上门" not in report_page

    # nor can 新桥北村社区 send 八一社区's canned reply by its id
    reply = db.session.scalars(select(CannedReply).where(
        CannedReply.community_id == bayi.id)).one()
    sent = other.post(f"/staff/reports/{report.id}/public_reply", headers=EN, data={
        "csrf_token": csrf(report_page), "canned": str(reply.id)})
    assert sent.status_code == 422
    db.session.refresh(report)
    assert not [e for e in report.events if e.kind == "reply"]


def test_open311_tells_each_community_its_own_targets(client, demo):
    """The service list and the requests of 新桥北村社区 keep the 52022 promise after 八一社区
    set its own targets for water and parking."""
    bayi = db.session.scalars(select(Community).where(Community.code == "bayi")).one()
    for code in ("water", "parking"):
        category = db.session.scalars(select(Category).where(Category.code == code)).one()
        with unit_of_work():
            category_settings.save(category, bayi.id, routing=None,
                                   targets={"accept": 7, "arrive": 8, "resolve": 9})

    def notice(jurisdiction, listing="services", code="water"):
        found = client.get(f"/open311/v2/{listing}.json?jurisdiction_id={jurisdiction}",
                           headers=EN).get_json()
        return next(s["description" if listing == "services" else "service_notice"]
                    for s in found if s["service_code"] == code)

    assert "Accepted within 7 minutes" in notice("bayi")
    assert "Accepted within 30 minutes" in notice("xinqiaobeicun")
    assert "Accepted within 7 minutes" in notice("bayi", "requests")
    assert "Accepted within 30 minutes" in notice("xinqiaobeicun", "requests", "parking")


def test_an_admins_questions_are_asked_in_their_own_community_only(app, client, demo):
    """八一社区's admin adds a question to parking: 新桥北村社区's form and Open311 service
    definition do not ask it. The demo's shared question cannot be changed from a community."""
    login(client, "admin")
    page = client.get("/admin/categories").text
    parking = db.session.scalars(select(Category).where(Category.code == "parking")).one()
    added = client.post(f"/admin/categories/{parking.id}/questions", data={
        "csrf_token": csrf(page), "code": "plate", "variable": "1", "datatype": "string",
        "order": "1", "description_zh": "车牌号是多少？", "description_en": "Which plate?"})
    assert added.status_code == 303

    def asked(jurisdiction):
        return [a["code"] for a in client.get(
            f"/open311/v2/services/parking.json?jurisdiction_id={jurisdiction}").get_json()
            ["attributes"]]
    assert (asked("bayi"), asked("xinqiaobeicun")) == (["plate"], [])
    xinqiao = db.session.scalars(select(Community).where(
        Community.code == "xinqiaobeicun")).one()
    code = next(c for c in db.session.scalars(select(QrCode))
                if c.building.compound.community_id == xinqiao.id)
    assert "车牌号是多少？" not in app.test_client().get(f"/q/{code.token}/report").text

    shared = db.session.scalars(select(CategoryQuestion).where(
        CategoryQuestion.code == "leak_place")).one()
    assert f'/admin/questions/{shared.id}"' not in client.get("/admin/categories").text
    for url in (f"/admin/questions/{shared.id}", f"/admin/questions/{shared.id}/remove"):
        refused = client.post(url, data={"csrf_token": csrf(page), "code": "leak_place",
                                         "variable": "1", "datatype": "string", "order": "1",
                                         "description_zh": "改掉"})
        assert refused.status_code == 404, url
    db.session.refresh(shared)
    assert shared.active and shared.datatype == "singlevaluelist"
