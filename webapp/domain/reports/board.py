"""Figures about reports for the public board (晒单 / 红黑榜). The staff CSV: export.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from math import floor
from statistics import median

from sqlalchemy import bindparam, case, exists, func, null, select, type_coerce
from sqlalchemy.orm import joinedload

from webapp.domain.reports.category_settings import report_is_private
from webapp.domain.reports.privacy import mask
from webapp.domain.reports.trend import SET_APART, Month, month_bounds, trend
from webapp.extensions import db
from webapp.models import (
    OPEN_STATUSES,
    Category,
    Community,
    Compound,
    Organization,
    Report,
    ReportEvent,
    ReportMilestone,
    ReportStatus,
)
from webapp.models.reports import REOPEN_KINDS, missed_clock
from webapp.models.sql import minutes_between
from webapp.models.types import UtcDateTime, utcnow

__all__ = ["Board", "Figures", "Month", "board", "board_scope", "month_bounds", "percent"]

NOBODY = "—"  # the organisation of reports not yet dispatched: the community office's


@dataclass
class Figures:
    """A month's reports of a group. `received` leaves out the duplicates and the rejected,
    counted apart; of `resolved` (staff say it is fixed), the resident confirmed some, some
    were closed without their word and the rest await it."""

    received: int = 0
    duplicates: int = 0
    rejected: int = 0
    resolved: int = 0
    on_time: int = 0
    late_open: int = 0  # still open and already late by the month's end (or now)
    confirmed: int = 0  # closed with the resident's own rating
    closed_unconfirmed: int = 0  # closed after a call-back, or by the automatic close
    reopened: int = 0  # resolved reports that had been reopened before
    minutes: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    @property
    def awaiting_confirmation(self) -> int:
        return self.resolved - self.confirmed - self.closed_unconfirmed

    @property
    def median_minutes(self) -> float | None:
        return median(self.minutes) if self.minutes else None

    @property
    def on_time_share(self) -> float | None:
        """Of the reports resolved, and those still open but already late, the share resolved
        on time: an open overdue report is late whether or not it is ever resolved."""
        return on_time_share(self.on_time, self.resolved, self.late_open)

    @property
    def average_rating(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None


def on_time_share(on_time: int, resolved: int, late_open: int) -> float | None:
    counted = resolved + late_open
    return on_time / counted if counted else None


def percent(share: float | None) -> int | None:
    """A share as whole percent, rounded down: 100 % only when every one was on time (one
    late in 300 is 99 %, never a rounded-up 100 %)."""
    return None if share is None else floor(share * 100 + 1e-9)


@dataclass
class Board:
    month: str
    total: Figures
    by_compound: dict[str, Figures]
    by_org: dict[str, Figures]
    latest: list[Report]  # resolved in the month, newest first
    replies: dict[int, list[str]]  # public replies and resolution notes, masked
    # Received by how they came in (door code, phone, patrol…): counts only, nobody named.
    by_channel: dict[str, int] = field(default_factory=dict)
    trend: list[Month] = field(default_factory=list)  # 12 months, oldest first


def late_since():
    """When an open report fell late: its first missed clock, else its next due time once
    passed (the sweep has not marked it yet). NULL while it is not late."""
    breached = (select(func.min(ReportMilestone.breached_at))
                .where(ReportMilestone.report_id == Report.id,
                       ReportMilestone.breached_at.is_not(None),
                       ReportMilestone.cancelled_at.is_(None))
                .correlate(Report).scalar_subquery())
    due = case((Report.next_due_at <= bindparam("now"), Report.next_due_at))
    return type_coerce(func.coalesce(breached, due), UtcDateTime())


def board(community_id: int, month: str, timezone: str, compound_id: int | None = None,
          latest_count: int = 20, now: datetime | None = None) -> Board:
    """Received, resolved, median time to resolve, share on time and average rating for a
    month, per compound and per organisation, and the 12 months to it. Shows no resident's
    name, phone or room: the latest reports leave out private categories, and their replies
    are masked."""
    start, end = month_bounds(month, timezone)
    now = now or utcnow()
    scope = [Report.community_id == community_id, Report.hidden_from_board.is_(False)]
    if compound_id:
        scope.append(Report.compound_id == compound_id)
    compounds = dict(db.session.execute(
        select(Compound.id, Compound.name).where(Compound.community_id == community_id)).all())
    orgs = dict(db.session.execute(
        select(Organization.id, Organization.name)
        .where(Organization.community_id == community_id)).all())

    total, by_compound, by_org = Figures(), defaultdict(Figures), defaultdict(Figures)
    by_channel = defaultdict(int)

    def groups(compound, org):
        return total, by_compound[compounds[compound]], by_org[orgs.get(org, NOBODY)]

    for compound, org, channel, kind, count in db.session.execute(
            select(Report.compound_id, Report.assigned_org_id, Report.channel, SET_APART,
                   func.count(Report.id))
            .where(*scope, Report.created_at >= start, Report.created_at < end)
            .group_by(Report.compound_id, Report.assigned_org_id, Report.channel, SET_APART)):
        for figures in groups(compound, org):
            setattr(figures, kind, getattr(figures, kind) + count)
        if kind == "received":
            by_channel[channel] += count

    late = missed_clock()
    reopened = exists().where(ReportEvent.report_id == Report.id,
                              ReportEvent.kind.in_(REOPEN_KINDS))
    # Durations come from the database as plain numbers: turning tens of thousands of
    # timestamps into Python datetimes would cost more than all the rest of the page.
    for compound, org, minutes, rating, was_late, status, called_back, was_reopened in \
            db.session.execute(
                select(Report.compound_id, Report.assigned_org_id,
                       minutes_between(Report.created_at, Report.resolved_at), Report.rating,
                       late, Report.status, Report.callback_at.is_not(None), reopened)
                .where(*scope, Report.resolved_at >= start, Report.resolved_at < end)):
        closed = status == ReportStatus.CLOSED
        for figures in groups(compound, org):
            figures.resolved += 1
            figures.minutes.append(minutes)
            figures.on_time += not was_late
            figures.reopened += bool(was_reopened)
            figures.confirmed += closed and rating is not None and not called_back
            figures.closed_unconfirmed += closed and (rating is None or bool(called_back))
            if rating:
                figures.ratings.append(rating)

    # Open and late by the month's end (or now): against whoever holds it now, whenever it
    # came in. The trend counts the same reports in each month they were already late by.
    late_open = db.session.execute(
        select(Report.compound_id, Report.assigned_org_id, late_since())
        .where(*scope, Report.status.in_(OPEN_STATUSES), Report.resolved_at.is_(None),
               late_since() < min(end, now)), {"now": now}).all()
    for compound, org, _since in late_open:
        for figures in groups(compound, org):
            figures.late_open += 1

    latest = db.session.scalars(
        select(Report).join(Category, Report.category_id == Category.id)
        .where(*scope, Report.resolved_at >= start, Report.resolved_at < end,
               ~report_is_private())
        .order_by(Report.resolved_at.desc()).limit(latest_count)
        .options(joinedload(Report.compound), joinedload(Report.building),
                 joinedload(Report.category), joinedload(Report.assigned_org))
    ).unique().all()
    replies = defaultdict(list)
    if latest:
        by_id = {r.id: r for r in latest}
        hotlines = db.session.execute(select(Community.hotline, Community.hotline_24h)
                                      .where(Community.id == community_id)).one()
        for event in db.session.scalars(
                select(ReportEvent).where(ReportEvent.report_id.in_([r.id for r in latest]),
                                          ReportEvent.kind.in_(["reply", "resolved"]),
                                          ReportEvent.is_public)
                .order_by(ReportEvent.id)):
            report = by_id[event.report_id]
            replies[event.report_id].append(mask(
                event.note, [report.contact_name, report.contact_phone, report.floor_room],
                hotlines))
    history = trend(community_id, compound_id, month, timezone,
                    [since for *_, since in late_open])
    return Board(month, total, dict(by_compound), dict(by_org), list(latest), dict(replies),
                 dict(by_channel), history)


def board_communities() -> list[tuple[str, str]]:
    """(code, name) of every community, for the board's switcher."""
    return [tuple(row) for row in db.session.execute(
        select(Community.code, Community.name).order_by(Community.name))]


