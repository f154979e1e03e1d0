"""SLA clocks. A category's policy is a set of milestone targets in minutes; each report keeps
its milestones with due/met/breached times. What the queue shows is computed from due_at and
the current time, so it is right whether or not the sweep has run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, select, update

from webapp.extensions import db
from webapp.models import Category, Milestone, Report, ReportMilestone

# "52022": on site 5 min after accepting, small jobs fixed 20 min after arrival, complex jobs
# get a plan within 2 days. Accepting is counted from the report's arrival.
ROUTINE_DEFAULTS = {Milestone.ACCEPT: 30, Milestone.ARRIVE: 5, Milestone.RESOLVE: 20}
MAJOR_DEFAULTS = {Milestone.ACCEPT: 30, Milestone.PLAN: 2 * 24 * 60}
# The order the clocks run in, one after another, for each kind of job.
ROUTINE_CHAIN = (Milestone.ACCEPT, Milestone.ARRIVE, Milestone.RESOLVE)
MAJOR_CHAIN = (Milestone.ACCEPT, Milestone.PLAN)
DUE_SOON_SHARE = 0.25  # "due soon" once less than this share of the target is left

ON_TRACK, DUE_SOON, OVERDUE, MET, MET_LATE = "on_track", "due_soon", "overdue", "met", "met_late"


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


def expected_by(open_clocks, is_major: bool, targets: dict[str, int]) -> datetime | None:
    """When the job should be done: the due time of the furthest running clock, plus the
    targets of the steps after it (accept → arrive → resolve; accept → plan). `open_clocks`
    are (milestone name, due_at) pairs; None when none of them runs."""
    chain = MAJOR_CHAIN if is_major else ROUTINE_CHAIN
    running = [(chain.index(name), due) for name, due in open_clocks if name in chain]
    if not running:
        return None
    stage, due = max(running)
    return due + timedelta(minutes=sum(targets[name] for name in chain[stage + 1:]))


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


def sweep(now: datetime) -> list[int]:
    """Mark every overdue, unmet milestone as breached. Idempotent; returns the ids it marked."""
    overdue = and_(ReportMilestone.met_at.is_(None), ReportMilestone.cancelled_at.is_(None),
                   ReportMilestone.breached_at.is_(None), ReportMilestone.due_at <= now)
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
            ReportMilestone.breached_at.is_(None), ReportMilestone.due_at > now,
            ReportMilestone.due_at <= now + horizon))
    return [m for m in running if state(m, now) == DUE_SOON]
