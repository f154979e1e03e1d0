"""Reports (点单), their photos and their append-only timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.places import Building, Community, Compound, Entrance, QrCode
from webapp.models.types import UtcDateTime, utcnow


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    CLOSED = "closed"
    ESCALATED = "escalated"
    NEEDS_CONSULTATION = "needs_consultation"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    REOPENED = "reopened"


class Category(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))
    icon: Mapped[str] = mapped_column(String(16))
    is_major: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class Report(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Set right after the insert, from the creation date and the id: "20261122-0042".
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="qr")

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"), index=True)
    qr_code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_code.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)

    description: Mapped[str] = mapped_column(Text)
    floor_room: Mapped[str | None] = mapped_column(String(40))
    contact_name: Mapped[str | None] = mapped_column(String(40))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    care_card: Mapped[bool] = mapped_column(default=False)

    status: Mapped[str] = mapped_column(String(24), default=ReportStatus.SUBMITTED, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rating: Mapped[int | None] = mapped_column()
    rating_comment: Mapped[str | None] = mapped_column(Text)

    community: Mapped[Community] = relationship()
    compound: Mapped[Compound] = relationship()
    building: Mapped[Building] = relationship()
    entrance: Mapped[Entrance | None] = relationship()
    qr_code: Mapped[QrCode | None] = relationship()
    category: Mapped[Category] = relationship()
    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="report", order_by="ReportPhoto.id"
    )
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id"
    )


class ReportPhoto(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("report_event.id"))
    # Random file name under the instance folder; never part of a public URL.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    byte_size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="photos")
    event: Mapped[ReportEvent | None] = relationship(back_populates="photos")


class ReportEvent(db.Model):
    """One line of a report's history. Rows are only ever inserted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))  # resident, staff, system
    actor_label: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=True)

    report: Mapped[Report] = relationship(back_populates="events")
    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="event", order_by="ReportPhoto.id"
    )


@db.event.listens_for(ReportEvent, "before_update")
@db.event.listens_for(ReportEvent, "before_delete")
def _timeline_is_append_only(mapper, connection, target):
    raise RuntimeError("report events are append-only")
