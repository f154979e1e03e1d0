"""What the outbox holds for a community, for its admins: the delivery log (every message, its
channel, status, attempts and last error) and, in demo mode, the texts and robot posts as the
phone or the group shows them. A page costs three statements, whatever the outbox holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.domain.shared.tokens import unseal
from webapp.extensions import db
from webapp.models import Channel, Organization, OutboxMessage, OutboxStatus, Report

PAGE_SIZE = 50
STATUSES = tuple(OutboxStatus)
CHANNELS = tuple(Channel)
# What a phone or a group chat receives.
TEXT_CHANNELS = (Channel.SMS, Channel.ROBOT)


@dataclass(frozen=True)
class LogFilter:
    status: str | None = None
    channel: str | None = None
    page: int = 1

    def args(self, **changes) -> dict:
        values = {"status": self.status, "channel": self.channel, "page": self.page, **changes}
        if values["page"] == 1:
            del values["page"]
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True)
class Delivery:
    message: OutboxMessage
    recipient: str         # masked phone, organisation name, push subscription number
    report_number: str | None


@dataclass(frozen=True)
class DeliveryPage:
    rows: list[Delivery]
    total: int
    page: int
    pages: int


def log_filter(status: str | None, channel: str | None, page: int | None) -> LogFilter:
    """Unknown values filter nothing."""
    return LogFilter(status=status if status in STATUSES else None,
                     channel=channel if channel in CHANNELS else None,
                     page=max(1, min(page or 1, 10_000)))


def delivery_log(community_id: int, f: LogFilter) -> DeliveryPage:
    """The community's messages, newest first."""
    conditions = [OutboxMessage.community_id == community_id]
    if f.status:
        conditions.append(OutboxMessage.status == f.status)
    if f.channel:
        conditions.append(OutboxMessage.channel == f.channel)
    return _page(community_id, conditions, f.page)


def sent_messages(community_id: int, page: int = 1) -> DeliveryPage:
    """The community's texts and robot posts, newest first (the demo's "sent messages")."""
    return _page(community_id, [OutboxMessage.community_id == community_id,
                                OutboxMessage.channel.in_(TEXT_CHANNELS)], page)


def _page(community_id: int, conditions: list, page: int) -> DeliveryPage:
    total = db.session.scalar(select(func.count(OutboxMessage.id)).where(*conditions))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    found = db.session.execute(
        select(OutboxMessage, Report.number)
        .outerjoin(Report, Report.id == OutboxMessage.report_id).where(*conditions)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    org_ids = {_org_id(m.recipient) for m, _number in found} - {None}
    names = dict(db.session.execute(
        select(Organization.id, Organization.name)
        .where(Organization.id.in_(org_ids), Organization.community_id == community_id)
    ).all()) if org_ids else {}
    rows = [Delivery(m, recipient_label(m.recipient, names), number) for m, number in found]
    return DeliveryPage(rows, total, page, pages)


def _org_id(recipient: str) -> int | None:
    kind, _, value = recipient.partition(":")
    return int(value) if kind == "org" and value.isdigit() else None


def recipient_label(recipient: str, org_names: dict[int, str]) -> str:
    """"phone:+8613800138000" → "•••8000" (enough to tell two residents' texts apart; staff
    see the full number on the report); "org:3" → the organisation's name; "push:12" →
    "#12" (a browser's subscription has no name)."""
    kind, _, value = recipient.partition(":")
    if kind == "phone":
        return "•••" + value[-4:]
    if kind == "org":
        return org_names.get(_org_id(recipient), f"#{value}")
    return f"#{value}"


def link_of(message: OutboxMessage, *, base_url: str, secret: str, reveal_sealed: bool
            ) -> str | None:
    """The link as the message carries it; a resident's private link (stored sealed) only
    when `reveal_sealed`, else None."""
    path = message.url
    if message.url_sealed:
        path = unseal(path, secret) if reveal_sealed else None
    if not path:
        return None
    return base_url.rstrip("/") + path if path.startswith("/") else path
