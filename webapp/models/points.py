"""The points passbook (红色存折 / 绿能卡) as a double-entry ledger: every movement is a
transfer whose entries sum to zero. Entries are only ever inserted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.bookings import Booking
from webapp.models.people import User
from webapp.models.types import UtcDateTime, utcnow


class AccountKind(StrEnum):
    VOLUNTEER = "volunteer"   # a volunteer's passbook
    POOL = "pool"             # the community's pool that awards come from
    SINK = "sink"             # where redeemed points go


class RedemptionStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class Account(db.Model):
    __table_args__ = (UniqueConstraint("community_id", "kind", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    # Bumped at the start of every transfer out of the account: it serialises them.
    lock_version: Mapped[int] = mapped_column(default=0)

    user: Mapped[User | None] = relationship()


class Transfer(db.Model):
    __table_args__ = (
        # One award per completed booking and volunteer.
        Index("uq_transfer_award", "booking_id", "volunteer_id", unique=True,
              sqlite_where=text("kind = 'award'"), postgresql_where=text("kind = 'award'")),
        # A movement is reversed at most once, by one later transfer.
        Index("uq_transfer_reverses", "reverses_id", unique=True),
        # One award per care visit made (敲门行动) and volunteer.
        Index("uq_transfer_visit_award", "care_visit_id", "volunteer_id", unique=True,
              sqlite_where=text("kind = 'award'"), postgresql_where=text("kind = 'award'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # award, manual, redemption, correction,
    # reversal (of the transfer `reverses_id`, with its entries negated)
    reason: Mapped[str] = mapped_column(Text)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    care_visit_id: Mapped[int | None] = mapped_column(ForeignKey("care_visit.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("transfer.id"))

    entries: Mapped[list[Entry]] = relationship(back_populates="transfer")
    reverses: Mapped[Transfer | None] = relationship(remote_side=[id])
    booking: Mapped[Booking | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class Entry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfer.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    amount: Mapped[int] = mapped_column()

    transfer: Mapped[Transfer] = relationship(back_populates="entries")
    account: Mapped[Account] = relationship()


class Reward(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # goods, service, fee_offset
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))
    cost: Mapped[int] = mapped_column()
    stock: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Where and when a volunteer collects it ("社区服务站，周二、周四 9:00–11:00").
    collect_zh: Mapped[str | None] = mapped_column(String(200))
    collect_en: Mapped[str | None] = mapped_column(String(200))

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def collect(self, locale: str) -> str | None:
        return (self.collect_zh if locale.startswith("zh") else self.collect_en) or \
            self.collect_zh or self.collect_en


class Redemption(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("reward.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RedemptionStatus.REQUESTED)
    # The cost when asked: what a request waiting for a decision holds of the balance.
    points: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfer.id"))
    note: Mapped[str | None] = mapped_column(Text)

    reward: Mapped[Reward] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __init__(self, **fields):
        if fields.get("points") is None and fields.get("reward") is not None:
            fields["points"] = fields["reward"].cost  # the price when asked
        super().__init__(**fields)


@db.event.listens_for(Entry, "before_update")
@db.event.listens_for(Entry, "before_delete")
@db.event.listens_for(Transfer, "before_update")
@db.event.listens_for(Transfer, "before_delete")
def _ledger_is_append_only(mapper, connection, target):
    raise RuntimeError("ledger entries are never edited; a correction is a new transfer")
