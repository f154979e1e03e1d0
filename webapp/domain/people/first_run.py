"""The first run of an empty installation: `make run` prints a one-time link while the
database has no community, and its holder sets up the community, its office and their own
admin account in the browser. Only the link's SHA-256 digest is stored; it expires, works
once, and stops working as soon as any community exists (made here or with
`flask community create`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webapp.domain import DomainRefused
from webapp.domain.shared.tokens import digest, new_first_run_token
from webapp.extensions import db
from webapp.models import Community, FirstRunLink

LIFETIME = timedelta(hours=24)
GONE = _l("This set-up link is not valid: it was used, it expired, or the installation is "
          "set up already. Run make run again for a new one, or log in.")


class LinkGone(DomainRefused):
    status = 404


def needed() -> bool:
    """Nothing is set up yet: no community."""
    return db.session.scalar(select(Community.id).limit(1)) is None


def issue(now: datetime) -> str:
    """A new link's token (the caller prints it; it is never stored). Earlier unused links
    expire now: only the latest printed one works."""
    db.session.execute(update(FirstRunLink).where(FirstRunLink.used_at.is_(None),
                                                  FirstRunLink.expires_at > now)
                       .values(expires_at=now))
    token = new_first_run_token()
    db.session.add(FirstRunLink(token_hash=digest(token), created_at=now,
                                expires_at=now + LIFETIME))
    return token


def valid(token: str | None, now: datetime) -> FirstRunLink | None:
    """The link this token opens, if it may still be used."""
    if not token or len(token) > 100 or not needed():
        return None
    link = db.session.scalar(select(FirstRunLink).where(
        FirstRunLink.token_hash == digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def use(token: str | None, now: datetime) -> None:
    """Spend the link, once: of two set-ups sent with it at the same moment, one wins."""
    link = valid(token, now)
    taken = link is not None and db.session.execute(
        update(FirstRunLink).where(FirstRunLink.id == link.id,
                                   FirstRunLink.used_at.is_(None))
        .values(used_at=now)).rowcount == 1
    if not taken:
        raise LinkGone(GONE)
