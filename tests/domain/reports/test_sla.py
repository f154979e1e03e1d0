"""The SLA: first its rules that need no database (merging targets, the expected-by time that
the board, the queue and Open311 can show, a clock's state), then the clocks as the workflow
starts, meets, breaches and restarts them; then the pure arithmetic of a clock standing still,
and the clocks that tell the truth as the workflow moves them: standing still while a report
waits on the residents or a department, a department reporting back (报到), a major job's
plan, shorter targets for urgent and care-card reports. T0 is Monday 2 November 2026, 09:00
in Shanghai. Times are passed in."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import app_secret
from tests.domain.reports.conftest import (
    T0,
    category_coded,
    clock,
    minutes,
    org_named,
    resolve_in_ten_minutes,
)
from webapp.domain.reports import dispatch, intake, sla, transitions
from webapp.domain.reports.calendar import WorkCalendar
from webapp.extensions import db
from webapp.models import (
    CategorySetting,
    Milestone,
    Report,
    ReportMilestone,
    ReportStatus,
    Role,
    SlaTarget,
    User,
)

S = ReportStatus


def test_expected_time_adds_the_steps_after_the_running_clock():
    due = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    routine = {Milestone.ACCEPT: 30, Milestone.ARRIVE: 5, Milestone.RESOLVE: 20}
    assert sla.expected_by([(Milestone.ACCEPT, due)], False, routine) == \
        due + timedelta(minutes=25)
    assert sla.expected_by([(Milestone.ARRIVE, due)], False, routine) == \
        due + timedelta(minutes=20)
    assert sla.expected_by([(Milestone.RESOLVE, due)], False, routine) == due
    major = {Milestone.ACCEPT: 30, Milestone.PLAN: 2880}
    assert sla.expected_by([(Milestone.ACCEPT, due)], True, major) == \
        due + timedelta(days=2)
    assert sla.expected_by([], False, routine) is None


def test_targets_are_the_defaults_under_shared_under_own():
    assert sla.merged_targets(False) == sla.ROUTINE_DEFAULTS
    assert sla.merged_targets(True) == sla.MAJOR_DEFAULTS
    shared = {Milestone.ACCEPT: 60, Milestone.ARRIVE: 15}
    own = {Milestone.ARRIVE: 10}
    assert sla.merged_targets(False, shared, own) == {
        Milestone.ACCEPT: 60, Milestone.ARRIVE: 10, Milestone.RESOLVE: 20}
    # a milestone the kind of job has not is not made up by a stray row
    assert sla.merged_targets(True, {Milestone.ARRIVE: 5}) == sla.MAJOR_DEFAULTS


def test_submission_starts_the_accept_clock(report):
    accept = clock(report, "accept")
    assert accept.due_at == minutes(30)
    assert report.next_due_at == minutes(30)


def test_a_late_arrival_is_a_breach_shown_before_and_after_the_sweep(report, users):
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    arrive = clock(report, "arrive")
    assert sla.state(arrive, minutes(3)) == sla.ON_TRACK
    assert sla.state(arrive, minutes(6)) == sla.DUE_SOON
    assert sla.state(arrive, minutes(8)) == sla.OVERDUE  # right before any sweep
    assert sla.report_state(report, minutes(8)) == sla.OVERDUE
    assert arrive.breached_at is None

    assert len(sla.sweep(minutes(8))) == 1
    assert sla.sweep(minutes(9)) == []  # idempotent
    db.session.refresh(arrive)
    assert arrive.breached_at == minutes(7)
    transitions.arrive(report, users["mateng"], now=minutes(12))
    assert sla.state(arrive, minutes(12)) == sla.MET_LATE
    assert not sla.was_on_time(report)


def test_major_jobs_get_a_plan_clock_of_two_days(entrance_code, users, tmp_path):
    draft = intake.ReportDraft(submission_key="dispatch-major-000001",
                                 category_id=category_coded("elevator").id, description="电梯坏了")
    report, _ = intake.submit_report(entrance_code, draft, [], tmp_path, now=T0,
                                       secret=app_secret())
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(5))
    assert clock(report, "plan").due_at == minutes(5 + 2 * 24 * 60)
    assert not [m for m in report.milestones if m.name == "arrive"]
    dispatch.mark_needs_consultation(report, users["dispatcher"], "需要业主分摊费用",
                                     now=minutes(60))
    assert report.status == S.NEEDS_CONSULTATION
    assert clock(report, "plan").met_at == minutes(60)


def test_category_targets_override_the_defaults(report, users):
    water = report.category
    db.session.add(SlaTarget(category=water, milestone="arrive", minutes=60))
    db.session.commit()
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    assert clock(report, "arrive").due_at == minutes(62)


def test_reopening_restarts_the_clocks(report, users):
    handler = users["mateng"]
    resolve_in_ten_minutes(report, users)
    transitions.report_not_fixed(report, "还是不亮", now=minutes(100))
    assert report.status == S.REOPENED
    assert sla.current_cycle(report) == 2
    assert clock(report, "accept", cycle=2).due_at == minutes(130)
    transitions.accept(report, handler, now=minutes(105))
    assert report.status == S.ACCEPTED


# --- a clock's state: pure arithmetic on its times ----------------------------------------

def _clock(target=20, met_after=None, cycle=1, name=Milestone.RESOLVE):
    start = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    due = start + timedelta(minutes=target)
    met = start + timedelta(minutes=met_after) if met_after is not None else None
    return ReportMilestone(name=name, cycle=cycle, started_at=start, due_at=due, met_at=met)


def test_a_clock_is_due_soon_in_the_last_quarter_of_its_target_and_overdue_at_the_due_time():
    m = _clock(target=20)
    at = lambda minutes: m.started_at + timedelta(minutes=minutes)  # noqa: E731
    assert sla.state(m, at(0)) == sla.ON_TRACK
    assert sla.state(m, at(14)) == sla.ON_TRACK
    assert sla.state(m, at(15)) == sla.DUE_SOON       # 5 of 20 minutes left
    assert sla.state(m, at(19.9)) == sla.DUE_SOON
    assert sla.state(m, at(20)) == sla.OVERDUE
    assert sla.state(_clock(met_after=20), at(99)) == sla.MET
    assert sla.state(_clock(met_after=21), at(21)) == sla.MET_LATE


def test_a_report_shows_its_most_urgent_open_clock_of_the_current_cycle():
    on_track, due_soon = _clock(target=60, name=Milestone.ACCEPT), _clock(target=20)
    now = on_track.started_at + timedelta(minutes=16)
    assert sla.report_state(Report(milestones=[on_track, due_soon]), now) == sla.DUE_SOON
    assert sla.report_state(Report(milestones=[on_track]), now) == sla.ON_TRACK
    old = _clock(target=5, cycle=1)                    # overdue, but of an earlier cycle
    assert sla.report_state(Report(milestones=[old, _clock(target=60, cycle=2)]), now) == \
        sla.ON_TRACK
    assert sla.report_state(Report(milestones=[_clock(met_after=1)]), now) is None
    assert sla.report_state(Report(milestones=[]), now) is None


def test_on_time_means_no_breach_among_the_clocks_that_ran():
    met, late = _clock(met_after=5), _clock(met_after=30)
    late.breached_at = late.due_at
    cancelled = _clock()
    cancelled.breached_at, cancelled.cancelled_at = cancelled.due_at, cancelled.due_at
    assert sla.was_on_time(Report(milestones=[met, cancelled]))
    assert not sla.was_on_time(Report(milestones=[met, late]))


# --- standing still: pure arithmetic on one clock ------------------------------------------

def _at(minutes_after):
    return datetime(2026, 11, 22, 10, 0, tzinfo=UTC) + timedelta(minutes=minutes_after)


def test_a_paused_clock_stands_still_and_resumes_with_the_time_it_had_left():
    cal = WorkCalendar()
    m = _clock(target=20)
    sla.pause(m, _at(5), sla.CONSULTATION)
    assert sla.state(m, _at(60)) == sla.PAUSED     # an hour later: not overdue
    sla.resume(m, _at(35), cal)
    assert m.due_at == _at(50) and m.paused_at is None  # 15 minutes left, from 10:35
    assert sla.state(m, _at(49)) == sla.DUE_SOON and sla.state(m, _at(50)) == sla.OVERDUE


def test_several_pauses_add_up():
    cal = WorkCalendar()
    m = _clock(target=20)
    sla.pause(m, _at(5), sla.CONSULTATION)
    sla.resume(m, _at(15), cal)
    sla.pause(m, _at(20), sla.DEPARTMENT)
    sla.pause(m, _at(25), sla.CONSULTATION)  # already standing: the first pause counts
    sla.resume(m, _at(50), cal)
    assert m.due_at == _at(20 + 10 + 30)


def test_a_clock_overdue_before_its_pause_stays_as_late_after_it():
    m = _clock(target=20)
    sla.pause(m, _at(30), sla.DEPARTMENT)
    sla.resume(m, _at(90), WorkCalendar())
    assert m.due_at == _at(80)  # ten minutes late then, ten minutes late now


def test_a_working_day_clock_paused_over_a_weekend_keeps_its_working_time():
    cal = WorkCalendar("Asia/Shanghai")
    shanghai = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 11, 19, 10, 0, tzinfo=shanghai)  # a Thursday
    m = ReportMilestone(name=Milestone.PLAN, cycle=1, started_at=start, working_days=True,
                        due_at=sla.due_after(start, 2 * sla.DAY, cal))
    assert m.due_at == datetime(2026, 11, 23, 10, 0, tzinfo=shanghai)  # Monday, over the weekend
    sla.pause(m, datetime(2026, 11, 20, 10, 0, tzinfo=shanghai), sla.CONSULTATION)  # 1 day left
    sla.resume(m, datetime(2026, 11, 23, 9, 0, tzinfo=shanghai), cal)
    # One working day from Monday 09:00; the weekend it stood over was never working time.
    assert m.due_at == datetime(2026, 11, 24, 9, 0, tzinfo=shanghai)


def test_minute_targets_run_on_the_clock_and_day_targets_on_working_days():
    cal = WorkCalendar("Asia/Shanghai")
    friday = datetime(2026, 11, 20, 23, 50, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert sla.due_after(friday, 20, cal) == friday + timedelta(minutes=20)  # into Saturday
    assert sla.due_after(friday, sla.DAY, cal) == \
        datetime(2026, 11, 23, 23, 50, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert sla.shortened(20, 50) == 10 and sla.shortened(5, 50) == 3 and sla.shortened(1, 50) == 1


# --- clocks that tell the truth, as the workflow moves them ---------------------------------
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


def test_the_expected_time_counts_later_day_scale_steps_in_working_days():
    cal = WorkCalendar("Asia/Shanghai")
    friday = datetime(2026, 2, 13, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # before 春节
    major = {Milestone.ACCEPT: 30, Milestone.PLAN: 2 * sla.DAY}
    assert sla.expected_by([(Milestone.ACCEPT, friday)], True, major, cal) == \
        datetime(2026, 2, 24, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
