"""API keys of client applications (the district's 12345 hotline, a city app): issued by a
community, one per application, shown once and kept only as a digest, revocable. Open311 is
the API they open today; the rules here do not depend on it. Nothing here commits: the
caller's unit of work does."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from webapp.domain import DomainRefused
from webapp.domain.shared import tokens
from webapp.extensions import db
from webapp.models import ApiKey, Community, Open311Request
from webapp.models.text import max_length, plain
from webapp.models.types import utcnow

KEY_PREFIX = "ms311_"
LONGEST_KEY = 200  # anything longer is no key of ours, and is not even digested


class ClientNameRefused(DomainRefused):
    def __init__(self, limit: int):
        super().__init__(_l("Name the client application (up to %(max)d characters).",
                            max=limit), field="client_name")


def issue_key(community: Community, client_name: str, created_by=None) -> tuple[ApiKey, str]:
    """A new key for a client application. The key itself is returned once and never stored."""
    name = " ".join(plain(client_name or "").split())
    limit = max_length(ApiKey.client_name)
    if not 1 <= len(name) <= limit:
        raise ClientNameRefused(limit)
    raw = tokens.new_api_key(KEY_PREFIX)
    key = ApiKey(community=community, client_name=name, key_hash=tokens.digest(raw),
                 key_prefix=raw[:len(KEY_PREFIX) + 4], created_by=created_by)
    db.session.add(key)
    db.session.flush()
    return key, raw


def revoke_key(key: ApiKey, now: datetime | None = None) -> None:
    if key.revoked_at is None:
        key.revoked_at = now or utcnow()


# A key's last use is written at most this often: the admin page shows when a client was
# last heard from, and an UPDATE of the key's row on every request would be a write per
# request for that alone.
LAST_USE_GRAIN = timedelta(minutes=1)


def key_for(raw: str | None) -> ApiKey | None:
    """The active key `raw` stands for, with its community, or None."""
    if not raw or len(raw) > LONGEST_KEY:
        return None
    return db.session.scalar(select(ApiKey).options(joinedload(ApiKey.community))
                             .where(ApiKey.key_hash == tokens.digest(raw.strip()),
                                    ApiKey.revoked_at.is_(None)))


def note_use(key: ApiKey, at: datetime) -> None:
    """The key was used at `at`: remembered to the minute (LAST_USE_GRAIN)."""
    if key.last_used_at is None or at - key.last_used_at >= LAST_USE_GRAIN:
        key.last_used_at = at


def limit_bucket(raw: str) -> str:
    """The name a key's rate limits are counted under: a digest, as the key is a secret."""
    return "key:" + tokens.digest(raw.strip())[:32]


def keys_of(community_id: int) -> list[ApiKey]:
    """A community's keys, active first, newest first."""
    return list(db.session.scalars(select(ApiKey).where(ApiKey.community_id == community_id)
                                   .order_by(ApiKey.revoked_at.is_not(None),
                                             ApiKey.created_at.desc())))


def report_counts(key_ids: list[int]) -> dict[int, int]:
    """How many reports each key has filed."""
    if not key_ids:
        return {}
    return dict(db.session.execute(
        select(Open311Request.api_key_id, func.count(Open311Request.id))
        .where(Open311Request.api_key_id.in_(key_ids)).group_by(Open311Request.api_key_id)
    ).all())


def client_request(report_id: int) -> Open311Request | None:
    """What the client application sent along with a report it filed (its key, the
    resident's e-mail, a media link, its own account and device ids)."""
    return db.session.scalar(select(Open311Request).where(Open311Request.report_id == report_id))
