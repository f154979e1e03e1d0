"""Open311 GeoReport v2: the keys client applications post with, and what a report filed
through the API carries besides the report itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.places import Community
from webapp.models.reports import Report
from webapp.models.types import UtcDateTime, utcnow


class ApiKey(db.Model):
    """A client application's key. Only a hash is kept: the key itself is shown once."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    client_name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the key, hex. Keys carry 192 random bits, so a fast hash is enough.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the key, to tell keys apart in the admin page.
    key_prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    community: Mapped[Community] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Request(db.Model):
    """The Open311 side of a report filed through the API: which client sent it, the
    submitter's e-mail and media link (staff only), and the token of tokens/<token>."""

    __tablename__ = "open311_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"), index=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # The address as the client wrote it (it may name a floor or room: staff only).
    address_string: Mapped[str | None] = mapped_column(String(300))
    media_url: Mapped[str | None] = mapped_column(Text)
    account_id: Mapped[str | None] = mapped_column(String(100))
    device_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    report: Mapped[Report] = relationship()
    api_key: Mapped[ApiKey] = relationship()
