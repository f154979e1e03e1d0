"""Reports (点单), their photos and their append-only timeline."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, exists, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import Organization, User
from webapp.models.places import Building, Community, Compound, Entrance, QrCode
from webapp.models.types import UtcDateTime, utcnow


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    CLOSED = "closed"
    ESCALATED = "escalated"
    NEEDS_CONSULTATION = "needs_consultation"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    REOPENED = "reopened"


OPEN_STATUSES = (
    ReportStatus.SUBMITTED, ReportStatus.ASSIGNED, ReportStatus.ACCEPTED, ReportStatus.ON_SITE,
    ReportStatus.ESCALATED, ReportStatus.NEEDS_CONSULTATION, ReportStatus.REOPENED,
)
# Done with: nobody works on it and the resident cannot add to it. Between the two, RESOLVED
# waits for the resident's rating (or the automatic close).
FINISHED_STATUSES = (ReportStatus.CLOSED, ReportStatus.REJECTED, ReportStatus.DUPLICATE)


class ReportChannel(StrEnum):
    """How a report came in: a resident at the door's code, another system through Open311,
    or staff filing what a resident told them (多元点单)."""

    QR = "qr"
    OPEN311 = "open311"
    PHONE = "phone"        # 电话
    VISIT = "visit"        # 入户走访
    PATROL = "patrol"      # 网格巡查
    MEETING = "meeting"    # 居民议事会


# The channels of a report that a staff member files for a resident.
STAFF_CHANNELS = (ReportChannel.PHONE, ReportChannel.VISIT, ReportChannel.PATROL,
                  ReportChannel.MEETING)


class Milestone(StrEnum):
    ACCEPT = "accept"    # someone accepts the job (接单), counted from the report
    ARRIVE = "arrive"    # on site, counted from accepting
    RESOLVE = "resolve"  # fixed, counted from arriving (routine jobs)
    PLAN = "plan"        # a plan for a major job, counted from accepting
    RESPOND = "respond"  # a department reports back (报到), counted from the escalation (吹哨)


class Routing(StrEnum):
    PARTNER = "partner"  # the compound's property company
    GRID = "grid"        # the compound's grid worker
    OFFICE = "office"    # the community office


class Category(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # None: shared by every community (a community may retire it for itself through its
    # CategorySetting); else that community's own, which no other community sees.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))
    icon: Mapped[str] = mapped_column(String(16))
    is_major: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    routing: Mapped[str] = mapped_column(String(20), default=Routing.PARTNER)
    # Never public (neighbour disputes, anything naming a third party): the board and Open311
    # count its reports but show none of their words or photos.
    is_private: Mapped[bool] = mapped_column(default=False)
    # Last change to the category or its questions: the Open311 discovery changeset.
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=utcnow,
                                                        onupdate=utcnow)

    sla_targets: Mapped[list[SlaTarget]] = relationship(back_populates="category")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class SlaTarget(db.Model):
    """How many minutes a milestone may take for a category (its SLA policy): a shared
    default (no community), or one community's own target, which counts there only."""

    __table_args__ = (
        Index("uq_sla_target_shared", "category_id", "milestone", unique=True,
              sqlite_where=text("community_id IS NULL"),
              postgresql_where=text("community_id IS NULL")),
        Index("uq_sla_target_community", "community_id", "category_id", "milestone",
              unique=True, sqlite_where=text("community_id IS NOT NULL"),
              postgresql_where=text("community_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    milestone: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column()

    category: Mapped[Category] = relationship(back_populates="sla_targets")


class CategorySetting(db.Model):
    """One community's own routing and privacy for a shared category (None: the category's
    default)."""

    __table_args__ = (UniqueConstraint("community_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    routing: Mapped[str | None] = mapped_column(String(20))
    is_private: Mapped[bool | None] = mapped_column(default=None)
    # The community's Open311 discovery changeset, as Category.updated_at is the installation's.
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=utcnow,
                                                        onupdate=utcnow)
    # Urgent and care-card reports get this share of every target, in percent (None: the
    # default of domain/reports/sla.py).
    urgent_percent: Mapped[int | None] = mapped_column()
    # The community no longer offers this shared category for new reports (old ones keep it).
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WorkingDayOverride(db.Model):
    """A community's own word on one day, over China's holidays and make-up working days:
    worked (a campaign weekend) or not (a local holiday)."""

    __table_args__ = (UniqueConstraint("community_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(100))


class CannedReply(db.Model):
    """A ready-made public reply: shared (no community) or one community's own."""

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    text: Mapped[str] = mapped_column(Text)


class Report(db.Model):
    __table_args__ = (
        # The queue's order (urgent and care-card first, then SLA urgency), walked in order so
        # a page reads 25 rows, not all.
        Index("ix_report_queue_order", "community_id", text("goes_first DESC"),
              text("(next_due_at IS NULL)"), "next_due_at", text("priority DESC"),
              text("id DESC")),
        # A tab's filter: its status, and (unassigned) no organisation yet. With the
        # organisation in it, SQLite no longer takes "assigned_org_id IS NULL" to the
        # organisation's own index, which holds every unassigned report of the district.
        Index("ix_report_community_status", "community_id", "status", "assigned_org_id"),
        Index("ix_report_community_due", "community_id", "next_due_at"),
        # The board's two scans of a month, answered from the index alone.
        Index("ix_report_board_created", "community_id", "created_at", "hidden_from_board",
              "compound_id"),
        Index("ix_report_board_resolved", "community_id", "resolved_at", "hidden_from_board",
              "compound_id", "assigned_org_id", "created_at", "rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Bumped by every change; a form that carries an older version is refused.
    version: Mapped[int] = mapped_column(default=1)
    # Set right after the insert, from the creation date and the id: "20261122-0042".
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    # SHA-256 digests (domain/shared/tokens.py): the link and the key themselves are never stored.
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submission_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default=ReportChannel.QR)

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"), index=True)
    qr_code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_code.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)

    description: Mapped[str] = mapped_column(Text)
    floor_room: Mapped[str | None] = mapped_column(String(40))
    contact_name: Mapped[str | None] = mapped_column(String(40))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    care_card: Mapped[bool] = mapped_column(default=False)
    # The resident asked to be texted about it: the tracking link now, the outcome later. The
    # link is kept sealed (shared/tokens.seal) for the later texts; links are otherwise hashed.
    sms_updates: Mapped[bool] = mapped_column(default=False)
    sealed_link: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="zh")  # of the messages sent

    status: Mapped[str] = mapped_column(String(24), default=ReportStatus.SUBMITTED, index=True)
    priority: Mapped[int] = mapped_column(default=0)  # 0 normal, 1 high, 2 urgent
    # Urgent or care card: sorts first and gets shorter targets. Kept from the two above by
    # the listener at the end of this module, so the queue's index can walk it.
    goes_first: Mapped[bool] = mapped_column(default=False)
    assigned_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    # Who had the report when it was passed to a department (吹哨): it goes back to them when
    # the department reports back (报到).
    escalated_from_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    escalated_from_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # A major job's plan, as its handler last submitted it (the timeline keeps each one).
    plan_note: Mapped[str | None] = mapped_column(Text)
    plan_done_by: Mapped[date | None] = mapped_column(Date)
    hidden_from_board: Mapped[bool] = mapped_column(default=False)
    # Staff published the photos: Open311 then gives a public URL of the first one.
    photos_public: Mapped[bool] = mapped_column(default=False)
    # Earliest due time of the open milestones: the queue sorts on it.
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    callback_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rating: Mapped[int | None] = mapped_column()
    rating_comment: Mapped[str | None] = mapped_column(Text)
    # When `flask privacy purge` removed the resident's name, phone and room
    # (domain/reports/purge.py).
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    community: Mapped[Community] = relationship()
    compound: Mapped[Compound] = relationship()
    building: Mapped[Building] = relationship()
    entrance: Mapped[Entrance | None] = relationship()
    qr_code: Mapped[QrCode | None] = relationship()
    category: Mapped[Category] = relationship()
    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="report", order_by="ReportPhoto.id"
    )
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id"
    )
    milestones: Mapped[list[ReportMilestone]] = relationship(
        back_populates="report", order_by="ReportMilestone.id"
    )
    assigned_org: Mapped[Organization | None] = relationship(foreign_keys=[assigned_org_id])
    assigned_user: Mapped[User | None] = relationship(foreign_keys=[assigned_user_id])
    escalated_from_org: Mapped[Organization | None] = relationship(
        foreign_keys=[escalated_from_org_id])
    escalated_from_user: Mapped[User | None] = relationship(
        foreign_keys=[escalated_from_user_id])
    duplicate_of: Mapped[Report | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": version}

    def urgent_or_care(self) -> bool:
        """Urgent, or a care-card (爱心联系卡) resident's: sorts first, shorter targets."""
        return (self.priority or 0) >= 2 or bool(self.care_card)


class ReportMilestone(db.Model):
    """One SLA clock of a report. `cycle` starts at 1 and grows when a report is reopened.
    While `paused_at` is set the clock stands still (the report waits on residents or on a
    department); resuming moves `due_at` on by the time it stood."""

    __table_args__ = (
        # One running clock of a kind per cycle; a cancelled or met one may be started again
        # (a second escalation).
        Index("uq_report_milestone_open", "report_id", "cycle", "name", unique=True,
              sqlite_where=text("met_at IS NULL AND cancelled_at IS NULL"),
              postgresql_where=text("met_at IS NULL AND cancelled_at IS NULL")),
        Index("ix_report_milestone_late", "report_id", "breached_at", "cancelled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    cycle: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    met_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The target it started with; day-scale ones count working days of the community's calendar.
    target_minutes: Mapped[int | None] = mapped_column()
    working_days: Mapped[bool] = mapped_column(default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pause_reason: Mapped[str | None] = mapped_column(String(20))

    report: Mapped[Report] = relationship(back_populates="milestones")


class ReportPhoto(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("report_event.id"))
    # Random file name under the instance folder; never part of a public URL.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    byte_size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="photos")
    event: Mapped[ReportEvent | None] = relationship(back_populates="photos")


# A staff event's label, "display name · organisation": sized for the longest of both, so
# that every valid account can act.
ACTOR_SEPARATOR = " · "
ACTOR_LABEL_LENGTH = (User.__table__.c.display_name.type.length + len(ACTOR_SEPARATOR)
                      + Organization.__table__.c.name.type.length)


class ReportEvent(db.Model):
    """One line of a report's history. Rows are only ever inserted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))  # resident, staff, system
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_label: Mapped[str | None] = mapped_column(String(ACTOR_LABEL_LENGTH))
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=True)

    report: Mapped[Report] = relationship(back_populates="events")
    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="event", order_by="ReportPhoto.id"
    )


# The timeline events of a report reopened (by the resident, or after a call-back).
REOPEN_KINDS = ("reopened", "reopened_after_callback")


def missed_clock():
    """In SQL, a clock of the report was missed and not called off (sla.was_on_time's
    opposite): the board, its trend and the rollup count a report late by it."""
    return exists().where(ReportMilestone.report_id == Report.id,
                          ReportMilestone.breached_at.is_not(None),
                          ReportMilestone.cancelled_at.is_(None))


@db.event.listens_for(Report, "before_insert")
@db.event.listens_for(Report, "before_update")
def _urgent_goes_first(mapper, connection, target):
    target.goes_first = target.urgent_or_care()


@db.event.listens_for(ReportEvent, "before_update")
@db.event.listens_for(ReportEvent, "before_delete")
def _timeline_is_append_only(mapper, connection, target):
    raise RuntimeError("report events are append-only")
