"""/admin/users: a new account starts powerless and nowhere until chosen; names and phones
change; a disabled person is out at once and their jobs wait at their organisation; no admin
locks themselves out."""

import re

from sqlalchemy import select

from tests.conftest import login
from tests.web.test_confirmations import ask_then_confirm
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, transitions
from webapp.extensions import db
from webapp.models import Report, ReportStatus, Role, User

EN = {"Accept-Language": "en"}


def csrf(client):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/users").text) \
        .group(1)


def new_account_form(page: str) -> str:
    return page[page.index('action="/admin/users"'):]


def row_fields(user, **changes):
    fields = {"display_name": user.display_name, "phone": user.phone or "", "role": user.role,
              "org": str(user.organization_id), "active": "1"}
    return {**fields, **changes}


def test_a_new_account_is_a_volunteer_of_no_organisation_until_chosen(client, users):
    login(client, "admin")
    form = new_account_form(client.get("/admin/users", headers=EN).text)
    assert re.search(r'<option value="volunteer" selected>', form)
    assert not re.search(r'<option value="admin" selected>', form)
    assert re.search(r'<select name="org" required><option value="" selected>Choose…', form)
    fields = {"csrf_token": csrf(client), "username": "newbie", "display_name": "新同事",
              "password": "long-enough-1", "role": "volunteer", "org": ""}
    refused = client.post("/admin/users", headers=EN, data=fields)
    assert refused.status_code == 422 and "Choose an organisation." in refused.text
    assert 'value="newbie"' in refused.text
    assert db.session.scalar(select(User).where(User.username == "newbie")) is None
    made = client.post("/admin/users", data={**fields,
                                             "org": str(users["grid"].organization_id)})
    assert made.status_code == 303
    assert db.session.scalar(select(User.role).where(User.username == "newbie")) == \
        Role.VOLUNTEER


def test_an_admin_renames_and_changes_a_phone_and_a_bad_one_is_kept_to_correct(client, users):
    grid = users["grid"]
    login(client, "admin")
    url = f"/admin/users/{grid.id}"
    bad = client.post(url, headers=EN, data={"csrf_token": csrf(client), **row_fields(
        grid, display_name="网格员小张", phone="call me")})
    assert bad.status_code == 422 and "Please enter a mobile number" in bad.text
    assert 'value="call me"' in bad.text and 'value="网格员小张"' in bad.text
    db.session.expire_all()
    assert grid.display_name != "网格员小张"
    ok = client.post(url, data={"csrf_token": csrf(client), **row_fields(
        grid, display_name="网格员小张", phone="139 1234 5678")})
    assert ok.status_code == 303
    db.session.expire_all()
    assert (grid.display_name, grid.phone) == ("网格员小张", "13912345678")


def test_a_disabled_handler_is_out_at_once_and_their_job_waits_at_the_company(
        app, client, users, entrance_code):
    mateng = users["mateng"]
    report = db.session.scalars(select(Report).where(
        Report.status == ReportStatus.SUBMITTED).order_by(Report.id)).first()
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], mateng.organization, mateng)
        transitions.accept(report, mateng)
    handler = app.test_client()
    login(handler, "mateng")
    assert handler.get("/staff/jobs").status_code == 200

    login(client, "admin")
    done = ask_then_confirm(client, f"/admin/users/{mateng.id}", row_fields(mateng,
                                                                            active="0"),
                            ["can no longer log in", "Open jobs", "with no one named"])
    assert done.status_code == 303
    assert "1 个未办结工单已转回该单位" in client.get("/admin/users").text  # said in zh
    out = handler.get("/staff/jobs")
    assert out.status_code == 302 and "/login" in out.headers["Location"]
    db.session.expire_all()
    assert (report.assigned_org_id, report.assigned_user_id) == (mateng.organization_id, None)
    # reactivated: they log in again
    assert client.post(f"/admin/users/{mateng.id}", data={
        "csrf_token": csrf(client), **row_fields(mateng, active="1")}).status_code == 303
    login(handler, "mateng")
    assert handler.get("/staff/jobs").status_code == 200


def test_an_admin_neither_disables_nor_demotes_themselves(client, users):
    admin = users["admin"]
    login(client, "admin")
    for change, message in ((dict(active="0"), "disable your own account"),
                            (dict(role="dispatcher"), "admin role from yourself")):
        refused = client.post(f"/admin/users/{admin.id}", headers=EN, data={
            "csrf_token": csrf(client), **row_fields(admin, **change)})
        assert refused.status_code == 422 and message in refused.text
    db.session.expire_all()
    assert (admin.role, admin.active) == (Role.ADMIN, True)
