"""Notifications: the outbox the worker delivers from, the in-app bell, each person's
preferences, and the periodic jobs the workers share."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.types import UtcDateTime, utcnow


class Channel(StrEnum):
    PUSH = "push"
    ROBOT = "robot"
    SMS = "sms"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"        # gave up: the reason is in last_error
    CANCELLED = "cancelled"  # no longer deliverable (subscription ended, robot removed, cap)


class OutboxMessage(db.Model):
    """One message for one recipient on one channel, written in the same transaction as the
    change it tells of. The dedupe key names (event, recipient, channel): writing it twice
    stores it once."""

    __table_args__ = (Index("ix_outbox_message_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    # "push:<subscription id>", "org:<organisation id>", "phone:<E.164>"
    recipient: Mapped[str] = mapped_column(String(60), index=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    # A path on this site; a resident's private link is stored sealed (shared/tokens.seal).
    url: Mapped[str] = mapped_column(Text)
    url_sealed: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker holds a claimed message until then; a worker that died lets go by itself.
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(60))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(String(300))


class Notification(db.Model):
    """An item in a staff user's or volunteer's bell, read or unread."""

    __table_args__ = (UniqueConstraint("user_id", "dedupe_key"),
                      Index("ix_notification_user_created", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    dedupe_key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(300))
    urgent: Mapped[bool] = mapped_column(default=False)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    """How a staff user or volunteer wants to be told. No row: the defaults below."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    push: Mapped[bool] = mapped_column(default=True)
    sms: Mapped[bool] = mapped_column(default=False)
    # Browser notifications and a sound while a staff page is open.
    desktop: Mapped[bool] = mapped_column(default=True)
    sound: Mapped[bool] = mapped_column(default=False)
    # Quiet hours, in minutes after local midnight: only urgent items get through.
    quiet_hours: Mapped[bool] = mapped_column(default=True)
    quiet_from: Mapped[int] = mapped_column(default=22 * 60)
    quiet_until: Mapped[int] = mapped_column(default=7 * 60)


class PeriodicRun(db.Model):
    """When each periodic job (SLA sweep, reminders) last ran: the worker that moves
    last_run_at forward runs it, so several workers run each job once."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
