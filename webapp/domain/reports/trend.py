"""The board's last 12 months: received (duplicates and rejected apart), resolved and the
share on time, per month. A community's come from the rollup (models/rollup.py), a few rows
whatever the number of reports; a compound's (the rollup has no compound key) from its
reports, two grouped reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal, select, true

from webapp.domain.shared.months import month_days, months_back
from webapp.extensions import db
from webapp.models import Report, ReportStatus
from webapp.models.reports import missed_clock
from webapp.models.rollup import report_rollup
from webapp.models.sql import local_date, month_start

TREND_MONTHS = 12

# Where a report that came in counts: the duplicates and the rejected apart.
SET_APART = case((Report.status == ReportStatus.DUPLICATE, "duplicates"),
                 (Report.status == ReportStatus.REJECTED, "rejected"),
                 else_="received").label("kind")


@dataclass
class Month:
    month: str  # "2026-11"
    received: int = 0
    duplicates: int = 0
    rejected: int = 0
    resolved: int = 0
    on_time: int = 0
    late_open: int = 0  # still open now, and late by the month's end

    @property
    def on_time_share(self) -> float | None:
        counted = self.resolved + self.late_open
        return self.on_time / counted if counted else None


def month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """'2026-11' → the first instant of that month and of the next, in the zone."""
    zone = ZoneInfo(timezone)
    return tuple(datetime.combine(day, datetime.min.time(), zone)
                 for day in month_days(month))


def trend(community_id: int, compound_id: int | None, month: str, timezone: str,
          late_since: list[datetime]) -> list[Month]:
    """The 12 months ending with `month`, oldest first. `late_since`: when each open, late
    report fell late (board.late_since)."""
    months = {m: Month(m) for m in months_back(month, TREND_MONTHS)}
    first, last = next(iter(months)), month
    if compound_id is None:
        _from_rollup(months, community_id, month_days(first)[0], month_days(last)[0])
    else:
        _from_reports(months, community_id, compound_id, month_bounds(first, timezone)[0],
                      month_bounds(last, timezone)[1], timezone)
    for name, figures in months.items():
        end = month_bounds(name, timezone)[1]
        figures.late_open = sum(since < end for since in late_since)
    return list(months.values())


def _add(months: dict[str, Month], day, **counts) -> None:
    figures = months.get(str(day)[:7])
    if figures is not None:
        for name, n in counts.items():
            setattr(figures, name, getattr(figures, name) + (n or 0))


def _from_rollup(months, community_id, first_day, last_day) -> None:
    rollup = report_rollup.c
    for day, received, duplicates, rejected, resolved, on_time in db.session.execute(
            select(rollup.day, *(func.sum(rollup[name]) for name in (
                "received", "duplicates", "rejected", "resolved", "on_time")))
            .where(rollup.community_id == community_id, rollup.on_board.is_(true()),
                   rollup.whole_month.is_(true()), rollup.day >= first_day,
                   rollup.day <= last_day)
            .group_by(rollup.day)):
        received = (received or 0) - (duplicates or 0) - (rejected or 0)
        _add(months, day, received=received, duplicates=duplicates, rejected=rejected,
             resolved=resolved, on_time=on_time)


def _from_reports(months, community_id, compound_id, start, end, timezone) -> None:
    scope = [Report.community_id == community_id, Report.compound_id == compound_id,
             Report.hidden_from_board.is_(False)]
    zone = literal(timezone)
    came_in = month_start(local_date(Report.created_at, zone))
    for day, kind, count in db.session.execute(
            select(came_in, SET_APART, func.count())
            .where(*scope, Report.created_at >= start, Report.created_at < end)
            .group_by(came_in, SET_APART)):
        _add(months, day, **{kind: count})
    done = month_start(local_date(Report.resolved_at, zone))
    for day, resolved, on_time in db.session.execute(
            select(done, func.count(), func.sum(case((missed_clock(), 0), else_=1)))
            .where(*scope, Report.resolved_at >= start, Report.resolved_at < end)
            .group_by(done)):
        _add(months, day, resolved=resolved, on_time=on_time)
