"""Clocks that tell the truth, as the workflow moves them: they stand still while a report
waits on the residents or on a department and run on after; a department reports back (报到);
a major job's plan meets its clock; urgent and care-card reports get shorter targets.
T0 is Monday 2 November 2026, 09:00 in Shanghai; times are passed in."""

from datetime import date, timedelta

import pytest

from tests.conftest import app_secret
from tests.domain.reports.conftest import T0, category_coded, clock, minutes, org_named
from webapp.domain.reports import dispatch, intake, sla, transitions
from webapp.extensions import db
from webapp.models import CategorySetting, Milestone, ReportStatus, Role, User

S = ReportStatus


def major_report(entrance_code, tmp_path, key="clocks-major-00000001"):
    draft = intake.ReportDraft(submission_key=key, category_id=category_coded("elevator").id,
                               description="电梯停在半层")
    report, _ = intake.submit_report(entrance_code, draft, [], tmp_path, now=T0,
                                     secret=app_secret())
    return report


def test_waiting_on_the_residents_pauses_the_clock_and_dispatching_resumes_it(report, users):
    dispatch.mark_needs_consultation(report, users["dispatcher"], "需业主表决", now=minutes(5))
    accept = clock(report, "accept")
    assert accept.paused_at == minutes(5) and accept.pause_reason == sla.CONSULTATION
    assert report.next_due_at is None  # not in the overdue tab, not first in the queue
    assert sla.report_state(report, minutes(60)) == sla.PAUSED
    assert sla.sweep(minutes(60)) == []
    assert sla.pause_reason(report) == sla.CONSULTATION

    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(65))
    assert accept.paused_at is None and accept.due_at == minutes(30 + 60)
    assert report.next_due_at == minutes(90)
    assert sla.report_state(report, minutes(70)) == sla.ON_TRACK


def test_escalating_pauses_the_communitys_clocks_and_runs_the_departments(report, users):
    dispatcher, police = users["dispatcher"], org_named("坞城派出所")
    partner = report.compound.partner_org
    dispatch.assign(report, dispatcher, partner, now=minutes(1))
    dispatch.escalate(report, dispatcher, police, "占用消防通道", now=minutes(5))
    assert (report.status, report.assigned_org_id) == (S.ESCALATED, police.id)
    assert clock(report, "accept").pause_reason == sla.DEPARTMENT
    respond = clock(report, "respond")
    assert respond.working_days and respond.paused_at is None
    # 2 working days from Monday 09:05 in Shanghai: Wednesday 09:05.
    assert respond.due_at == minutes(5) + timedelta(days=2)
    assert report.next_due_at == respond.due_at
    assert sla.sweep(minutes(120)) == []  # the accept clock is not overdue while it waits


def test_the_dispatcher_records_the_departments_answer_and_the_report_goes_back(report, users):
    dispatcher, police = users["dispatcher"], org_named("坞城派出所")
    partner = report.compound.partner_org
    dispatch.assign(report, dispatcher, partner, now=minutes(1))
    dispatch.escalate(report, dispatcher, police, "占用消防通道", now=minutes(5))
    with pytest.raises(transitions.MissingInput):
        dispatch.record_response(report, dispatcher, "已处理", minutes(200), now=minutes(120))
    with pytest.raises(transitions.MissingInput):
        dispatch.record_response(report, dispatcher, "已处理", minutes(4), now=minutes(120))
    with pytest.raises(transitions.MissingInput):
        dispatch.record_response(report, dispatcher, "  ", minutes(65), now=minutes(120))
    assert report.status == S.ESCALATED

    dispatch.record_response(report, dispatcher, "派出所已到场劝离车辆", minutes(65),
                             now=minutes(120))
    assert clock(report, "respond").met_at == minutes(65)
    assert (report.status, report.assigned_org_id) == (S.ASSIGNED, partner.id)
    assert report.escalated_from_org_id is None
    accept = clock(report, "accept")
    assert accept.paused_at is None and accept.due_at == minutes(30 + 60)  # stood 60 minutes
    event = report.events[-1]
    assert (event.kind, event.from_status, event.to_status, event.is_public) == \
        ("responded", S.ESCALATED, S.ASSIGNED, True)
    assert event.note == "派出所已到场劝离车辆"
    with pytest.raises(transitions.TransitionRefused):  # answered once
        dispatch.record_response(report, dispatcher, "again", now=minutes(121))


