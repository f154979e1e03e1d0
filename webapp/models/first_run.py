"""The one-time link that lets the first admin set up an empty installation in the browser."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.types import UtcDateTime, utcnow


class FirstRunLink(db.Model):
    """Printed by `make run` while the database has no community. Only the SHA-256 digest of
    the token is kept (domain/shared/tokens.py); it expires, and works once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
