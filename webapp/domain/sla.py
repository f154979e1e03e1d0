"""SLA clocks. A category's policy is a set of milestone targets in minutes; each report keeps
its milestones with due/met/breached times. What the queue shows is computed from due_at and
the current time, so it is right whether or not the sweep has run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, update

from webapp.extensions import db
from webapp.models import Category, Milestone, Report, ReportMilestone

# "52022": on site 5 min after accepting, small jobs fixed 20 min after arrival, complex jobs
# get a plan within 2 days. Accepting is counted from the report's arrival.
ROUTINE_DEFAULTS = {Milestone.ACCEPT: 30, Milestone.ARRIVE: 5, Milestone.RESOLVE: 20}
MAJOR_DEFAULTS = {Milestone.ACCEPT: 30, Milestone.PLAN: 2 * 24 * 60}
DUE_SOON_SHARE = 0.25  # "due soon" once less than this share of the target is left

ON_TRACK, DUE_SOON, OVERDUE, MET, MET_LATE = "on_track", "due_soon", "overdue", "met", "met_late"


def targets_for(category: Category, community_id: int | None) -> dict[str, int]:
    """The category's targets in a community: the community's own rows, over the category's
    shared rows, over the 52022 defaults for its kind. Another community's rows never count."""
    targets = dict(MAJOR_DEFAULTS if category.is_major else ROUTINE_DEFAULTS)
    for row in sorted(category.sla_targets, key=lambda row: row.community_id is not None):
        if row.milestone in targets and row.community_id in (None, community_id):
            targets[row.milestone] = row.minutes
    return targets


def current_cycle(report: Report) -> int:
    return max((m.cycle for m in report.milestones), default=0)


def open_milestones(report: Report) -> list[ReportMilestone]:
    cycle = current_cycle(report)
    return [m for m in report.milestones
            if m.cycle == cycle and m.met_at is None and m.cancelled_at is None]


def start(report: Report, name: str, at: datetime, *, new_cycle: bool = False) -> None:
    """Start the clock `name` at `at`, if the category's policy has it."""
    minutes = targets_for(report.category, report.community_id).get(name)
    if minutes is None:
        return
    cycle = current_cycle(report)
    if new_cycle or cycle == 0:
        cycle += 1
    milestone = ReportMilestone(report=report, cycle=cycle, name=name, started_at=at,
                                due_at=at + timedelta(minutes=minutes))
    db.session.add(milestone)
    _refresh_next_due(report)


def restart(report: Report, at: datetime) -> None:
    """Reopened or handed back: the open clocks stop and a new cycle starts from accepting."""
    cancel_open(report, at)
    start(report, Milestone.ACCEPT, at, new_cycle=True)


def meet(report: Report, name: str, at: datetime) -> None:
    for milestone in open_milestones(report):
        if milestone.name == name:
            milestone.met_at = at
            if at > milestone.due_at and milestone.breached_at is None:
                milestone.breached_at = milestone.due_at
    _refresh_next_due(report)


def cancel_open(report: Report, at: datetime) -> None:
    for milestone in open_milestones(report):
        milestone.cancelled_at = at
    _refresh_next_due(report)


def _refresh_next_due(report: Report) -> None:
    due = [m.due_at for m in open_milestones(report)]
    report.next_due_at = min(due) if due else None


def state(milestone: ReportMilestone, now: datetime) -> str:
    if milestone.met_at is not None:
        return MET if milestone.met_at <= milestone.due_at else MET_LATE
    if now >= milestone.due_at:
        return OVERDUE
    target = milestone.due_at - milestone.started_at
    return DUE_SOON if milestone.due_at - now <= target * DUE_SOON_SHARE else ON_TRACK


def report_state(report: Report, now: datetime) -> str | None:
    """The most urgent state among the open clocks, or None when no clock runs."""
    states = {state(m, now) for m in open_milestones(report)}
    for candidate in (OVERDUE, DUE_SOON, ON_TRACK):
        if candidate in states:
            return candidate
    return None


def was_on_time(report: Report) -> bool:
    return all(m.breached_at is None for m in report.milestones if m.cancelled_at is None)


def sweep(now: datetime) -> int:
    """Mark every overdue, unmet milestone as breached. Idempotent; returns how many it marked."""
    result = db.session.execute(
        update(ReportMilestone)
        .where(and_(ReportMilestone.met_at.is_(None), ReportMilestone.cancelled_at.is_(None),
                    ReportMilestone.breached_at.is_(None), ReportMilestone.due_at <= now))
        .values(breached_at=ReportMilestone.due_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0
