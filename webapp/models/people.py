"""Organisations (community office, property companies, grids, departments) and staff accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.places import Community, District, Street
from webapp.models.types import UtcDateTime, utcnow


class OrgKind(StrEnum):
    OFFICE = "office"          # 社区 office
    PROPERTY = "property"      # 物业企业
    GRID = "grid"              # 网格
    DEPARTMENT = "department"  # 派出所, 城管… reached by escalation (吹哨)


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    VOLUNTEER = "volunteer"
    # A street office's (街道) or district's (区) official: reads figures across its
    # communities, belongs to none of them and changes nothing (domain/district/).
    OVERSEER = "overseer"


# The roles of a community's own staff and volunteers: what its admins may give.
COMMUNITY_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.HANDLER, Role.VOLUNTEER)


class Company(db.Model):
    """A property company (物业企业) as the district knows it: one company serves compounds in
    many communities, each of which has its own Organization row for it (company_id), so
    the district can evaluate it across them (物业服务考核评价)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # 统一社会信用代码, where known: two companies may trade under similar names.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)


class Organization(db.Model):
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    # The number residents and staff call it on (the duty phone of a company or grid).
    phone: Mapped[str | None] = mapped_column(String(30))
    # A property company's identity across communities (None: not known to the district).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    # The group robot its jobs are posted to (domain/people/robots.py): "wecom" or
    # "dingtalk", its webhook, and DingTalk's signing secret when the robot signs.
    robot_kind: Mapped[str | None] = mapped_column(String(10))
    robot_webhook: Mapped[str | None] = mapped_column(String(300))
    robot_secret: Mapped[str | None] = mapped_column(String(120))

    community: Mapped[Community] = relationship()
    company: Mapped[Company | None] = relationship()
    users: Mapped[list[User]] = relationship(back_populates="organization",
                                             order_by="User.display_name")


class User(UserMixin, db.Model):
    # Community staff belong to an organisation; an overseer to a street or a district, one.
    __table_args__ = (
        CheckConstraint("(role = 'overseer') = (organization_id IS NULL)",
                        name="overseer_has_no_organization"),
        CheckConstraint("role <> 'overseer' OR (street_id IS NULL) <> (district_id IS NULL)",
                        name="overseer_has_one_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"),
                                                        index=True)
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    phone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    # The private iCalendar feed of a volunteer's shifts, /volunteer/feed/<token>.ics: the
    # SHA-256 digest of the token (domain/shared/tokens.py), never the token itself.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    organization: Mapped[Organization | None] = relationship(back_populates="users")
    street: Mapped[Street | None] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot log in
        return self.active


class LoginAttempt(db.Model):
    """Failed logins, counted per username and address to slow down guessing, and kept a
    while for the admins' audit page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # Refused by the throttle without checking the password; recorded for the audit only.
    throttled: Mapped[bool] = mapped_column(default=False)
    # Set when an admin cleared the username's throttle, or its owner logged in from here:
    # the attempt no longer slows anyone down.
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
