"""The staff's CSV export of reports, with every milestone time, safe to open in a
spreadsheet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from webapp.domain.reports import queue
from webapp.extensions import db
from webapp.models import Milestone, Report, ReportMilestone, User

EXPORT_BATCH = 1000


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell):
    """A text cell that a spreadsheet would run as a formula (a place named "=HYPERLINK(…)")
    gets a leading apostrophe, which spreadsheets show as text and do not display."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def export_rows(f: queue.QueueFilter, user: User, now: datetime):
    """Header, then one row per report matching the filter, with every milestone time."""
    names = list(Milestone)
    header = ["number", "status", "created_at", "compound", "building", "entrance", "category",
              "priority", "assigned_org", "accepted_at", "arrived_at", "resolved_at",
              "closed_at", "rating", "care_card"]
    for name in names:
        header += [f"{name}_due_at", f"{name}_met_at", f"{name}_breached_at"]
    yield header
    conditions = queue._conditions(f, user, now)
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(Report).where(*conditions, Report.id > last_id).order_by(Report.id)
            .limit(EXPORT_BATCH)
            .options(joinedload(Report.compound), joinedload(Report.building),
                     joinedload(Report.entrance), joinedload(Report.category),
                     joinedload(Report.assigned_org), selectinload(Report.milestones))
        ).unique().all()
        if not batch:
            return
        for r in batch:
            row = [r.number, r.status, _iso(r.created_at), r.compound.name, r.building.name,
                   r.entrance.name if r.entrance else "", r.category.code, r.priority,
                   r.assigned_org.name if r.assigned_org else "", _iso(r.accepted_at),
                   _iso(r.arrived_at), _iso(r.resolved_at), _iso(r.closed_at),
                   r.rating or "", "yes" if r.care_card else ""]
            latest = _latest_milestones(r)
            for name in names:
                m = latest.get(name)
                row += [_iso(m.due_at), _iso(m.met_at), _iso(m.breached_at)] if m else ["", "", ""]
            yield row
        last_id = batch[-1].id


def _latest_milestones(report: Report) -> dict[str, ReportMilestone]:
    latest = {}
    for m in report.milestones:  # ordered by id: later cycles win
        latest[m.name] = m
    return latest


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""