def test_the_departments_own_account_reports_back(report, users):
    police = org_named("坞城派出所")
    officer = User(username="police1", display_name="民警", role=Role.HANDLER,
                   organization=police, password_hash="x")
    db.session.add(officer)
    dispatch.escalate(report, users["dispatcher"], police, "噪音扰民", now=minutes(5))
    with pytest.raises(transitions.TransitionRefused):  # another organisation's handler
        dispatch.record_response(report, users["mateng"], "x", now=minutes(10))
    dispatch.record_response(report, officer, "已约谈", now=minutes(20))
    assert report.status == S.SUBMITTED and report.assigned_org_id is None
    assert clock(report, "respond").met_at == minutes(20)
    assert clock(report, "accept").due_at == minutes(45)


def test_a_department_that_takes_the_job_over_answers_by_accepting(report, users):
    police = org_named("坞城派出所")
    officer = User(username="police2", display_name="民警", role=Role.HANDLER,
                   organization=police, password_hash="x")
    db.session.add(officer)
    dispatch.escalate(report, users["dispatcher"], police, "噪音扰民", now=minutes(5))
    transitions.accept(report, officer, now=minutes(30))
    assert report.status == S.ACCEPTED and report.assigned_user_id == officer.id
    first = [m for m in report.milestones if m.cycle == 1]
    assert {m.name: m.met_at for m in first}["respond"] == minutes(30)
    assert all(m.met_at or m.cancelled_at for m in first)
    assert clock(report, "arrive").due_at == minutes(35)  # its own job, from now


def test_a_major_job_plan_meets_the_plan_clock(entrance_code, users, tmp_path):
    report = major_report(entrance_code, tmp_path)
    handler = users["mateng"]
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, handler, now=minutes(2))
    assert not [m for m in report.milestones if m.name == "arrive"]
    for note, done_by in (("", date(2026, 11, 20)), ("换主板", None),
                          ("换主板", date(2026, 11, 1))):  # the day before: in the past
        with pytest.raises(transitions.MissingInput):
            transitions.submit_plan(report, handler, note, done_by, now=minutes(60))
    transitions.submit_plan(report, handler, "更换主板，需厂家配件", date(2026, 11, 20),
                            now=minutes(60))
    assert clock(report, "plan").met_at == minutes(60)
    assert (report.plan_note, report.plan_done_by) == ("更换主板，需厂家配件", date(2026, 11, 20))
    assert report.events[-1].kind == "plan_submitted" and report.events[-1].is_public


def test_a_routine_job_has_no_plan(report, users):
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    with pytest.raises(transitions.TransitionRefused):
        transitions.submit_plan(report, users["mateng"], "x", date(2026, 11, 20),
                                now=minutes(3))


def test_an_emergency_in_a_major_category_keeps_an_on_site_clock(entrance_code, users, tmp_path):
    report = major_report(entrance_code, tmp_path)
    dispatch.set_priority(report, users["dispatcher"], 2, now=minutes(1))  # someone is trapped
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    names = {m.name for m in sla.open_milestones(report)}
    assert names == {"plan", "arrive"}
    assert clock(report, "arrive").due_at == minutes(2) + timedelta(minutes=3)  # half of 5
    transitions.arrive(report, users["mateng"], now=minutes(4))
    assert clock(report, "arrive").met_at == minutes(4)


def test_urgent_and_care_card_reports_get_shorter_targets(report, users, entrance_code, tmp_path):
    dispatcher = users["dispatcher"]
    assert clock(report, "accept").due_at == minutes(30)
    dispatch.set_priority(report, dispatcher, 2, now=minutes(1))
    assert clock(report, "accept").due_at == minutes(15) == report.next_due_at
    dispatch.set_priority(report, dispatcher, 0, now=minutes(2))
    assert clock(report, "accept").due_at == minutes(30)

    db.session.add(CategorySetting(community_id=report.community_id,
                                   category_id=report.category_id, urgent_percent=20))
    cared, _ = intake.submit_report(entrance_code, intake.ReportDraft(
        submission_key="clocks-care-card-0001", category_id=report.category_id,
        description="独居老人家里没水", care_card=True), [], tmp_path, now=T0,
        secret=app_secret())
    assert clock(cared, "accept").due_at == minutes(6)
    assert cared.goes_first and not report.goes_first
