"""一事一议: a major repair the households of a building, entrance or compound decide, and pay
for, themselves. Households are rooms typed or imported by staff (the app kept no room list
before); each votes once through a one-time ballot slip, or on paper at a meeting."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import User
from webapp.models.places import Building, Compound, Entrance
from webapp.models.reports import Report
from webapp.models.types import UtcDateTime, utcnow


class ConsultationStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class Outcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"


class Household(db.Model):
    """A room of a building (one household, one vote, one share of the cost), with its floor
    area in hundredths of a square metre when known (rules and shares by area need it)."""

    __table_args__ = (UniqueConstraint("building_id", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"), index=True)
    room: Mapped[str] = mapped_column(String(40))
    area_x100: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    building: Mapped[Building] = relationship()
    entrance: Mapped[Entrance | None] = relationship()


class Consultation(db.Model):
    __table_args__ = (Index("ix_consultation_place", "compound_id", "status", "building_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    # The place it belongs to: a compound, one of its buildings, or one entrance of it.
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    proposal: Mapped[str] = mapped_column(Text)  # what will be done
    reason: Mapped[str] = mapped_column(Text)  # why
    cost_cents: Mapped[int] = mapped_column()
    share_basis: Mapped[str] = mapped_column(String(12))  # "equal" or "area"
    choice_kind: Mapped[str] = mapped_column(String(12))  # "yes_no" or "plans"
    # The rule: agreeing households (or their area, or both) reach num/den of all of them —
    # "at least" it, or "more than" it when strict.
    rule_basis: Mapped[str] = mapped_column(String(12))  # "households", "area", "both"
    rule_num: Mapped[int] = mapped_column()
    rule_den: Mapped[int] = mapped_column()
    rule_strict: Mapped[bool] = mapped_column(default=False)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(12), default=ConsultationStatus.OPEN)
    outcome: Mapped[str | None] = mapped_column(String(12))
    # The option that won (its position): a plan, or "agree".
    winning_position: Mapped[int | None] = mapped_column()
    # Grows with every vote and with the decision: the scan page's cache key reads it.
    tally_version: Mapped[int] = mapped_column(default=0)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    compound: Mapped[Compound] = relationship()
    building: Mapped[Building | None] = relationship()
    entrance: Mapped[Entrance | None] = relationship()
    report: Mapped[Report | None] = relationship()
    opened_by: Mapped[User] = relationship()
    options: Mapped[list[ConsultationOption]] = relationship(
        back_populates="consultation", order_by="ConsultationOption.position")
    members: Mapped[list[ConsultationHousehold]] = relationship(
        back_populates="consultation", order_by="ConsultationHousehold.id")
    photos: Mapped[list[ConsultationPhoto]] = relationship(order_by="ConsultationPhoto.id")


class ConsultationOption(db.Model):
    """Agree / disagree / abstain, or one of the plans to choose between."""

    __table_args__ = (UniqueConstraint("consultation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(12))  # agree, disagree, abstain, plan
    label: Mapped[str | None] = mapped_column(String(100))  # a plan's words

    consultation: Mapped[Consultation] = relationship(back_populates="options")


class ConsultationHousehold(db.Model):
    """A household that has a say in a consultation: fixed when it opens, with its share of
    the cost and whether it has paid (筹措维修资金)."""

    __table_args__ = (UniqueConstraint("consultation_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    share_cents: Mapped[int] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    consultation: Mapped[Consultation] = relationship(back_populates="members")
    household: Mapped[Household] = relationship()


class BallotSlip(db.Model):
    """A one-time QR code for one household. Its link is derived from `nonce` with the app's
    secret (domain/shared/tokens.ballot_token), so the database alone yields no link and the
    same sheet can be printed again; the digest finds the slip. One slip in force per
    household: a lost one is voided and a new one issued."""

    __table_args__ = (
        Index("uq_ballot_slip_in_force", "consultation_id", "household_id", unique=True,
              sqlite_where=text("voided_at IS NULL"),
              postgresql_where=text("voided_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Set by each vote through it: the write that refuses a slip voided meanwhile.
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    consultation: Mapped[Consultation] = relationship()
    household: Mapped[Household] = relationship()


class Ballot(db.Model):
    """A household's vote: one row per household and consultation, changed in place until
    the deadline. Never shown per household in public."""

    __table_args__ = (UniqueConstraint("consultation_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    option_id: Mapped[int] = mapped_column(ForeignKey("consultation_option.id"))
    channel: Mapped[str] = mapped_column(String(12))  # "slip" or "paper"
    cast_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    option: Mapped[ConsultationOption] = relationship()


class ConsultationEvent(db.Model):
    """One line of a consultation's history (staff only). Rows are only ever inserted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_option.id"))
    note: Mapped[str | None] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship()
    actor: Mapped[User | None] = relationship()
    household: Mapped[Household | None] = relationship()
    option: Mapped[ConsultationOption | None] = relationship()


class ConsultationPhoto(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    byte_size: Mapped[int] = mapped_column()


@db.event.listens_for(ConsultationEvent, "before_update")
@db.event.listens_for(ConsultationEvent, "before_delete")
def _history_is_append_only(mapper, connection, target):
    raise RuntimeError("consultation events are append-only")
