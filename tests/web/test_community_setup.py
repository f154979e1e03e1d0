"""The admin pages a community sets itself up with: organisations (add, change, retire,
bring back), the routing table (many compounds at once, filters, CSV out and in), a compound's
exceptions, and the place import's routing columns."""

import io
import re

import pytest
from sqlalchemy import select

from tests.conftest import count, login
from webapp.domain.reports import routing
from webapp.extensions import db
from webapp.models import Compound, CompoundRoute, Organization, OrgKind, Report

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def csrf(client, page="/admin/organizations"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text).group(1)


@pytest.fixture
def admin(demo, client):
    return login(client, "admin")


def org(name):
    db.session.expire_all()
    return db.session.scalars(select(Organization).where(Organization.name == name)).one()


def post(client, url, headers=EN, page="/admin/organizations", **data):
    return client.post(url, headers=headers, data={"csrf_token": csrf(client, page), **data})


def test_an_admin_adds_an_organisation_and_a_bad_one_keeps_what_was_typed(admin):
    done = post(admin, "/admin/organizations", kind="property", name="恒安物业",
                phone="138 0013 8000")
    assert done.status_code == 303
    assert (org("恒安物业").kind, org("恒安物业").phone) == ("property", "13800138000")
    before = count(Organization)
    for headers, words in ((EN, "mobile number"), (ZH, "手机号")):
        bad = post(admin, "/admin/organizations", headers, kind="grid", name="第三网格",
                   phone="12")
        assert bad.status_code == 422 and words in bad.text
        assert 'value="第三网格"' in bad.text  # what was typed comes back
    dup = post(admin, "/admin/organizations", kind="grid", name="恒安物业")
    assert dup.status_code == 422 and "exists already" in dup.text
    assert count(Organization) == before


def test_rename_retire_and_bring_back(admin):
    company = org("太原市怡安居物业")
    assert post(admin, f"/admin/organizations/{company.id}", name="怡安居物业",
                phone="0351-7654321").status_code == 303
    assert org("怡安居物业").phone == "0351-7654321"
    retired = post(admin, f"/admin/organizations/{company.id}/retire")
    assert retired.status_code == 303
    page = admin.get("/admin/organizations", headers=EN).text
    assert "compounds were routed to it" in page and "Retired" in page and "Bring back" in page
    assert company.id not in [o.id for o in routing.organizations(company.community_id)]
    users = admin.get("/admin/users", headers=EN).text  # not offered to new accounts
    assert f'value="{company.id}"' not in users
    assert post(admin, f"/admin/organizations/{company.id}/bring-back").status_code == 303
    assert org("怡安居物业").active


def test_retiring_with_open_jobs_is_refused_with_their_count_and_list(admin):
    report = db.session.scalars(select(Report).where(Report.status == "submitted")).first()
    company = report.compound.partner_org
    report.assigned_org, report.status = company, "assigned"
    db.session.commit()
    for headers, words in ((EN, "1 open jobs"), (ZH, "1 个未完成的工单")):
        refused = post(admin, f"/admin/organizations/{company.id}/retire", headers)
        assert refused.status_code == 409 and words in refused.text
        assert f"/staff/reports/{report.id}" in refused.text
    assert org(company.name).active
    office = routing.office_of(company.community_id)
    assert post(admin, f"/admin/organizations/{office.id}/retire").status_code == 422
    assert org(office.name).active


def test_another_communitys_organisation_is_out_of_reach(admin):
    other = org("新桥北村物业服务社")
    for url in (f"/admin/organizations/{other.id}", f"/admin/organizations/{other.id}/retire",
                f"/admin/organizations/{other.id}/bring-back"):
        assert post(admin, url, name="x").status_code == 404
    assert org("新桥北村物业服务社").active and org("新桥北村物业服务社").name != "x"


def compound(name):
    db.session.expire_all()
    return db.session.scalars(select(Compound).where(Compound.name == name)).one()


