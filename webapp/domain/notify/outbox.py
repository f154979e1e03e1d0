"""The outbox and the bell: rows written in the transaction of the change they tell of, and
handed to workers. Writing a dedupe key twice stores it once (INSERT … ON CONFLICT DO NOTHING on
both databases), so a retried transaction or two workers' periodic jobs never double a message.
Claiming: a worker takes due rows for a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so workers on
several hosts share them; SQLite has one writer at a time) and keeps them only if its own lease
stuck; a worker that dies lets go when the lease runs out, and another delivers the row."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.extensions import db
from webapp.models import Channel, Notification, OutboxMessage, OutboxStatus
from webapp.models.text import max_length
from webapp.models.types import utcnow


def _insert_once(model, values: dict, conflict_columns: list[str]) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(model).values(**values)
                       .on_conflict_do_nothing(index_elements=conflict_columns))


def enqueue(*, key: str, channel: Channel, recipient: str, kind: str, title: str, body: str,
            url: str, community_id: int | None, due_at: datetime, language: str,
            urgent: bool = False, url_sealed: bool = False, report_id: int | None = None
            ) -> None:
    _insert_once(OutboxMessage, dict(
        dedupe_key=key[: max_length(OutboxMessage.dedupe_key)], channel=str(channel),
        recipient=recipient, kind=kind, title=title, body=body, url=url, url_sealed=url_sealed,
        community_id=community_id, due_at=due_at, created_at=utcnow(), language=language,
        urgent=urgent, report_id=report_id, status=OutboxStatus.PENDING, attempts=0),
        ["dedupe_key"])


def ring(*, user_id: int, key: str, kind: str, title: str, body: str, url: str,
         urgent: bool = False, report_id: int | None = None) -> None:
    """An item in the user's bell."""
    _insert_once(Notification, dict(
        user_id=user_id, dedupe_key=key[: max_length(Notification.dedupe_key)], kind=kind,
        title=title, body=body, url=url, urgent=urgent, report_id=report_id,
        created_at=utcnow()), ["user_id", "dedupe_key"])


def withdraw(key_prefix: str, reason: str) -> int:
    """Cancel what is still waiting to go out under keys starting with `key_prefix` (a
    reminder held back by quiet hours, for a booking since cancelled)."""
    pattern = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                    OutboxMessage.dedupe_key.like(pattern, escape="\\"))
        .values(status=OutboxStatus.CANCELLED, last_error=_reason(reason), locked_until=None)
        .execution_options(synchronize_session=False)).rowcount or 0


# --- workers --------------------------------------------------------------------------------

def claim_due(worker: str, now: datetime, *, limit: int, lease_seconds: int) -> list[int]:
    """Ids of due messages this worker now holds for `lease_seconds`. The caller commits."""
    free = or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now)
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= now, free)
           .order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if not ids:
        return []
    until = now + timedelta(seconds=lease_seconds)
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids), free)
        .values(locked_until=until, locked_by=worker, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    return list(db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.id.in_(ids),
                                       OutboxMessage.locked_by == worker,
                                       OutboxMessage.locked_until == until)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)))


def held(message_id: int, worker: str) -> OutboxMessage | None:
    """The message if this worker still holds it."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.locked_by != worker or message.status != OutboxStatus.PENDING:
        return None
    return message


def mark_sent(message: OutboxMessage, now: datetime) -> None:
    message.status, message.sent_at = OutboxStatus.SENT, now
    message.locked_until = None
    message.last_error = None


def mark_cancelled(message: OutboxMessage, reason: str) -> None:
    message.status = OutboxStatus.CANCELLED
    message.locked_until = None
    message.last_error = _reason(reason)


def mark_failed(message: OutboxMessage, reason: str, now: datetime, *, retry: bool,
                max_attempts: int, base_delay: float) -> None:
    """Try again later with a growing, jittered delay, or give up and keep why."""
    message.last_error = _reason(reason)
    message.locked_until = None
    if retry and message.attempts < max_attempts:
        delay = base_delay * 2 ** (message.attempts - 1) * random.uniform(0.8, 1.2)
        message.due_at = now + timedelta(seconds=min(delay, 3600))
    else:
        message.status = OutboxStatus.FAILED


def texts_counted(message: OutboxMessage, since: datetime, now: datetime) -> int:
    """Texts to the message's phone that count against its daily cap: those sent since
    `since`, and those a worker is sending right now that were queued before it (so a batch
    of texts to one phone cannot pass the cap together)."""
    sent = and_(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at >= since)
    in_flight = and_(OutboxMessage.status == OutboxStatus.PENDING,
                     OutboxMessage.locked_until > now, OutboxMessage.id < message.id)
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.recipient == message.recipient,
               OutboxMessage.channel == Channel.SMS, or_(sent, in_flight)))


def forget_before(cutoff: datetime) -> int:
    """Delete messages settled (sent, failed, cancelled) before `cutoff`: the delivery log
    keeps phones and sealed links no longer than the residents' records keep theirs."""
    result = db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.status != OutboxStatus.PENDING,
                                    OutboxMessage.created_at < cutoff)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def _reason(text: str) -> str:
    limit = max_length(OutboxMessage.last_error)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
