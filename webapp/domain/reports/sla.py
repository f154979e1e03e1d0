"""SLA clocks. A category's policy is a set of milestone targets in minutes; each report keeps
its milestones with due/met/breached times. What the queue shows is computed from due_at and
the current time, so it is right whether or not the sweep has run.

Minute-scale targets run on the clock; day-scale ones (a day or more) count working time of
the community's calendar (calendar.py). Urgent and care-card reports get a share of every
target (URGENT_PERCENT, or the community's own per category). While a report waits on the
residents (一事一议) or on a department (吹哨) its clocks stand still (paused), all but the
department's own `respond` clock, and resume where they stopped."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update

from webapp.domain.reports import calendar as work_calendar
from webapp.domain.reports.calendar import WorkCalendar
from webapp.extensions import db
from webapp.models import (
    Category,
    CategorySetting,
    Milestone,
    Report,
    ReportMilestone,
    ReportStatus,
)

# "52022": on site 5 min after accepting, small jobs fixed 20 min after arrival, complex jobs
# get a plan within 2 days. Accepting is counted from the report's arrival.
ROUTINE_DEFAULTS = {Milestone.ACCEPT: 30, Milestone.ARRIVE: 5, Milestone.RESOLVE: 20}
MAJOR_DEFAULTS = {Milestone.ACCEPT: 30, Milestone.PLAN: 2 * 24 * 60}
# The order the clocks run in, one after another, for each kind of job.
ROUTINE_CHAIN = (Milestone.ACCEPT, Milestone.ARRIVE, Milestone.RESOLVE)
MAJOR_CHAIN = (Milestone.ACCEPT, Milestone.PLAN)
DUE_SOON_SHARE = 0.25  # "due soon" once less than this share of the target is left
DAY = 24 * 60  # a target of at least this many minutes counts working days
# Clocks outside a kind's policy: the department's answer to an escalation (DESIGN §5: "reply
# within 2 days"), and on site for an emergency inside a major category.
EXTRA_DEFAULTS = {Milestone.RESPOND: 2 * DAY, Milestone.ARRIVE: ROUTINE_DEFAULTS[Milestone.ARRIVE]}
URGENT_PERCENT = 50  # an urgent or care-card report gets half of every target
URGENT_PERCENT_RANGE = (10, 100)

ON_TRACK, DUE_SOON, OVERDUE, MET, MET_LATE = "on_track", "due_soon", "overdue", "met", "met_late"
PAUSED = "paused"
# Why a clock stands still: the report's status it waits in.
CONSULTATION, DEPARTMENT = "consultation", "department"
WAITS = {ReportStatus.NEEDS_CONSULTATION: CONSULTATION, ReportStatus.ESCALATED: DEPARTMENT}


def merged_targets(is_major: bool, *layers: dict[str, int]) -> dict[str, int]:
    """The 52022 defaults for the kind of job, each layer over the one before (the category's
    shared targets, then one community's own). A milestone the kind has not is left out."""
    targets = dict(MAJOR_DEFAULTS if is_major else ROUTINE_DEFAULTS)
    for layer in layers:
        targets.update({name: minutes for name, minutes in layer.items() if name in targets})
    return targets


def targets_for(category: Category, community_id: int | None) -> dict[str, int]:
    """The category's targets in a community: the community's own rows, over the category's
    shared rows, over the defaults. Another community's rows never count."""
    shared, own = {}, {}
    for row in category.sla_targets:
        if row.community_id is None:
            shared[row.milestone] = row.minutes
        elif row.community_id == community_id:
            own[row.milestone] = row.minutes
    return merged_targets(category.is_major, shared, own)


def urgent_percent_for(category: Category, community_id: int | None) -> int:
    own = db.session.scalar(select(CategorySetting.urgent_percent).where(
        CategorySetting.community_id == community_id,
        CategorySetting.category_id == category.id)) if community_id else None
    return own or URGENT_PERCENT


def target_minutes(report: Report, name: str) -> int | None:
    """The clock's target for this report: the category's in its community, shortened for
    an urgent or care-card report."""
    minutes = targets_for(report.category, report.community_id).get(
        name, EXTRA_DEFAULTS.get(name))
    if minutes is None or not report.urgent_or_care():
        return minutes
    return shortened(minutes, urgent_percent_for(report.category, report.community_id))


def shortened(minutes: int, percent: int) -> int:
    return max(1, math.ceil(minutes * percent / 100))


def needs_arrival(report: Report) -> bool:
    """Someone must be on site: every routine job, and an emergency (urgent) major job."""
    return not report.category.is_major or (report.priority or 0) >= 2


def due_after(start: datetime, minutes: int, cal: WorkCalendar) -> datetime:
    """When a clock of `minutes` started at `start` runs out: on the clock below a day, in
    working time of the calendar from a day up."""
    if minutes >= DAY:
        return cal.add_working_time(start, timedelta(minutes=minutes))
    return start + timedelta(minutes=minutes)


def expected_by(open_clocks, is_major: bool, targets: dict[str, int],
                cal: WorkCalendar | None = None) -> datetime | None:
    """When the job should be done: the due time of the furthest running clock, plus the
    targets of the steps after it (accept → arrive → resolve; accept → plan), day-scale ones
    in working days of `cal` when given. `open_clocks` are (milestone name, due_at) pairs;
    None when none of them runs."""
    chain = MAJOR_CHAIN if is_major else ROUTINE_CHAIN
    running = [(chain.index(name), due) for name, due in open_clocks if name in chain]
    if not running:
        return None
    stage, due = max(running)
    if cal is None:
        return due + timedelta(minutes=sum(targets[name] for name in chain[stage + 1:]))
    for name in chain[stage + 1:]:
        due = due_after(due, targets[name], cal)
    return due


def current_cycle(report: Report) -> int:
    return max((m.cycle for m in report.milestones), default=0)


def open_milestones(report: Report) -> list[ReportMilestone]:
    cycle = current_cycle(report)
    return [m for m in report.milestones
            if m.cycle == cycle and m.met_at is None and m.cancelled_at is None]


def start(report: Report, name: str, at: datetime, *, new_cycle: bool = False) -> None:
    """Start the clock `name` at `at`, if the category's policy has it."""
    minutes = target_minutes(report, name)
    if minutes is None:
        return
    cycle = current_cycle(report)
    if new_cycle or cycle == 0:
        cycle += 1
    cal = work_calendar.for_community(report.community_id)
    milestone = ReportMilestone(report=report, cycle=cycle, name=name, started_at=at,
                                due_at=due_after(at, minutes, cal), target_minutes=minutes,
                                working_days=minutes >= DAY)
    db.session.add(milestone)
    _refresh_next_due(report)


def retime(report: Report) -> None:
    """The report became urgent (or stopped being): its running clocks take the targets it
    has now, counted from when each started; time a clock stood still stays credited."""
    cal = work_calendar.for_community(report.community_id)
    for milestone in open_milestones(report):
        minutes = target_minutes(report, milestone.name)
        if minutes is None or milestone.target_minutes is None:
            continue
        credit = milestone.due_at - due_after(milestone.started_at, milestone.target_minutes,
                                              cal)
        milestone.due_at = due_after(milestone.started_at, minutes, cal) + credit
        milestone.target_minutes, milestone.working_days = minutes, minutes >= DAY
    _refresh_next_due(report)


# --- standing still --------------------------------------------------------------------------

def pause(milestone: ReportMilestone, at: datetime, reason: str) -> None:
    """The clock stands still from `at`."""
    if milestone.paused_at is None and milestone.met_at is None and \
            milestone.cancelled_at is None:
        milestone.paused_at, milestone.pause_reason = at, reason


def resume(milestone: ReportMilestone, at: datetime, cal: WorkCalendar) -> None:
    """The clock runs again from `at` with the time it had left when it stopped: on the
    clock, or in working time for a day-scale target."""
    stopped = milestone.paused_at
    if stopped is None:
        return
    at = max(at, stopped)
    if milestone.working_days and milestone.due_at > stopped:
        left = cal.working_time_between(stopped, milestone.due_at)
        milestone.due_at = cal.add_working_time(at, left)
    else:
        milestone.due_at += at - stopped
    milestone.paused_at = milestone.pause_reason = None


def follow_status(report: Report, at: datetime) -> None:
    """Pause or resume the clocks for the report's status: every clock but the department's
    own stands still while it waits on the residents or on a department; the department's
    clock stops when nobody waits on it any longer."""
    waiting = WAITS.get(report.status)
    cal = None
    for milestone in open_milestones(report):
        if milestone.name == Milestone.RESPOND:
            if report.status != ReportStatus.ESCALATED:
                milestone.cancelled_at = at
            continue
        if milestone.paused_at is not None and milestone.pause_reason != waiting:
            cal = cal or work_calendar.for_community(report.community_id)
            resume(milestone, at, cal)
        if waiting is not None:
            pause(milestone, at, waiting)
    _refresh_next_due(report)


def pause_reason(report: Report) -> str | None:
    """Why the report's clocks stand still, if they do."""
    return next((m.pause_reason for m in open_milestones(report) if m.paused_at), None)


def restart(report: Report, at: datetime) -> None:
    """Reopened or handed back: the open clocks stop and a new cycle starts from accepting."""
    cancel_open(report, at)
    start(report, Milestone.ACCEPT, at, new_cycle=True)


def meet(report: Report, name: str, at: datetime) -> None:
    for milestone in open_milestones(report):
        if milestone.name == name:
            if milestone.paused_at is not None:
                resume(milestone, at, work_calendar.for_community(report.community_id))
            milestone.met_at = at
            if at > milestone.due_at and milestone.breached_at is None:
                milestone.breached_at = milestone.due_at
    _refresh_next_due(report)


def cancel_named(report: Report, name: str, at: datetime) -> None:
    for milestone in open_milestones(report):
        if milestone.name == name:
            milestone.cancelled_at = at
    _refresh_next_due(report)


def cancel_open(report: Report, at: datetime) -> None:
    for milestone in open_milestones(report):
        milestone.cancelled_at = at
    _refresh_next_due(report)


def _refresh_next_due(report: Report) -> None:
    """A clock that stands still is due never, for now: the queue neither sorts nor flags it."""
    due = [m.due_at for m in open_milestones(report) if m.paused_at is None]
    report.next_due_at = min(due) if due else None


def state(milestone: ReportMilestone, now: datetime) -> str:
    if milestone.met_at is not None:
        return MET if milestone.met_at <= milestone.due_at else MET_LATE
    if milestone.paused_at is not None:
        return PAUSED
    if now >= milestone.due_at:
        return OVERDUE
    # Its own target, not its span: a pause lengthened the span, not the target.
    target = timedelta(minutes=milestone.target_minutes) if milestone.target_minutes \
        else milestone.due_at - milestone.started_at
    return DUE_SOON if milestone.due_at - now <= target * DUE_SOON_SHARE else ON_TRACK


def report_state(report: Report, now: datetime) -> str | None:
    """The most urgent state among the open clocks, or None when no clock runs."""
    states = {state(m, now) for m in open_milestones(report)}
    for candidate in (OVERDUE, DUE_SOON, ON_TRACK, PAUSED):
        if candidate in states:
            return candidate
    return None


def was_on_time(report: Report) -> bool:
    return all(m.breached_at is None for m in report.milestones if m.cancelled_at is None)


def sweep(now: datetime) -> list[int]:
    """Mark every overdue, unmet milestone as breached. Idempotent; returns the ids it marked."""
    overdue = and_(ReportMilestone.met_at.is_(None), ReportMilestone.cancelled_at.is_(None),
                   ReportMilestone.paused_at.is_(None), ReportMilestone.breached_at.is_(None),
                   ReportMilestone.due_at <= now)
    ids = list(db.session.scalars(select(ReportMilestone.id).where(overdue)))
    if ids:
        db.session.execute(
            update(ReportMilestone).where(ReportMilestone.id.in_(ids), overdue)
            .values(breached_at=ReportMilestone.due_at)
            .execution_options(synchronize_session=False))
    return ids


def due_soon(now: datetime, horizon: timedelta = timedelta(hours=12)) -> list[ReportMilestone]:
    """Running clocks that have entered their last stretch (state DUE_SOON) by `now`."""
    running = db.session.scalars(
        select(ReportMilestone).where(
            ReportMilestone.met_at.is_(None), ReportMilestone.cancelled_at.is_(None),
            ReportMilestone.paused_at.is_(None), ReportMilestone.breached_at.is_(None),
            ReportMilestone.due_at > now,
            ReportMilestone.due_at <= now + horizon))
    return [m for m in running if state(m, now) == DUE_SOON]
