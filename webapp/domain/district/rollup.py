"""The report rollup (models/rollup.py), kept current in the same transaction as the reports.

Each report adds a fixed contribution to the rollup, a function of its own columns alone
(`contribution`): one count on the day it came in, for the organisation that has it now,
and, once resolved, one on the day it was resolved. When a flush changes a report, the
listener adds the difference between its contribution after and before with
`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`: no row is read and written back,
so two transactions counting into the same row both count (the second waits for the first).
`rebuild()` computes the same sums set-based from the reports; the tests hold the two equal.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import (
    and_,
    case,
    delete,
    event,
    exists,
    false,
    func,
    inspect,
    literal,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models import (
    Community,
    Report,
    ReportEvent,
    ReportMilestone,
    ReportStatus,
)
from webapp.models.reports import REOPEN_KINDS, missed_clock
from webapp.models.rollup import BUCKET_BOUNDS, BUCKETS, COUNTS, KEY, report_rollup
from webapp.models.sql import local_date, month_start, whole_seconds_between

# The report columns a contribution reads.
FACT_COLUMNS = ("community_id", "created_at", "assigned_org_id", "hidden_from_board",
                "status", "resolved_at", "rating", "callback_at")
BOUNDS_IN_SECONDS = tuple(minutes * 60 for minutes in BUCKET_BOUNDS)
OLD, RECHECK = "rollup_old", "rollup_recheck"


@dataclass(frozen=True)
class Facts:
    """What of a report the rollup counts."""

    community_id: int
    timezone: str
    created_at: datetime
    org_id: int
    on_board: bool
    status: str
    resolved_at: datetime | None
    rating: int | None
    callback_at: datetime | None
    late: bool = False  # a clock was missed (only read once resolved)
    reopened: int = 0


def bucket_of(seconds: int) -> int:
    """The time-to-resolve bucket of a duration in whole seconds."""
    return bisect_right(BOUNDS_IN_SECONDS, seconds)


def whole_seconds(start: datetime, end: datetime) -> int:
    return int(end.timestamp()) - int(start.timestamp())


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def contribution(facts: Facts) -> dict[tuple, Counter]:
    """The counts one report adds to the rollup, by key (day, community, org, on board)."""
    rows: dict[tuple, Counter] = defaultdict(Counter)
    received = rows[(local_day(facts.created_at, facts.timezone), facts.community_id,
                     facts.org_id, facts.on_board)]
    received["received"] += 1
    received["rejected"] += facts.status == ReportStatus.REJECTED
    received["duplicates"] += facts.status == ReportStatus.DUPLICATE
    received["reopened"] += facts.reopened
    if facts.resolved_at is not None:
        done = rows[(local_day(facts.resolved_at, facts.timezone), facts.community_id,
                     facts.org_id, facts.on_board)]
        done["resolved"] += 1
        done["late" if facts.late else "on_time"] += 1
        if facts.status == ReportStatus.CLOSED:
            confirmed = facts.rating is not None and facts.callback_at is None
            done["confirmed" if confirmed else "closed_unconfirmed"] += 1
        if facts.rating is not None:
            done["rating_count"] += 1
            done["rating_sum"] += facts.rating
        done[BUCKETS[bucket_of(whole_seconds(facts.created_at, facts.resolved_at))]] += 1
    return rows


def difference(before: Facts | None, after: Facts | None) -> dict[tuple, Counter]:
    """after − before, keys and counts that did not change left out."""
    rows: dict[tuple, Counter] = defaultdict(Counter)
    for facts, sign in ((after, 1), (before, -1)):
        if facts is None:
            continue
        for key, counts in contribution(facts).items():
            for name, n in counts.items():
                rows[key][name] += sign * n
    return {key: {name: n for name, n in counts.items() if n}
            for key, counts in rows.items() if any(counts.values())}


def with_months(rows: dict[tuple, dict]) -> dict[tuple, Counter]:
    """Day keys (day, community, org, on board) as the rollup's rows: each day's, and its
    month's."""
    keyed: dict[tuple, Counter] = defaultdict(Counter)
    for (day, *rest), counts in rows.items():
        keyed[(day, *rest, False)].update(counts)
        keyed[(day.replace(day=1), *rest, True)].update(counts)
    return keyed


def add(connection, rows: dict[tuple, dict]) -> None:
    """Add `rows` (counts by day key) to the rollup's days and months in one statement
    (executed for each row), creating missing rows."""
    if not rows:
        return
    keyed = sorted(with_months(rows).items())  # one lock order
    names = tuple(name for name in COUNTS if any(counts.get(name) for _key, counts in keyed))
    if not names:
        return
    values = [{**dict(zip(KEY, key, strict=True)), **{name: counts.get(name, 0) for name in names}}
              for key, counts in keyed]
    connection.execute(_upsert(connection.dialect.name, names), values)


