"""The SLA: first its rules that need no database (merging targets, the expected-by time that
the board, the queue and Open311 can show, a clock's state), then the clocks as the workflow
starts, meets, breaches and restarts them. Times are passed in."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import app_secret
from tests.domain.reports.conftest import T0, category_coded, clock, minutes, resolve_in_ten_minutes
from webapp.domain.reports import dispatch, intake, sla, transitions
from webapp.domain.reports.calendar import WorkCalendar
from webapp.extensions import db
from webapp.models import Milestone, Report, ReportMilestone, ReportStatus, SlaTarget

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
