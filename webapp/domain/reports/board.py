"""Figures about reports for the public board (晒单 / 红黑榜). The staff CSV: export.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exists, func, null, or_, select
from sqlalchemy.orm import joinedload

from webapp.domain.reports.category_settings import report_is_private
from webapp.domain.reports.privacy import mask
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
)
from webapp.models.sql import minutes_between
from webapp.models.types import utcnow


@dataclass
class Figures:
    received: int = 0
    resolved: int = 0
    on_time: int = 0
    late_open: int = 0  # received, not resolved, and already late
    minutes: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    @property
    def median_minutes(self) -> float | None:
        return median(self.minutes) if self.minutes else None

    @property
    def on_time_share(self) -> float | None:
        """Of the reports resolved, and those still open but already late, the share resolved
        on time: an open overdue report is late whether or not it is ever resolved."""
        counted = self.resolved + self.late_open
        return self.on_time / counted if counted else None

    @property
    def average_rating(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None


@dataclass
class Board:
    month: str
    total: Figures
    by_compound: dict[str, Figures]
    by_org: dict[str, Figures]
    latest: list[Report]
    replies: dict[int, list[str]]  # public replies and resolution notes, masked
    # Received by how they came in (door code, phone, patrol…): counts only, nobody named.
    by_channel: dict[str, int] = field(default_factory=dict)


def month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """'2026-11' → the first instant of that month and of the next, in UTC."""
    year, mon = (int(x) for x in month.split("-"))
    zone = ZoneInfo(timezone)
    start = datetime(year, mon, 1, tzinfo=zone)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=zone)
    return start, end


def board(community_id: int, month: str, timezone: str, compound_id: int | None = None,
          latest_count: int = 20, now: datetime | None = None) -> Board:
    """Received, resolved, median time to resolve, share on time and average rating for a
    month, per compound and per organisation. Shows no resident's name, phone or room: the
    latest reports leave out private categories, and their replies are masked."""
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
    for compound, channel, count in db.session.execute(
            select(Report.compound_id, Report.channel, func.count(Report.id))
            .where(*scope, Report.created_at >= start, Report.created_at < end)
            .group_by(Report.compound_id, Report.channel)):
        total.received += count
        by_compound[compounds[compound]].received += count
        by_channel[channel] += count

    late = exists().where(ReportMilestone.report_id == Report.id,
                          ReportMilestone.breached_at.is_not(None),
                          ReportMilestone.cancelled_at.is_(None))
    # Durations come from the database as plain numbers: turning tens of thousands of
    # timestamps into Python datetimes would cost more than all the rest of the page.
    for compound, org, minutes, rating, was_late in db.session.execute(
            select(Report.compound_id, Report.assigned_org_id,
                   minutes_between(Report.created_at, Report.resolved_at), Report.rating, late)
            .where(*scope, Report.resolved_at >= start, Report.resolved_at < end)):
        for figures in (total, by_compound[compounds[compound]], by_org[orgs.get(org, "—")]):
            figures.resolved += 1
            figures.minutes.append(minutes)
            figures.on_time += not was_late
            if rating:
                figures.ratings.append(rating)

    for compound, org in db.session.execute(
            select(Report.compound_id, Report.assigned_org_id)
            .where(*scope, Report.created_at >= start, Report.created_at < end,
                   Report.status.in_(OPEN_STATUSES), Report.resolved_at.is_(None),
                   or_(Report.next_due_at <= now, late))):
        for figures in (total, by_compound[compounds[compound]], by_org[orgs.get(org, "—")]):
            figures.late_open += 1

    latest = db.session.scalars(
        select(Report).join(Category, Report.category_id == Category.id)
        .where(*scope, Report.resolved_at.is_not(None), ~report_is_private())
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
    return Board(month, total, dict(by_compound), dict(by_org), list(latest), dict(replies),
                 dict(by_channel))


def ranking(by_org: dict[str, Figures]) -> list[tuple[str, Figures]]:
    """红黑榜: best share on time first, then best rating, then most resolved."""
    return sorted(
        by_org.items(),
        key=lambda item: (-(item[1].on_time_share or 0), -(item[1].average_rating or 0),
                          -item[1].resolved, item[0]))


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