@lru_cache(maxsize=128)
def _upsert(dialect_name: str, names: tuple[str, ...]):
    """Adds these counts (the others keep their value, or start at 0). Built once per kind
    of change: filing a report counts only `received`, and building the statement for all
    the counts cost more than running it."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(report_rollup)
    return statement.on_conflict_do_update(
        index_elements=list(KEY),
        set_={name: report_rollup.c[name] + statement.excluded[name] for name in names})


# --- the listener --------------------------------------------------------------------------

def _timezone(report: Report) -> str:
    return report.community.timezone if report.community is not None else \
        db.session.get(Community, report.community_id).timezone


def _late(connection, report_id: int) -> bool:
    """A clock of the report was missed and not called off: as the board counts it."""
    return bool(connection.scalar(select(exists().where(
        ReportMilestone.report_id == report_id, ReportMilestone.breached_at.is_not(None),
        ReportMilestone.cancelled_at.is_(None)))))


def _reopened(connection, report_id: int) -> int:
    return connection.scalar(select(func.count()).select_from(ReportEvent).where(
        ReportEvent.report_id == report_id, ReportEvent.kind.in_(REOPEN_KINDS)))


def _changed(report: Report) -> bool:
    state = inspect(report)
    return any(state.attrs[name].history.has_changes() for name in FACT_COLUMNS) or \
        state.attrs.assigned_org.history.has_changes()


def _stored_values(connection, report: Report) -> dict:
    """The report's columns as the database has them before this flush: from the history
    the session kept, or, for a column set without its old value loaded, from the row."""
    state, values = inspect(report), {}
    for name in FACT_COLUMNS:
        history = state.attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.unchanged:
            values[name] = history.unchanged[0]
        elif not history.added:
            values[name] = getattr(report, name)
        else:
            row = connection.execute(select(*(getattr(Report, c) for c in FACT_COLUMNS))
                                     .where(Report.id == report.id)).one()
            return dict(zip(FACT_COLUMNS, row, strict=True))
    return values


def _facts(values: dict, timezone: str) -> Facts:
    return Facts(community_id=values["community_id"], timezone=timezone,
                 created_at=values["created_at"], org_id=values["assigned_org_id"] or 0,
                 on_board=not values["hidden_from_board"], status=values["status"],
                 resolved_at=values["resolved_at"], rating=values["rating"],
                 callback_at=values["callback_at"])


def _before_flush(session: Session, flush_context, instances) -> None:
    """What the changed reports counted as stored, before this flush writes them. A report
    whose clocks change is among them: whether it was late may change (its clocks can be
    flushed after its resolution, when a query in between flushed the report alone)."""
    old, recheck = session.info.setdefault(OLD, {}), session.info.setdefault(RECHECK, set())
    changed = [r for r in list(session.dirty) + list(session.deleted)
               if isinstance(r, Report) and (r in session.deleted or _changed(r))]
    for clock in list(session.new) + list(session.dirty):
        if isinstance(clock, ReportMilestone) and clock.report is not None and \
                clock.report not in session.new:
            recheck.add(clock.report)
            changed.append(clock.report)
    for report in changed:
        if report in old:
            continue
        connection = session.connection()
        facts = _facts(_stored_values(connection, report), _timezone(report))
        if facts.resolved_at is not None:
            facts = replace(facts, late=_late(connection, report.id))
        if report in session.deleted:
            facts = replace(facts, reopened=_reopened(connection, report.id))
        old[report] = facts


def _after_flush(session: Session, flush_context) -> None:
    """Add what the flushed reports count now, less what they counted before."""
    old, recheck = session.info.pop(OLD, {}), session.info.pop(RECHECK, set())
    reopens = Counter(item.report for item in session.new
                      if isinstance(item, ReportEvent) and item.kind in REOPEN_KINDS)
    reports = [*old, *(r for r in session.new if isinstance(r, Report))]
    reports += [r for r in reopens if r not in reports]
    if not reports:
        return
    connection = session.connection()
    rows: dict[tuple, Counter] = defaultdict(Counter)
    for report in reports:
        added = reopens[report]
        before = old.get(report)
        after = None if report in session.deleted else \
            _facts_now(connection, report, None if report in recheck else before)
        if before is None and after is not None and report not in session.new:
            before = after  # the report unchanged: only a reopen recorded
        if before is not None and after is not None:
            # Earlier reopens move with the report only when its key moves (another
            # organisation, hidden from the board): read only then.
            earlier = _reopened(connection, report.id) - added \
                if _received_key(before) != _received_key(after) else 0
            before = replace(before, reopened=earlier)
            after = replace(after, reopened=earlier + added)
        elif after is not None:
            after = replace(after, reopened=added)
        for key, counts in difference(before, after).items():
            rows[key].update(counts)
    add(connection, {key: counts for key, counts in rows.items() if any(counts.values())})


def _facts_now(connection, report: Report, before: Facts | None) -> Facts:
    after = _facts({name: getattr(report, name) for name in FACT_COLUMNS}, _timezone(report))
    if after.resolved_at is None:
        return after
    # A resolved report's clocks are all met or called off: unchanged while it stays so,
    # unless this flush wrote some of them.
    late = before.late if before is not None and before.resolved_at is not None \
        else _late(connection, report.id)
    return replace(after, late=late)


def _received_key(facts: Facts) -> tuple:
    return (facts.created_at, facts.community_id, facts.org_id, facts.on_board)


def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(OLD, None)
        session.info.pop(RECHECK, None)


def listen() -> None:
    """Called once by the app factory."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_transaction_end", _forget)


