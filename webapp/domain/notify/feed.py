"""The changes notifications are fed by, found as the session flushes them: every new timeline
event of a report, a neighbour following one, a consultation decided, and the booking-side
changes that have no timeline (a booking made or cancelled, a slot called off, a volunteer
leaving, a resident joining a waiting list, a redemption decided). Just before the
transaction commits, rules.py turns them into bell items and outbox rows, which the commit
then writes with the change itself: both are stored, or neither."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from webapp.domain.notify import rules
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingStatus,
    ConsultationEvent,
    Redemption,
    RedemptionStatus,
    ReportEvent,
    ReportFollower,
    Slot,
    VolunteerShift,
    WaitlistEntry,
)

PENDING = "notify_pending"
SILENT = "notify_silent"


@contextmanager
def silenced():
    """Changes made inside (demo and seed data) tell nobody."""
    db.session.info[SILENT] = True
    try:
        yield
        db.session.flush()
    finally:
        db.session.info.pop(SILENT, None)


def _changed_to(obj, attribute: str):
    history = inspect(obj).attrs[attribute].history
    return history.added[0] if history.has_changes() and history.added else None


def _noticed(session: Session, flush_context, instances) -> None:
    if session.info.get(SILENT):
        return
    found = session.info.setdefault(PENDING, [])
    for obj in session.new:
        if isinstance(obj, ReportEvent):
            found.append((rules.report_event, obj))
        elif isinstance(obj, Booking):
            found.append((rules.booking_made, obj))
        elif isinstance(obj, ReportFollower):
            found.append((rules.report_followed, obj))
        elif isinstance(obj, ConsultationEvent) and obj.kind == "decided":
            found.append((rules.consultation_decided, obj))
        elif isinstance(obj, WaitlistEntry):
            found.append((rules.waitlist_joined, obj))
    called_off = {obj.id for obj in session.dirty
                  if isinstance(obj, Slot) and _changed_to(obj, "cancelled_at") is not None}
    for obj in session.dirty:
        if isinstance(obj, Slot) and obj.id in called_off:
            found.append((rules.slot_called_off, obj))
        elif isinstance(obj, Booking) and obj.slot_id not in called_off \
                and _changed_to(obj, "status") == BookingStatus.CANCELLED:
            found.append((rules.booking_cancelled, obj))
        elif isinstance(obj, VolunteerShift) and obj.slot_id not in called_off \
                and _changed_to(obj, "cancelled_at") is not None:
            found.append((rules.volunteer_left, obj))
        elif isinstance(obj, Redemption) and _changed_to(obj, "status") in (
                RedemptionStatus.APPROVED, RedemptionStatus.REJECTED):
            found.append((rules.redemption_decided, obj))


def _tell(session: Session) -> None:
    # Commit runs this hook before its own flush: flush first, or a change made since the
    # last flush (an attribute set with no query after it) would be noticed too late.
    session.flush()  # and ids for what the last changes added
    if not session.info.get(PENDING):
        return
    pending, session.info[PENDING] = session.info[PENDING], []
    for rule, obj in pending:
        state = inspect(obj)
        if state.persistent and not state.deleted:  # not undone by a savepoint
            rule(obj)


def _forget(session: Session, transaction) -> None:
    """A transaction ended without committing what it noticed (a savepoint's rollback leaves
    its objects transient, and _tell skips them)."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def listen() -> None:
    """Called once by the app factory."""
    if not event.contains(Session, "before_flush", _noticed):
        event.listen(Session, "before_flush", _noticed)
        event.listen(Session, "before_commit", _tell)
        event.listen(Session, "after_transaction_end", _forget)
