"""Bookable services (定制服务), their time slots, and who booked them on either side."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.places import Building, Community, Entrance, QrCode
from webapp.models.types import UtcDateTime, utcnow


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    DONE = "done"
    NO_SHOW = "no_show"


class ServiceCategory(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))
    icon: Mapped[str] = mapped_column(String(16), default="🤝")
    sort_order: Mapped[int] = mapped_column(default=0)

    services: Mapped[list[ServiceType]] = relationship(back_populates="category",
                                                       order_by="ServiceType.sort_order")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class ServiceType(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("service_category.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    at_home: Mapped[bool] = mapped_column(default=False)  # else at a service point
    volunteers_needed: Mapped[int] = mapped_column(default=1)
    points: Mapped[int] = mapped_column(default=10)       # per completed service, per volunteer
    free_for_care_card: Mapped[bool] = mapped_column(default=False)
    fee_note_zh: Mapped[str | None] = mapped_column(String(120))
    fee_note_en: Mapped[str | None] = mapped_column(String(120))
    cancel_cutoff_hours: Mapped[int] = mapped_column(default=2)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    category: Mapped[ServiceCategory] = relationship(back_populates="services")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def description(self, locale: str) -> str | None:
        return self.description_zh if locale.startswith("zh") else self.description_en

    def fee_note(self, locale: str) -> str | None:
        return self.fee_note_zh if locale.startswith("zh") else self.fee_note_en


class Slot(db.Model):
    """A concrete time for a service, with places for residents and for volunteers.
    `booked` and `volunteers_booked` only ever change by a conditional update."""

    __table_args__ = (
        CheckConstraint("booked >= 0 AND booked <= capacity", name="resident_places"),
        CheckConstraint("volunteers_booked >= 0 AND volunteers_booked <= volunteer_capacity",
                        name="volunteer_places"),
        Index("ix_slot_open", "community_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    location: Mapped[str | None] = mapped_column(String(120))  # the service point, if any
    capacity: Mapped[int] = mapped_column(default=1)
    booked: Mapped[int] = mapped_column(default=0)
    volunteer_capacity: Mapped[int] = mapped_column(default=1)
    volunteers_booked: Mapped[int] = mapped_column(default=0)
    # Staff say it runs even with no volunteer; else residents book it only while one holds it.
    runs_without_volunteer: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Volunteers may take it from then on (a week's shifts opened at once); None: at once.
    signup_opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    community: Mapped[Community] = relationship()
    service: Mapped[ServiceType] = relationship()
    created_by: Mapped[User | None] = relationship()
    bookings: Mapped[list[Booking]] = relationship(back_populates="slot", order_by="Booking.id")
    shifts: Mapped[list[VolunteerShift]] = relationship(back_populates="slot",
                                                        order_by="VolunteerShift.id")

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked

    @property
    def volunteer_places_left(self) -> int:
        return self.volunteer_capacity - self.volunteers_booked

    @property
    def waits_for_volunteer(self) -> bool:
        """Residents cannot book it yet: it needs a volunteer and none holds it."""
        return self.volunteer_capacity > 0 and self.volunteers_booked == 0 \
            and not self.runs_without_volunteer


class Booking(db.Model):
    """A resident's booking, managed through a private link. Cancelled is a status."""

    __table_args__ = (
        # One live booking per resident (by phone) per slot.
        Index("uq_booking_live_phone", "slot_id", "phone", unique=True,
              sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    # SHA-256 digests (domain/shared/tokens.py): the link and the key themselves are never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submission_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # None once purged (flask privacy purge), with floor_room and note.
    name: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(30))
    sms_updates: Mapped[bool] = mapped_column(default=False)  # as on a report
    sealed_link: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    floor_room: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"))
    qr_code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_code.id"))
    is_free: Mapped[bool] = mapped_column(default=False)  # a care-card holder's free service
    status: Mapped[str] = mapped_column(String(20), default=BookingStatus.BOOKED)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    slot: Mapped[Slot] = relationship(back_populates="bookings")
    building: Mapped[Building | None] = relationship()
    entrance: Mapped[Entrance | None] = relationship()
    qr_code: Mapped[QrCode | None] = relationship()


class VolunteerShift(db.Model):
    """A volunteer signed up to serve a slot."""

    __table_args__ = (
        Index("uq_shift_live_volunteer", "slot_id", "user_id", unique=True,
              sqlite_where=text("cancelled_at IS NULL"),
              postgresql_where=text("cancelled_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leave_reason: Mapped[str | None] = mapped_column(Text)  # why the volunteer left, for staff

    slot: Mapped[Slot] = relationship(back_populates="shifts")
    user: Mapped[User] = relationship()


class CareCard(db.Model):
    """爱心联系卡: an elderly or living-alone resident, registered by staff."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(30), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    building: Mapped[Building | None] = relationship()
    entrance: Mapped[Entrance | None] = relationship()