@dataclass(frozen=True)
class BoardScope:
    """Which board a URL asks for, and the version of the data it would show: the newest
    timeline event anywhere. Every change to a report writes one (timeline.py), so a board
    rendered for a newer version is a fresh one."""

    community_id: int
    timezone: str
    compound_id: int | None
    version: int


_scope_statements: dict = {}


def _scope_statement(kind: str):
    # Built once: on the board's hot path, building the statement costs more than running it.
    if kind not in _scope_statements:
        version = select(func.coalesce(func.max(ReportEvent.id), 0)).scalar_subquery()
        community = select(Community.id, Community.timezone)
        _scope_statements[kind] = {
            "compound": community.add_columns(Compound.id, version)
            .join(Compound, Compound.community_id == Community.id)
            .where(Compound.id == bindparam("compound_id")),
            "code": community.add_columns(null(), version)
            .where(Community.code == bindparam("code")),
            "first": community.add_columns(null(), version).order_by(Community.id).limit(1),
        }[kind]
    return _scope_statements[kind]


def board_scope(code: str | None = None, compound_id: int | None = None) -> BoardScope | None:
    """The board of a compound, or of the community of this code, else of the first
    community; None when there is no such compound or no community at all. One indexed
    read on a plain connection, without an ORM session."""
    with db.engine.connect() as connection:
        if compound_id is not None:
            row = connection.execute(_scope_statement("compound"),
                                     {"compound_id": compound_id}).first()
            return BoardScope(*row) if row else None
        row = connection.execute(_scope_statement("code"), {"code": code}).first() \
            if code else None
        row = row or connection.execute(_scope_statement("first")).first()
    return BoardScope(*row) if row else None
