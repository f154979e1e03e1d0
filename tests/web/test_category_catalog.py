"""八一社区's admin adds a category of its own and retires a shared one, on the admin page:
every list of categories (report form, staff filing, Open311, the queue's filter) follows,
新桥北村社区 sees none of it, and old reports keep their category."""

import re

from sqlalchemy import select

from tests.conftest import login
from tests.open311.helpers import PLACE, V2, post
from tests.web.helpers import category_id, report_count, submit_report
from webapp.domain import unit_of_work
from webapp.domain.people import accounts, api_clients
from webapp.domain.reports import category_settings, sla
from webapp.extensions import db
from webapp.models import Category, Community, Organization, Report, Role

EN = {"Accept-Language": "en"}


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def bayi_xinqiao():
    return db.session.scalars(select(Community).order_by(Community.id)).all()[:2]


def services_of(client, community) -> list[str]:
    answer = client.get(f"{V2}/services.json?jurisdiction_id={community.code}")
    return [s["service_code"] for s in answer.get_json()]


def add_category(client, **fields):
    page = client.get("/admin/categories", headers=EN).text
    return client.post("/admin/categories", headers=EN, data={
        "csrf_token": csrf(page), "name_zh": "电动车充电", "name_en": "E-bike charging",
        "icon": "🚲", **fields})


def staff_file_page(client, code) -> str:
    return client.get(f"/staff/file?code={code.token}").text


def test_a_category_of_the_communitys_own_is_offered_there_and_only_there(client, demo,
                                                                          entrance_code):
    bayi, xinqiao = bayi_xinqiao()
    login(client, "admin")
    no_icon = add_category(client, icon="")
    assert no_icon.status_code == 422 and "Choose one of the icons" in no_icon.text
    assert 'value="E-bike charging"' in no_icon.text  # typed names kept
    assert add_category(client, major="1").status_code == 303
    own = db.session.scalar(select(Category).where(Category.name_en == "E-bike charging"))
    assert (own.community_id, own.is_major, own.icon) == (bayi.id, True, "🚲")

    # its routing, SLA targets and privacy are set like a shared one's
    page = client.get("/admin/categories", headers=EN).text
    assert f'id="category-{own.id}"' in page
    assert client.post(f"/admin/categories/{own.id}", data={
        "csrf_token": csrf(page), "routing": "grid", "target_accept": "10", "target_plan": "3",
        "unit_plan": "day", "urgent_percent": "50", "private": "1"}).status_code == 303
    db.session.expire_all()
    assert sla.targets_for(own, bayi.id) == {"accept": 10, "plan": 3 * sla.DAY}
    assert category_settings.private_for(own, bayi.id)
    assert category_settings.routing_for(own, bayi.id) == "grid"

    door = client.get(f"/q/{entrance_code.token}/report").text
    assert "电动车充电" in door and f'value="{own.id}"' in door
    assert "电动车充电" in staff_file_page(client, entrance_code)
    assert own.code in services_of(client, bayi)
    assert own.code not in services_of(client, xinqiao)
    before = report_count()
    assert submit_report(client, entrance_code.token, category=str(own.id)).status_code == 303
    assert report_count() == before + 1

    # 新桥北村's admin neither sees it nor reaches it
    office = db.session.scalars(select(Organization).where(
        Organization.community_id == xinqiao.id, Organization.kind == "office")).first()
    with unit_of_work():
        accounts.create_user("xq-admin", "新桥管理员", "xinqiao-pass", Role.ADMIN, office)
    other = demo.test_client()
    login(other, "xq-admin", "xinqiao-pass")
    assert "电动车充电" not in other.get("/admin/categories").text
    token = csrf(other.get("/admin/categories").text)
    for url in (f"/admin/categories/{own.id}/retire", f"/admin/categories/{own.id}/names",
                f"/admin/categories/{own.id}"):
        assert other.post(url, data={"csrf_token": token, "name_zh": "x", "name_en": "x",
                                     "icon": "🚲"}).status_code == 404, url


def test_renaming_an_own_category_shows_everywhere_and_old_reports_follow(client, demo,
                                                                          entrance_code):
    login(client, "admin")
    add_category(client)
    own = db.session.scalar(select(Category).where(Category.name_en == "E-bike charging"))
    submit_report(client, entrance_code.token, category=str(own.id))
    page = client.get("/admin/categories", headers=EN).text
    taken = client.post(f"/admin/categories/{own.id}/names", headers=EN, data={
        "csrf_token": csrf(page), "name_zh": "停车", "name_en": "Parking", "icon": "🔧"})
    assert taken.status_code == 422 and "already a category called" in taken.text
    assert client.post(f"/admin/categories/{own.id}/names", data={
        "csrf_token": csrf(page), "name_zh": "充电桩", "name_en": "Chargers",
        "icon": "🔧"}).status_code == 303
    queue = client.get(f"/staff/queue?category={own.id}").text
    assert "充电桩" in queue and "🔧" in queue


def test_a_retired_category_is_offered_nowhere_but_old_reports_keep_it(client, demo,
                                                                       entrance_code):
    bayi, xinqiao = bayi_xinqiao()
    login(client, "admin")
    water = category_id("water")
    stale = client.get(f"/q/{entrance_code.token}/report").text  # a form opened before
    assert submit_report(client, entrance_code.token).status_code == 303
    old = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    with unit_of_work():
        key = api_clients.issue_key(bayi, "retiring")[1]

    page = client.get("/admin/categories", headers=EN).text
    assert client.post(f"/admin/categories/{water}/retire",
                       data={"csrf_token": csrf(page)}).status_code == 303
    page = client.get("/admin/categories", headers=EN).text
    assert f"/admin/categories/{water}/bring-back" in page

    door = client.get(f"/q/{entrance_code.token}/report").text
    assert f'name="category" value="{water}"' not in door
    assert f'name="category" value="{water}"' not in staff_file_page(client, entrance_code)
    # the form opened before still names it: refused with the reason, nothing stored
    before = report_count()
    refused = client.post(f"/q/{entrance_code.token}/report", headers=EN, data={
        "csrf_token": csrf(stale.replace('type="hidden" value', 'value')),
        "submission_key": "stale-form-0000000001", "category": str(water),
        "description": "楼道的水管漏水了"})
    assert refused.status_code == 422 and "choose a category from the list" in refused.text
    assert report_count() == before
    assert "water" not in services_of(client, bayi)
    assert "water" in services_of(client, xinqiao)
    gone = post(client, api_key=key, service_code="water", address_string=PLACE,
                description="楼道的水管漏水了")
    assert gone.status_code == 404 and report_count() == before
    # the old report keeps it; the queue's filter finds it under "retired"
    assert "水电 · 上下水" in client.get(f"/staff/reports/{old.id}").text
    queue = client.get("/staff/queue", headers=EN).text
    retired_group = queue[queue.index("Retired (old reports)"):]
    assert f'<option value="{water}"' in retired_group[:retired_group.index("</optgroup>")]

    assert client.post(f"/admin/categories/{water}/bring-back",
                       data={"csrf_token": csrf(page)}).status_code == 303
    assert "water" in services_of(client, bayi)
    assert f'value="{water}"' in client.get(f"/q/{entrance_code.token}/report").text
