"""Forgetting residents (`flask privacy purge`): reports and bookings closed longer than a
while lose the resident's name, phone, room and e-mail; what they wrote keeps its words
with phone numbers, ids and addresses masked (domain/reports/privacy.py). The anonymous figures stay
whole: places, categories, times, statuses, ratings, the timeline's events and care-card
flags, so the board, counts and exports read the same before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from webapp.domain.reports.privacy import mask
from webapp.extensions import db
from webapp.models import (
    FINISHED_STATUSES,
    Booking,
    BookingStatus,
    CategoryQuestion,
    Datatype,
    Open311Request,
    PushSubscription,
    Report,
    ReportAnswer,
    ReportEvent,
    ReportFollower,
    Slot,
    WaitlistEntry,
)

BATCH = 200
# Nothing more happens to a report in these states.
FREE_TEXT = (Datatype.STRING, Datatype.TEXT)


@dataclass(frozen=True)
class Purged:
    reports: int
    bookings: int


def purge(now: datetime, after_days: int) -> Purged:
    """Purge what finished `after_days` or more before `now`, in the caller's unit of work.
    Idempotent: a purged record carries purged_at and is not counted again."""
    reports = bookings = 0
    while done := purge_batch(now, after_days):
        reports, bookings = reports + done.reports, bookings + done.bookings
    return Purged(reports, bookings)


def purge_batch(now: datetime, after_days: int) -> Purged | None:
    """The next BATCH of reports and of bookings to purge, purged; None when none is left.
    `flask privacy purge` commits each batch on its own: a long purge holds no long
    transaction, and one stopped half-way carries on where it stopped."""
    cutoff = now - timedelta(days=after_days)
    reports = db.session.scalars(select(Report).where(
        Report.purged_at.is_(None), Report.status.in_(FINISHED_STATUSES),
        or_(Report.closed_at <= cutoff,
            and_(Report.closed_at.is_(None), Report.updated_at <= cutoff)))
        .order_by(Report.id).limit(BATCH)).all()
    bookings = db.session.scalars(select(Booking).join(Slot, Booking.slot_id == Slot.id).where(
        Booking.purged_at.is_(None),
        or_(Slot.ends_at <= cutoff,
            and_(Booking.status == BookingStatus.CANCELLED, Booking.cancelled_at <= cutoff)))
        .order_by(Booking.id).limit(BATCH)).all()
    # A waiting list's residents too, counted with the bookings they waited for.
    waiting = db.session.scalars(select(WaitlistEntry).join(
        Slot, WaitlistEntry.slot_id == Slot.id).where(
        WaitlistEntry.purged_at.is_(None),
        or_(Slot.ends_at <= cutoff, WaitlistEntry.ended_at <= cutoff))
        .order_by(WaitlistEntry.id).limit(BATCH)).all()
    if not reports and not bookings and not waiting:
        return None
    if reports:
        _purge_reports(reports, now)
    _purge_bookings(bookings, now)
    for entry in waiting:
        entry.name = entry.phone = entry.floor_room = entry.note = entry.sealed_link = None
        entry.sms_updates, entry.purged_at = False, now
    return Purged(len(reports), len(bookings) + len(waiting))


def _purge_reports(reports: list[Report], now: datetime) -> None:
    own = {r.id: [r.contact_name, r.contact_phone, r.floor_room] for r in reports}
    ids = list(own)
    # The timeline is append-only for the app (ReportEvent refuses ORM updates); erasing a
    # resident's details is the one change it takes, by a plain UPDATE of the note alone.
    events = ReportEvent.__table__
    for event_id, report_id, note in db.session.execute(
            select(events.c.id, events.c.report_id, events.c.note)
            .where(events.c.report_id.in_(ids), events.c.note.is_not(None))):
        masked = mask(note, own[report_id])
        if masked != note:
            db.session.execute(update(events).where(events.c.id == event_id)
                               .values(note=masked))
    for answer in db.session.scalars(
            select(ReportAnswer).join(CategoryQuestion)
            .where(ReportAnswer.report_id.in_(ids), CategoryQuestion.datatype.in_(FREE_TEXT))):
        answer.value = mask(answer.value, own[answer.report_id])
    for details in db.session.scalars(
            select(Open311Request).where(Open311Request.report_id.in_(ids))):
        details.email = details.address_string = None
        details.account_id = details.device_id = None
    _end_subscriptions(PushSubscription.report_id.in_(ids), now)
    # Neighbours who followed it (我也遇到了) are forgotten with the reporter.
    db.session.execute(
        update(ReportFollower).where(ReportFollower.report_id.in_(ids))
        .values(phone=None, sealed_link=None, sms_updates=False)
        .execution_options(synchronize_session=False))
    for report in reports:
        report.description = mask(report.description, own[report.id])
        report.rating_comment = mask(report.rating_comment, own[report.id])
        report.contact_name = report.contact_phone = report.floor_room = None
        report.sealed_link, report.sms_updates = None, False
        report.purged_at = now


def _end_subscriptions(whose, now: datetime) -> None:
    """A purged record's devices hear no more of it, and its sealed link goes."""
    db.session.execute(
        update(PushSubscription).where(whose)
        .values(sealed_url=None, ended_at=func.coalesce(PushSubscription.ended_at, now),
                end_reason=func.coalesce(PushSubscription.end_reason, "purged"))
        .execution_options(synchronize_session=False))


def _purge_bookings(bookings: list[Booking], now: datetime) -> None:
    _end_subscriptions(PushSubscription.booking_id.in_([b.id for b in bookings]), now)
    for booking in bookings:
        booking.cancel_reason = mask(booking.cancel_reason,
                                     [booking.name, booking.phone, booking.floor_room])
        booking.name = booking.phone = booking.floor_room = booking.note = None
        booking.sealed_link, booking.sms_updates = None, False
        booking.purged_at = now
