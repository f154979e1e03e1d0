"""jurisdiction_id: the communities the API answers for, and the times it writes in each
one's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Category, CategorySetting, Community
from webapp.open311.errors import Open311Error


@dataclass(frozen=True)
class Jurisdiction:
    id: int
    code: str
    name: str
    timezone: str
    hotline: str | None


_JURISDICTIONS = select(Community.id, Community.code, Community.name, Community.timezone,
                        Community.hotline).order_by(Community.id)


def jurisdictions() -> list[Jurisdiction]:
    with db.engine.connect() as connection:
        return [Jurisdiction(*row) for row in connection.execute(_JURISDICTIONS)]


def jurisdiction(code: str | None, *, required: bool, every: list[Jurisdiction] | None = None
                 ) -> Jurisdiction | None:
    """The community named by jurisdiction_id. It may be left out when there is only one, or
    (required=False) when the call does not need one."""
    code = (code or "").strip()
    if code and every is None:
        with db.engine.connect() as connection:  # one row, not every community's
            row = connection.execute(_JURISDICTIONS.where(Community.code == code)).first()
        if row is not None:
            return Jurisdiction(*row)
    every = every if every is not None else jurisdictions()
    if code:
        found = next((j for j in every if j.code == code), None)
        if found is None:
            raise Open311Error(404, _("jurisdiction_id %(code)s was not found; known: "
                                      "%(known)s.", code=code[:40],
                                      known=", ".join(j.code for j in every)))
        return found
    if len(every) == 1:
        return every[0]
    if required:
        raise Open311Error(400, _("jurisdiction_id was not provided; one of: %(known)s.",
                                  known=", ".join(j.code for j in every)))
    return None


def changeset() -> datetime:
    """The last change to a service definition (a category or its questions, or a
    community's own settings for one)."""
    latest = [db.session.scalar(select(func.max(Category.updated_at))),
              db.session.scalar(select(func.max(CategorySetting.updated_at)))]
    return max((t for t in latest if t is not None), default=datetime(2026, 1, 1, tzinfo=UTC))


def w3c(moment: datetime | None, timezone: str) -> str | None:
    """A W3C/ISO 8601 time with its offset, in the community's time zone."""
    if moment is None:
        return None
    return moment.astimezone(_zone(timezone)).isoformat(timespec="seconds")


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def named_or_anywhere(code: str | None) -> Jurisdiction | None:
    """The community a look-up by number or token keeps to: the one jurisdiction_id names
    (404 if none has it), else none. A number or a token names one report wherever it is,
    so without a code nothing needs reading: with one community it is the same."""
    return jurisdiction(code, required=False) if (code or "").strip() else None
