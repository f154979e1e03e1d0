"""Who was at the door: volunteers checking in by scanning a door code, staff marking
attendance, no-shows, and the care visits (敲门行动) to care-card holders. The attendance log
is append-only, like the report timeline: it is what staff read to settle a dispute."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.bookings import Booking, CareCard, Slot
from webapp.models.people import User
from webapp.models.places import QrCode
from webapp.models.reports import Report
from webapp.models.types import UtcDateTime, utcnow


class AttendanceKind(StrEnum):
    CHECK_IN = "check_in"        # a volunteer scanned the door's code (booking or visit)
    NOT_HOME = "not_home"        # checked in, and the resident did not open
    PRESENT = "present"          # staff: this volunteer served the slot
    NO_SHOW = "no_show"          # the volunteer did not come (the worker, or staff)
    DONE = "done"                # staff: the booking was served
    ABSENT = "absent"            # staff: the resident did not come to the service point
    ALL_WELL = "all_well"        # a care visit found the holder well
    NEEDS_HELP = "needs_help"    # a care visit filed a report for the holder
    MISSED = "missed"            # a care visit not made by its day


def _once(name: str, *columns: str, kind: str) -> Index:
    where = text(f"kind = '{kind}'")
    return Index(name, *columns, unique=True, sqlite_where=where, postgresql_where=where)


class AttendanceEvent(db.Model):
    __table_args__ = (
        _once("uq_attendance_booking_check_in", "booking_id", "volunteer_id", kind="check_in"),
        _once("uq_attendance_visit_check_in", "care_visit_id", "volunteer_id", kind="check_in"),
        _once("uq_attendance_no_show", "slot_id", "volunteer_id", kind="no_show"),
        _once("uq_attendance_missed", "care_visit_id", kind="missed"),
        Index("ix_attendance_volunteer_kind", "volunteer_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    care_visit_id: Mapped[int | None] = mapped_column(ForeignKey("care_visit.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # whom it concerns
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: the worker
    qr_code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_code.id"))  # code scanned
    note: Mapped[str | None] = mapped_column(Text)

    slot: Mapped[Slot | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
    volunteer: Mapped[User | None] = relationship(foreign_keys=[volunteer_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    qr_code: Mapped[QrCode | None] = relationship()


class CareVisitPlan(db.Model):
    """How often volunteers knock on a care-card holder's door: every `every_days` days
    (1 daily, 7 weekly), from `starts_on`."""

    __table_args__ = (CheckConstraint("every_days BETWEEN 1 AND 90", name="rhythm"),
                      CheckConstraint("points BETWEEN 0 AND 1000", name="visit_points"))

    id: Mapped[int] = mapped_column(primary_key=True)
    care_card_id: Mapped[int] = mapped_column(ForeignKey("care_card.id"), unique=True)
    every_days: Mapped[int] = mapped_column()
    starts_on: Mapped[date] = mapped_column(Date)
    points: Mapped[int] = mapped_column(default=10)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    care_card: Mapped[CareCard] = relationship()


class CareVisit(db.Model):
    """One knock on the door, due on a day of the community's calendar. A volunteer takes
    it (one conditional update), checks in at the holder's door and records the outcome."""

    __table_args__ = (Index("uq_care_visit_day", "care_card_id", "due_on", unique=True),
                      Index("ix_care_visit_open", "community_id", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    care_card_id: Mapped[int] = mapped_column(ForeignKey("care_card.id"))
    due_on: Mapped[date] = mapped_column(Date)
    points: Mapped[int] = mapped_column(default=10)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))  # all_well, needs_help
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    missed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    care_card: Mapped[CareCard] = relationship()
    volunteer: Mapped[User | None] = relationship()
    report: Mapped[Report | None] = relationship()


@db.event.listens_for(AttendanceEvent, "before_update")
@db.event.listens_for(AttendanceEvent, "before_delete")
def _attendance_is_append_only(mapper, connection, target):
    raise RuntimeError("the attendance log is never edited; record a new event")
