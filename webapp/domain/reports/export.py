"""The staff's CSV export of reports: one row per report with how it came in, who has it and
every milestone time, in the community's time zone and the reader's language. The cells are
made safe for a spreadsheet where the file is written (shared/spreadsheet.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from webapp.domain.reports import queue
from webapp.domain.reports.labels import (
    MILESTONE_LABELS,
    PRIORITIES,
    STATUS_LABELS,
    channel_label,
)
from webapp.extensions import db
from webapp.models import Milestone, Report, ReportMilestone, User

EXPORT_BATCH = 1000
TIME_FORMAT = "%Y-%m-%d %H:%M"  # what a spreadsheet reads as a time, without seconds

COLUMNS = (
    _l("Report number"), _l("Status"), _l("Channel"), _l("Reported at"), _l("Compound"),
    _l("Building"), _l("Entrance"), _l("Category"), _l("Description"), _l("Priority"),
    _l("Care card"), _l("Organisation"), _l("Assignee"), _l("Accepted at"),
    _l("Arrived at"), _l("Resolved at"), _l("Closed at"), _l("Rating"),
)


def header() -> list[str]:
    names = [str(column) for column in COLUMNS]
    for name in Milestone:
        label = MILESTONE_LABELS[name]
        names += [str(_l("%(milestone)s: due", milestone=label)),
                  str(_l("%(milestone)s: done", milestone=label)),
                  str(_l("%(milestone)s: overdue since", milestone=label))]
    return names


def export_rows(f: queue.QueueFilter, user: User, now: datetime, locale: str = "zh"):
    """The header, then one row per report matching the filter. Words (header, status,
    category, channel, priority) are in `locale`; no resident's name, phone or room."""
    zone = ZoneInfo(user.organization.community.timezone)

    def local(value: datetime | None) -> str:
        return value.astimezone(zone).strftime(TIME_FORMAT) if value else ""

    yes = str(_l("Yes"))
    yield header()
    conditions = queue._conditions(f, user, now)
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(Report).where(*conditions, Report.id > last_id).order_by(Report.id)
            .limit(EXPORT_BATCH)
            .options(joinedload(Report.compound), joinedload(Report.building),
                     joinedload(Report.entrance), joinedload(Report.category),
                     joinedload(Report.assigned_org), joinedload(Report.assigned_user),
                     selectinload(Report.milestones))
        ).unique().all()
        if not batch:
            return
        for r in batch:
            row = [r.number, str(STATUS_LABELS.get(r.status, r.status)),
                   str(channel_label(r.channel)), local(r.created_at), r.compound.name,
                   r.building.name, r.entrance.name if r.entrance else "",
                   r.category.name(locale), r.description,
                   str(PRIORITIES.get(r.priority, r.priority)), yes if r.care_card else "",
                   r.assigned_org.name if r.assigned_org else "",
                   r.assigned_user.display_name if r.assigned_user else "",
                   local(r.accepted_at), local(r.arrived_at), local(r.resolved_at),
                   local(r.closed_at), r.rating or ""]
            latest = _latest_milestones(r)
            for name in Milestone:
                m = latest.get(name)
                row += [local(m.due_at), local(m.met_at), local(m.breached_at)] if m \
                    else ["", "", ""]
            yield row
        last_id = batch[-1].id


def _latest_milestones(report: Report) -> dict[str, ReportMilestone]:
    latest = {}
    for m in report.milestones:  # ordered by id: later cycles win
        latest[m.name] = m
    return latest
