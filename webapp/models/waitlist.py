"""A full slot's waiting list: residents who asked for the next place that frees up."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.bookings import Booking, Slot
from webapp.models.places import Building, Entrance
from webapp.models.types import UtcDateTime, utcnow


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    PROMOTED = "promoted"  # given a place: `booking` is theirs
    LEFT = "left"          # the resident left the list
    CLOSED = "closed"      # the slot was called off, or began before a place freed up


class WaitlistEntry(db.Model):
    """One resident waiting for a slot. Its private link is the one the booking will have:
    promotion copies the link's digest to the new booking, so the resident's page stays put."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        Index("uq_waitlist_live_phone", "slot_id", "phone", unique=True,
              sqlite_where=text("status = 'waiting'"),
              postgresql_where=text("status = 'waiting'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # the order of the list
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submission_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # None once purged, as a booking's.
    name: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(30))
    sms_updates: Mapped[bool] = mapped_column(default=False)
    sealed_link: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    floor_room: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"))
    qr_code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_code.id"))
    status: Mapped[str] = mapped_column(String(20), default=WaitlistStatus.WAITING)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    slot: Mapped[Slot] = relationship()
    booking: Mapped[Booking | None] = relationship()
    building: Mapped[Building | None] = relationship()
    entrance: Mapped[Entrance | None] = relationship()
