"""The staff pages a phone is used on: the report page shows the step that matters now first
and folds the rest, the handler's job card carries what the job needs, the back link goes
where the user may go, and the person picker keeps to the chosen organisation."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.web.helpers import submit_report
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, transitions
from webapp.extensions import db
from webapp.models import Organization, Report, ReportStatus

EN = {"Accept-Language": "en"}


@pytest.fixture
def fresh(client, entrance_code):
    response = submit_report(client, entrance_code.token, contact_name="王阿姨",
                             contact_phone="13800000000")
    assert response.status_code == 303
    return db.session.scalars(select(Report).order_by(Report.id.desc())).first()


def page_of(client, report) -> str:
    response = client.get(f"/staff/reports/{report.id}", headers=EN)
    assert response.status_code == 200
    return response.text


def next_step_of(page: str) -> str:
    return re.search(r'<section class="card next-step[^>]*>(.*?)</section>', page, re.S).group(1)


def folded(page: str) -> list[str]:
    return re.findall(r'<details class="fold" id="action-([a-z_]+)"', page)


def test_a_new_report_puts_dispatch_first_and_folds_the_rest(client, fresh):
    login(client, "dispatcher")
    page = page_of(client, fresh)
    first = next_step_of(page)
    assert f'action="/staff/reports/{fresh.id}/assign"' in first
    assert page.index('id="next-step"') < page.index('class="facts"') < page.index('id="actions"')
    assert "assign" not in folded(page)
    assert {"public_reply", "internal_note", "reject", "merge", "set_priority"} <= set(folded(page))
    assert 'href="/staff/queue"' in page.split("<h1>")[0].split("</header>")[1]


def test_the_handler_sees_accept_then_on_site_then_resolve_first_and_goes_back_to_jobs(
        client, fresh, users):
    with unit_of_work():
        dispatch.assign(fresh, users["dispatcher"], fresh.compound.partner_org)
    login(client, "mateng")
    for step in ("accept", "arrive", "resolve"):
        page = page_of(client, fresh)
        assert f'action="/staff/reports/{fresh.id}/{step}"' in next_step_of(page)
        assert step not in folded(page)
        back = page.split("</header>")[1].split("<h1>")[0]
        assert 'href="/staff/jobs"' in back and "/staff/queue" not in back
        if step != "resolve":
            db.session.refresh(fresh)
            with unit_of_work():
                getattr(transitions, step)(fresh, users["mateng"])
    assert "decline" in folded(page) and "internal_note" in folded(page)


def test_a_refused_folded_action_comes_back_open_with_what_was_typed(client, fresh):
    login(client, "dispatcher")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_of(client, fresh)).group(1)
    response = client.post(f"/staff/reports/{fresh.id}/merge", headers=EN, data={
        "csrf_token": token, "version": str(fresh.version), "original": "20990101-0001"})
    assert response.status_code in (409, 422)
    assert '<details class="fold" id="action-merge" open>' in response.text


def test_the_job_card_shows_tags_the_phone_the_note_and_the_next_step(client, fresh, users):
    with unit_of_work():
        fresh.care_card = True
        dispatch.assign(fresh, users["dispatcher"], fresh.compound.partner_org)
        dispatch.set_priority(fresh, users["dispatcher"], 2)
        dispatch.add_internal_note(fresh, users["dispatcher"], "住户下午才在家")
    login(client, "mateng")
    jobs = client.get("/staff/jobs", headers=EN).text
    card = next(c for c in re.findall(r'<section class="card job.*?</section>', jobs, re.S)
                if fresh.number in c)
    assert "Urgent" in card and "Care card" in card
    assert 'href="tel:13800000000"' in card
    assert "住户下午才在家" in card and "Internal note" in card
    assert card.index(f'/staff/reports/{fresh.id}/accept"') < card.index("tel:")
    assert 'name="back" value="jobs"' in card

    with unit_of_work():
        transitions.accept(fresh, users["mateng"])
        transitions.arrive(fresh, users["mateng"])
    card = client.get("/staff/jobs", headers=EN).text
    assert f'href="/staff/reports/{fresh.id}#next-step">Resolve the job</a>' in card


def test_the_person_picker_lists_only_the_chosen_organisations_people(client, fresh, users):
    login(client, "dispatcher")
    page = page_of(client, fresh)
    assert '<optgroup label="' in page  # without JavaScript: people grouped by organisation
    assert 'hx-get="/staff/assign/people"' in page
    partner = fresh.compound.partner_org
    picker = client.get(f"/staff/assign/people?org={partner.id}", headers=EN).text
    assert users["mateng"].display_name in picker and "optgroup" not in picker
    assert users["grid"].display_name not in picker
    elsewhere = db.session.scalars(select(Organization).where(
        Organization.community_id != fresh.community_id)).first()
    for org in (str(elsewhere.id), "nonsense", ""):
        picker = client.get(f"/staff/assign/people?org={org}", headers=EN)
        assert picker.status_code == 200 and 'value=""' in picker.text
        assert users["mateng"].display_name not in picker.text


def test_a_person_outside_the_organisation_is_refused_and_the_choice_kept(client, fresh, users):
    login(client, "dispatcher")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_of(client, fresh)).group(1)
    office = db.session.scalars(select(Organization).where(
        Organization.name == "八一社区居委会")).one()
    response = client.post(f"/staff/reports/{fresh.id}/assign", headers=EN, data={
        "csrf_token": token, "version": str(fresh.version), "org": str(office.id),
        "person": str(users["mateng"].id)})
    assert response.status_code == 422
    assert "马腾飞 does not work for 八一社区居委会" in response.text
    assert f'<option value="{office.id}" selected>' in response.text
    db.session.refresh(fresh)
    assert fresh.status == ReportStatus.SUBMITTED and fresh.assigned_org_id is None