def test_the_routing_table_saves_many_compounds_at_once_without_javascript(admin):
    page = admin.get("/admin/routing", headers=EN)
    assert page.status_code == 200 and "Reports go to" in page.text
    weibo, bajiu = compound("微波宿舍"), compound("八九宿舍")
    company = org("太原市怡安居物业")
    grid = weibo.grid_org
    response = admin.post("/admin/routing", headers=EN, data={
        "csrf_token": csrf(admin, "/admin/routing"), "compound": [weibo.id, bajiu.id],
        f"partner-{weibo.id}": company.id, f"grid-{weibo.id}": grid.id,
        f"partner-{bajiu.id}": "", f"grid-{bajiu.id}": ""})
    assert response.status_code == 303
    assert compound("微波宿舍").partner_org == company
    assert compound("八九宿舍").partner_org is None and compound("八九宿舍").grid_org is None
    table = admin.get("/admin/routing?missing=any", headers=EN).text
    assert "八九宿舍" in table and "微波宿舍" not in table
    wrong = admin.post("/admin/routing", headers=EN, data={
        "csrf_token": csrf(admin, "/admin/routing"), "compound": [weibo.id],
        f"partner-{weibo.id}": grid.id, f"grid-{weibo.id}": ""})
    assert wrong.status_code == 422 and compound("微波宿舍").partner_org == company


def test_the_table_shows_where_each_category_goes(admin):
    weibo = compound("微波宿舍")
    row = re.search(rf'<tr id="compound-{weibo.id}">(.*?)</tr>',
                    admin.get("/admin/routing", headers=EN).text, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", row)
    assert "省直机关后勤保障中心: Water and drains、Electricity" in text
    assert "八一社区第一网格: Parking" in text and "八一社区居委会: Other" in text


def test_a_compounds_exception_changes_its_suggestion(admin):
    weibo = compound("微波宿舍")
    grid = weibo.grid_org
    page = f"/admin/routing/{weibo.id}"
    assert admin.get(page, headers=EN).status_code == 200
    elevator = db.session.scalar(select(CompoundRoute.id))  # none yet
    assert elevator is None
    from webapp.models import Category
    lifts = db.session.scalars(select(Category).where(Category.code == "elevator")).one()
    done = admin.post(page, headers=EN, data={"csrf_token": csrf(admin, page),
                                              f"category-{lifts.id}": grid.id})
    assert done.status_code == 303
    route = db.session.scalars(select(CompoundRoute)).one()
    assert (route.compound_id, route.category_id, route.org_id) == (weibo.id, lifts.id, grid.id)
    department = org("坞城派出所")
    bad = admin.post(page, headers=EN, data={"csrf_token": csrf(admin, page),
                                             f"category-{lifts.id}": department.id})
    assert bad.status_code == 422 and db.session.scalars(select(CompoundRoute)).one().org_id \
        == grid.id


def test_the_routing_csv_goes_out_and_comes_back(admin):
    out = admin.get("/admin/routing.csv")
    text = out.get_data(as_text=True).lstrip("\ufeff")
    assert out.mimetype == "text/csv" and "微波宿舍,省直机关后勤保障中心,八一社区第一网格" in text
    edited = text.replace("微波宿舍,省直机关后勤保障中心", "微波宿舍,新来物业")
    preview = admin.post("/admin/routing/import", headers=EN, data={
        "csrf_token": csrf(admin, "/admin/routing"),
        "file": (io.BytesIO(edited.encode("gbk")), "routing.csv")},
        content_type="multipart/form-data")
    assert preview.status_code == 200 and "新来物业" in preview.text
    assert compound("微波宿舍").partner_org.name == "省直机关后勤保障中心"
    done = admin.post("/admin/routing/import", data={
        "csrf_token": csrf(admin, "/admin/routing"), "confirm": "1", "csv_text": edited})
    assert done.status_code == 303
    assert compound("微波宿舍").partner_org.name == "新来物业"
    assert compound("微波宿舍").partner_org.kind == OrgKind.PROPERTY


def test_the_place_import_names_line_and_column_in_both_languages(admin):
    text = "compound,building,partner_company\n滨河小区,1号楼,八一社区第一网格\n"
    for headers, words in ((EN, "Line 2: Column partner_company"), (ZH, "第 2 行")):
        refused = admin.post("/admin/places/import", headers=headers, data={
            "csrf_token": csrf(admin, "/admin/places"), "confirm": "1", "csv_text": text})
        assert refused.status_code == 422 and words in refused.text
    assert not db.session.scalars(select(Compound).where(Compound.name == "滨河小区")).all()
