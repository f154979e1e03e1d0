"""Clocks that tell the truth, as staff, admins and residents see them: paused clocks with their
reason, the department's answer (报到), a major job's plan, urgent tags on the job card,
targets in human units and the community's own working days. Through the real app, CSRF on."""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.conftest import login
from tests.web.helpers import category_id, photo_upload, submit_report
from tests.web.test_staff import EN
from tests.web.test_staff import act as act_on
from webapp.domain.reports import calendar, category_settings, sla
from webapp.extensions import db
from webapp.models import Category, Organization, Report, ReportStatus
from webapp.models.types import utcnow

S = ReportStatus


def filed(client, entrance_code, **fields):
    response = submit_report(client, entrance_code.token, contact_name="王阿姨",
                             contact_phone="13800000000", **fields)
    assert response.status_code == 303
    return db.session.scalars(select(Report).order_by(Report.id.desc())).first(), \
        response.headers["Location"]


def act(client, report, action, **fields):
    """The report page's button, with the version the page shows now."""
    db.session.refresh(report)
    return act_on(client, report, action, **fields)


def department(name="坞城派出所"):
    return db.session.scalars(select(Organization).where(Organization.name == name)).one()


def test_a_report_waiting_on_the_residents_shows_paused_clocks_and_why(app, client,
                                                                       entrance_code):
    report, link = filed(client, entrance_code)
    login(client, "dispatcher")
    assert act(client, report, "needs_consultation", note="需业主表决").status_code == 303
    page = client.get(f"/staff/reports/{report.id}", headers=EN).text
    assert "Paused" in page and "waiting for the residents" in page
    assert "30 minutes" in page  # the accept target, in human units
    queue = client.get("/staff/queue?tab=all", headers=EN).text
    assert "Paused" in queue
    tracking = app.test_client().get(link, headers=EN).text
    assert "our time limits start again after the decision" in tracking


def test_the_dispatcher_records_the_departments_answer(client, entrance_code):
    report, link = filed(client, entrance_code)
    login(client, "dispatcher")
    assert act(client, report, "escalate", department=str(department().id),
               reason="占用消防通道").status_code == 303
    page = client.get(f"/staff/reports/{report.id}", headers=EN).text
    assert "waiting for the department to report back" in page
    assert "2 working days" in page  # the department's clock

    local = utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    future = (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    refused = act(client, report, "respond", note="已处理", answered_at=future)
    assert refused.status_code == 422 and "cannot be in the future" in refused.text
    assert "已处理" in refused.text  # what was typed comes back
    refused = act(client, report, "respond", note="已处理", answered_at="yesterday")
    assert refused.status_code == 422 and "as a date and a time" in refused.text
    refused = act(client, report, "respond", note="已处理", answered_at="2020-01-01T08:00")
    assert refused.status_code == 422 and "before the report was passed" in refused.text
    db.session.refresh(report)
    assert report.status == S.ESCALATED

    assert act(client, report, "respond", note="派出所已到场劝离",
               answered_at=local.strftime("%Y-%m-%dT%H:%M")).status_code == 303
    db.session.refresh(report)
    assert report.status == S.SUBMITTED and report.assigned_org_id is None
    assert [m.met_at is not None for m in report.milestones if m.name == "respond"] == [True]
    page = client.get(f"/staff/reports/{report.id}", headers=EN).text
    assert "The department reported back" in page and "派出所已到场劝离" in page
    assert "The department reported back" in client.get(link, headers=EN).text


def test_a_handler_submits_the_plan_of_a_major_job(app, client, entrance_code, users):
    report, link = filed(client, entrance_code, category=str(category_id("elevator")))
    login(client, "dispatcher")
    assert act(client, report, "assign", org=str(report.compound.partner_org_id)).status_code \
        == 303
    client.get("/logout")
    handler = app.test_client()
    login(handler, "mateng")
    assert act(handler, report, "accept").status_code == 303
    page = handler.get(f"/staff/reports/{report.id}", headers=EN).text
    assert "Submit the plan" in page and "2 working days" in page

    refused = act(handler, report, "submit_plan", note="更换主板", done_by="2020-01-01")
    assert refused.status_code == 422 and "today or later" in refused.text
    done_by = (utcnow() + timedelta(days=10)).date()
    assert act(handler, report, "submit_plan", note="更换主板，需厂家配件",
               done_by=done_by.isoformat(), photo=photo_upload()).status_code == 303
    db.session.refresh(report)
    assert report.plan_done_by == done_by and report.photos
    assert [m.met_at is not None for m in report.milestones if m.name == "plan"] == [True]
    for page in (handler.get(f"/staff/reports/{report.id}", headers=EN).text,
                 app.test_client().get(link, headers=EN).text):
        assert "更换主板，需厂家配件" in page and "Expected to be done by" in page


def test_the_job_card_shows_urgent_and_care_card(app, client, entrance_code):
    report, _ = filed(client, entrance_code, care_card="y")
    login(client, "dispatcher")
    assert act(client, report, "set_priority", priority="2").status_code == 303
    assert act(client, report, "assign", org=str(report.compound.partner_org_id)).status_code \
        == 303
    handler = app.test_client()
    login(handler, "mateng")
    card = handler.get("/staff/jobs", headers=EN).text
    assert 'class="tag tag-priority-2">Urgent' in card and 'class="tag tag-care">Care card' in card


def test_admin_targets_are_typed_and_shown_in_human_units(client, users):
    login(client, "admin")
    elevator = db.session.scalars(select(Category).where(Category.code == "elevator")).one()
    page = client.get("/admin/categories", headers=EN).text
    assert "2 working days" in page and "2880" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    fields = {"csrf_token": token, "routing": "partner", "target_accept": "1",
              "unit_accept": "hour", "target_plan": "3", "unit_plan": "day",
              "urgent_percent": "40"}
    assert client.post(f"/admin/categories/{elevator.id}", data=fields).status_code == 303
    here = users["admin"].organization.community_id
    assert sla.targets_for(elevator, here) == {"accept": 60, "plan": 3 * 24 * 60}
    assert category_settings.urgent_percent_of(elevator, here) == 40
    refused = client.post(f"/admin/categories/{elevator.id}", headers=EN,
                          data={**fields, "urgent_percent": "5"})
    assert refused.status_code == 422 and "percent of each target" in refused.text
    refused = client.post(f"/admin/categories/{elevator.id}", headers=EN,
                          data={**fields, "unit_plan": "fortnight"})
    assert refused.status_code == 422 and "whole number of minutes" in refused.text


def test_admin_adds_and_removes_the_communitys_own_days(client, users):
    login(client, "admin")
    here = users["admin"].organization.community_id
    page = client.get("/admin/calendar", headers=EN).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post("/admin/calendar", headers=EN,
                          data={"csrf_token": token, "day": "", "working": "0", "note": "x"})
    assert refused.status_code == 422 and "Choose a date" in refused.text
    assert client.post("/admin/calendar", data={"csrf_token": token, "day": "2026-12-24",
                                                "working": "0", "note": "社区活动日"}
                       ).status_code == 303
    assert not calendar.for_community(here).is_working_day(date(2026, 12, 24))
    page = client.get("/admin/calendar", headers=EN).text
    assert "社区活动日" in page and "day off" in page
    override = calendar.overrides_of(here)[0]
    assert client.post(f"/admin/calendar/{override.id}/remove",
                       data={"csrf_token": token}).status_code == 303
    assert calendar.overrides_of(here) == []
    assert calendar.for_community(here).is_working_day(date(2026, 12, 24))
