"""Web Push subscriptions: a browser's push address, and whom it speaks for — a staff
user's or volunteer's account, or a resident's one report or one booking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import UtcDateTime, utcnow

# Exactly one of the three owners (CASE: PostgreSQL does not add booleans).
ONE_OWNER = ("(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)"
             " + (CASE WHEN report_id IS NULL THEN 0 ELSE 1 END)"
             " + (CASE WHEN booking_id IS NULL THEN 0 ELSE 1 END) = 1")


class PushSubscription(db.Model):
    __tablename__ = "push_subscription"
    __table_args__ = (
        UniqueConstraint("endpoint", "owner"),
        CheckConstraint(ONE_OWNER, name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # PushSubscription.toJSON() of the browser: where to post, and the keys to encrypt for.
    endpoint: Mapped[str] = mapped_column(String(500))
    p256dh: Mapped[str] = mapped_column(String(120))
    auth: Mapped[str] = mapped_column(String(40))
    # "user:<id>", "report:<id>" or "booking:<id>": one key for the unique constraint.
    owner: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    # A resident's private page (its path), sealed with the app's secret: private links are
    # stored only as digests, yet a push must open the page.
    sealed_url: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(60))

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def address(self) -> dict:
        """What the Web Push channel sends to: the browser's toJSON() shape."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
