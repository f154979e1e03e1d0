"""Web Push subscriptions: which browsers hear about an account, a report or a booking.

A staff user or volunteer subscribes their account; a resident, who has no account,
subscribes one report or one booking from its private page. One browser speaks for one
account at a time (a shared office phone must not keep the previous user's jobs), but for
any number of a resident's reports and bookings. Nothing here sends: the worker reads
`active_for_*`, and ends a subscription its push service no longer knows (`end_gone`)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.domain import DomainRefused, savepoint
from webapp.domain.shared.tokens import seal, unseal
from webapp.extensions import db
from webapp.models import Booking, Report, User
from webapp.models.push import PushSubscription
from webapp.models.text import max_length
from webapp.models.types import utcnow

P256DH_BYTES = 65  # an uncompressed P-256 point
AUTH_BYTES = 16
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
ANOTHER_ACCOUNT = "another account subscribed this browser"

NO_SUBSCRIPTION = _l("This browser sent no push subscription. Please reload the page and "
                     "try again.")
NOT_A_PUSH_SERVICE = _l("The push address must be an https:// address of a push service.")
BAD_KEYS = _l("The browser's push keys are not valid. Please reload the page and try again.")


class SubscriptionRefused(DomainRefused):
    """A subscription the browser sent that cannot be used: a 400 for the script."""

    status = 400


@dataclass(frozen=True)
class Owner:
    """Whom a subscription speaks for: ("user" | "report" | "booking", id)."""

    kind: str
    id: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def of_user(user: User) -> Owner:
    return Owner("user", user.id)


def of_report(report: Report) -> Owner:
    return Owner("report", report.id)


def of_booking(booking: Booking) -> Owner:
    return Owner("booking", booking.id)


@dataclass(frozen=True)
class Keys:
    endpoint: str
    p256dh: str
    auth: str


def _decoded(value, size: int) -> bytes | None:
    if not isinstance(value, str) or not value.isascii() or len(value) > 2 * size:
        return None
    try:
        raw = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None


def _check_endpoint(endpoint, allow_http: bool) -> str:
    if not isinstance(endpoint, str) or not endpoint:
        raise SubscriptionRefused(NO_SUBSCRIPTION, "endpoint")
    limit = max_length(PushSubscription.endpoint)
    if len(endpoint) > limit:
        raise SubscriptionRefused(_l("The push address may be at most %(max)d characters.",
                                     max=limit), "endpoint")
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise SubscriptionRefused(NOT_A_PUSH_SERVICE, "endpoint") from None
    clean = endpoint.isascii() and endpoint.isprintable() and " " not in endpoint
    local = allow_http and parts.scheme in ("http", "https") and host in LOCAL_HOSTS
    if not clean or parts.username is not None or not host or not (
            local or (parts.scheme == "https" and not _is_address(host))):
        # A push service has a name; an address (10.0.0.1, localhost) would make the worker
        # post wherever a visitor likes.
        raise SubscriptionRefused(NOT_A_PUSH_SERVICE, "endpoint")
    return endpoint


def _is_address(host: str) -> bool:
    if host in LOCAL_HOSTS or "." not in host:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def parse(subscription, *, allow_http: bool = False) -> Keys:
    """The endpoint and keys of a browser's PushSubscription.toJSON(), checked."""
    if not isinstance(subscription, Mapping) or not isinstance(subscription.get("keys"),
                                                               Mapping):
        raise SubscriptionRefused(NO_SUBSCRIPTION)
    endpoint = _check_endpoint(subscription.get("endpoint"), allow_http)
    keys = subscription["keys"]
    point, auth = _decoded(keys.get("p256dh"), P256DH_BYTES), _decoded(keys.get("auth"),
                                                                        AUTH_BYTES)
    if point is None or auth is None:
        raise SubscriptionRefused(BAD_KEYS, "keys")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise SubscriptionRefused(BAD_KEYS, "keys") from None
    return Keys(endpoint, _b64url(point), _b64url(auth))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def find(endpoint: str, owner: Owner) -> PushSubscription | None:
    return db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == endpoint, PushSubscription.owner == owner.key))


