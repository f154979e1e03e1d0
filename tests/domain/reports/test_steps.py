"""Which action the report page puts first: the step the report waits for from its viewer."""

from datetime import timedelta

import pytest

from tests.domain.reports.conftest import T0, category_coded, minutes, org_named
from webapp.domain.people.permissions import Action
from webapp.domain.reports import dispatch, routing, steps, timeline, transitions
from webapp.extensions import db
from webapp.models import OrgKind, ReportStatus

S = ReportStatus


def next_for(report, user):
    return steps.next_step(report, user, transitions.allowed_actions(report, user))


def test_a_new_report_waits_for_dispatch_then_the_handler_steps_in_order(report, users):
    dispatcher, handler, other = users["dispatcher"], users["mateng"], users["yianju"]
    assert next_for(report, dispatcher) == Action.ASSIGN
    dispatch.assign(report, dispatcher, report.compound.partner_org, now=minutes(1))
    assert next_for(report, dispatcher) is None  # waits on the handler, not the dispatcher
    assert next_for(report, handler) == Action.ACCEPT
    assert next_for(report, other) is None  # another company's handler
    transitions.accept(report, handler, now=minutes(2))
    assert next_for(report, handler) == Action.ARRIVE
    transitions.arrive(report, handler, now=minutes(3))
    assert next_for(report, handler) == Action.RESOLVE
    transitions.resolve(report, handler, "换了灯泡", now=minutes(4))
    assert next_for(report, handler) is None


def test_a_major_job_goes_from_accepted_to_its_plan_then_resolve(report, users):
    report.category = category_coded("elevator")
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    assert next_for(report, users["mateng"]) == Action.SUBMIT_PLAN
    transitions.submit_plan(report, users["mateng"], "更换曳引机", T0.date() + timedelta(days=3),
                            now=minutes(3))
    assert next_for(report, users["mateng"]) == Action.RESOLVE


def test_an_emergency_in_a_major_job_is_on_site_first(report, users):
    report.category, report.priority = category_coded("elevator"), 2
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    assert next_for(report, users["mateng"]) == Action.ARRIVE


def test_a_closed_unrated_report_waits_for_the_call_back(report, users):
    report.status = S.CLOSED
    assert next_for(report, users["dispatcher"]) == Action.CALLBACK
    report.rating = 4
    assert next_for(report, users["dispatcher"]) is None


def test_a_person_outside_the_chosen_organisation_is_refused_with_a_422(report, users):
    office = org_named("八一社区居委会")
    with pytest.raises(transitions.WrongChoice) as refused:
        dispatch.assign(report, users["dispatcher"], office, users["mateng"])
    assert refused.value.status == 422 and "马腾飞" in str(refused.value)
    assert report.status == S.SUBMITTED and report.assigned_org_id is None


def test_people_grouped_by_organisation_the_chosen_one_first(report, users):
    teams = [o for o in routing.organizations(report.community_id)
             if o.kind != OrgKind.DEPARTMENT]
    partner = report.compound.partner_org
    grouped = routing.people_by_organization(teams, first=partner)
    assert grouped[0][0] == partner and grouped[0][1] == [users["mateng"]]
    assert all(p.organization_id == org.id for org, people in grouped for p in people)
    assert all(people for _org, people in grouped)  # no empty organisation


def test_the_latest_note_for_the_handler_is_the_latest_someone_else_wrote(report, users):
    dispatcher, handler = users["dispatcher"], users["mateng"]
    dispatch.assign(report, dispatcher, report.compound.partner_org, now=minutes(1))
    assert timeline.latest_notes_for(handler, [report.id]) == {}
    dispatch.add_internal_note(report, dispatcher, "带上梯子", now=minutes(2))
    dispatch.add_internal_note(report, dispatcher, "住户下午在家", now=minutes(3))
    dispatch.add_internal_note(report, handler, "我自己的备注", now=minutes(4))
    db.session.flush()
    assert timeline.latest_notes_for(handler, [report.id])[report.id].note == "住户下午在家"