# --- rebuilt from the reports ----------------------------------------------------------------

def _counted(condition) -> object:
    return case((condition, 1), else_=0)


def _received_rows(scope):
    reopens = (select(ReportEvent.report_id, func.count().label("n"))
               .where(ReportEvent.kind.in_(REOPEN_KINDS))
               .group_by(ReportEvent.report_id).subquery())
    zero = literal(0)
    return (
        select(local_date(Report.created_at, Community.timezone).label("day"),
               Report.community_id.label("community_id"),
               func.coalesce(Report.assigned_org_id, 0).label("org_id"),
               Report.hidden_from_board.is_(false()).label("on_board"),
               literal(1).label("received"),
               _counted(Report.status == ReportStatus.REJECTED).label("rejected"),
               _counted(Report.status == ReportStatus.DUPLICATE).label("duplicates"),
               func.coalesce(reopens.c.n, 0).label("reopened"),
               *(zero.label(name) for name in COUNTS[4:]))
        .join(Community, Community.id == Report.community_id)
        .outerjoin(reopens, reopens.c.report_id == Report.id)
        .where(*scope))


def _resolved_rows(scope):
    late = missed_clock()
    seconds = whole_seconds_between(Report.created_at, Report.resolved_at)
    bucket = case(*((seconds < bound, i) for i, bound in enumerate(BOUNDS_IN_SECONDS)),
                  else_=len(BOUNDS_IN_SECONDS))
    closed = Report.status == ReportStatus.CLOSED
    confirmed = and_(closed, Report.rating.is_not(None), Report.callback_at.is_(None))
    zero = literal(0)
    return (
        select(local_date(Report.resolved_at, Community.timezone).label("day"),
               Report.community_id.label("community_id"),
               func.coalesce(Report.assigned_org_id, 0).label("org_id"),
               Report.hidden_from_board.is_(false()).label("on_board"),
               *(zero.label(name) for name in COUNTS[:4]),
               literal(1).label("resolved"),
               _counted(~late).label("on_time"),
               _counted(late).label("late"),
               _counted(confirmed).label("confirmed"),
               _counted(and_(closed, ~confirmed)).label("closed_unconfirmed"),
               _counted(Report.rating.is_not(None)).label("rating_count"),
               func.coalesce(Report.rating, 0).label("rating_sum"),
               *(_counted(bucket == i).label(name) for i, name in enumerate(BUCKETS)))
        .join(Community, Community.id == Report.community_id)
        .where(Report.resolved_at.is_not(None), *scope))


def rebuild(community_ids: list[int] | None = None) -> int:
    """Recompute the rollup (of these communities, or all) from the reports, set-based: for
    after a bulk load that bypassed the session, or to repair. Inside the caller's unit of
    work. On PostgreSQL the table is locked against writers meanwhile: a transaction that
    changed a report before the lock is waited for and counted; one after it adds its
    difference once the rebuild commits. Returns the number of rollup rows."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE report_rollup IN EXCLUSIVE MODE"))
    scope = [Report.community_id.in_(community_ids)] if community_ids is not None else []
    connection.execute(delete(report_rollup).where(
        *([report_rollup.c.community_id.in_(community_ids)] if community_ids is not None
          else [])))
    both = union_all(_received_rows(scope), _resolved_rows(scope)).subquery()
    days = KEY[:-1]
    summed = (select(*(both.c[name] for name in days), false().label("whole_month"),
                     *(func.sum(both.c[name]).label(name) for name in COUNTS))
              .group_by(*(both.c[name] for name in days)))
    connection.execute(report_rollup.insert().from_select([*KEY, *COUNTS], summed))
    rollup = report_rollup.c
    month = month_start(rollup.day)
    months = (select(month.label("day"), rollup.community_id, rollup.org_id, rollup.on_board,
                     true().label("whole_month"),
                     *(func.sum(rollup[name]).label(name) for name in COUNTS))
              .where(rollup.whole_month.is_(false()),
                     *([rollup.community_id.in_(community_ids)] if community_ids is not None
                       else []))
              .group_by(month, rollup.community_id, rollup.org_id, rollup.on_board))
    connection.execute(report_rollup.insert().from_select([*KEY, *COUNTS], months))
    return connection.scalar(select(func.count()).select_from(report_rollup))
