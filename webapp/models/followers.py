"""Neighbours who follow a report ("我也遇到了") instead of filing the same problem again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.reports import Report
from webapp.models.types import UtcDateTime, utcnow


class ReportFollower(db.Model):
    """A resident at the same door who has the same problem. They get their own private link
    (a follower page, never the reporter's link) and, if they asked, the reporter's texts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    # SHA-256 digests (domain/shared/tokens.py), as for a report: a replayed "me too" is found
    # by its key, the follower page by its link; neither is stored.
    submission_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(30), index=True)
    sms_updates: Mapped[bool] = mapped_column(default=False)
    sealed_link: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    report: Mapped[Report] = relationship()