def subscribe(owner: Owner, subscription, *, allow_http: bool = False,
              page_path: str | None = None, secret: str | None = None,
              now: datetime | None = None) -> tuple[PushSubscription, bool]:
    """Subscribe a browser for `owner`; (row, True) if it is new. The same browser again
    revives and updates its row. A resident's subscription keeps `page_path` (the private
    page a push opens) sealed with `secret`."""
    keys = parse(subscription, allow_http=allow_http)
    if (owner.kind == "user") != (page_path is None):
        raise ValueError("a resident's subscription needs its page; an account's has none")
    now = now or utcnow()
    sealed = seal(page_path, secret) if page_path is not None else None
    if owner.kind == "user":
        _end_other_accounts(keys.endpoint, owner, now)
    row = find(keys.endpoint, owner)
    created = row is None
    if created:
        row = PushSubscription(endpoint=keys.endpoint, owner=owner.key, created_at=now,
                               p256dh=keys.p256dh, auth=keys.auth,
                               **{f"{owner.kind}_id": owner.id})
        try:
            with savepoint():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:
            # The same browser, at the same moment, in another request: update its row.
            row, created = find(keys.endpoint, owner), False
            if row is None:
                raise
    row.p256dh, row.auth, row.sealed_url = keys.p256dh, keys.auth, sealed
    row.ended_at = row.end_reason = None
    db.session.flush()
    return row, created


def _end_other_accounts(endpoint: str, owner: Owner, now: datetime) -> None:
    for row in db.session.scalars(select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id.is_not(None),
            PushSubscription.owner != owner.key, PushSubscription.ended_at.is_(None))):
        _stop(row, ANOTHER_ACCOUNT, now)


def _stop(row: PushSubscription, reason: str, now: datetime | None = None) -> None:
    row.ended_at = now or utcnow()
    row.end_reason = " ".join(reason.split())[:max_length(PushSubscription.end_reason)]


def end(endpoint: str, owner: Owner, reason: str) -> PushSubscription | None:
    """End `owner`'s subscription of this browser; None if `owner` has none (another owner's
    subscription of the same browser stays)."""
    row = find(endpoint, owner) if isinstance(endpoint, str) else None
    if row is not None and row.active:
        _stop(row, reason)
    return row


def end_gone(subscription_id: int, reason: str) -> None:
    """The push service answered 404/410: the browser dropped the subscription."""
    row = db.session.get(PushSubscription, subscription_id)
    if row is not None and row.active:
        _stop(row, reason)


def _active(column) -> list[PushSubscription]:
    return list(db.session.scalars(select(PushSubscription).where(
        column, PushSubscription.ended_at.is_(None)).order_by(PushSubscription.id)))


def active_for_user(user_id: int) -> list[PushSubscription]:
    return _active(PushSubscription.user_id == user_id)


def active_for_users(user_ids) -> dict[int, list[PushSubscription]]:
    """Each user's live subscriptions, in one query for them all."""
    found: dict[int, list[PushSubscription]] = {user_id: [] for user_id in user_ids}
    if found:
        for row in _active(PushSubscription.user_id.in_(list(found))):
            found[row.user_id].append(row)
    return found


def active_for_report(report_id: int) -> list[PushSubscription]:
    return _active(PushSubscription.report_id == report_id)


def active_for_booking(booking_id: int) -> list[PushSubscription]:
    return _active(PushSubscription.booking_id == booking_id)


def page_path(row: PushSubscription, secret: str) -> str | None:
    """A resident subscription's private page (a path), None if it cannot be unsealed (the
    app's secret changed) or it is an account's."""
    return unseal(row.sealed_url, secret) if row.sealed_url else None
