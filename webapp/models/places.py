"""Where reports come from: community → compound → building → entrance, and door QR codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.types import UtcDateTime, utcnow


class District(db.Model):
    """A district (区), e.g. 小店区: its street offices (街道) and their communities."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    streets: Mapped[list[Street]] = relationship(back_populates="district",
                                                 order_by="Street.name")


class Street(db.Model):
    """A street office (街道办事处): the communities it oversees."""

    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))

    district: Mapped[District] = relationship(back_populates="streets")
    communities: Mapped[list[Community]] = relationship(back_populates="street",
                                                        order_by="Community.name")


class Community(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The street office over it; None for a community on its own (one laptop, no district).
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), index=True)
    hotline: Mapped[str | None] = mapped_column(String(40))
    hotline_24h: Mapped[str | None] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(50), default="Asia/Shanghai")
    # A volunteer may leave a shift online until this many hours before it starts.
    shift_leave_cutoff_hours: Mapped[int] = mapped_column(default=24, server_default="24")

    street: Mapped[Street | None] = relationship(back_populates="communities")
    compounds: Mapped[list[Compound]] = relationship(
        back_populates="community", order_by="Compound.name"
    )


class Compound(db.Model):
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # "1+N": the property company that looks after this compound, and the grid it lies in.
    partner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    grid_org_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))

    community: Mapped[Community] = relationship(back_populates="compounds")
    # By name: people.py sits above this module (an organization belongs to a community), so
    # this one never imports it; SQLAlchemy finds the class in its registry.
    partner_org: Mapped[Organization | None] = relationship(  # noqa: F821
        "Organization", foreign_keys=[partner_org_id])
    grid_org: Mapped[Organization | None] = relationship(  # noqa: F821
        "Organization", foreign_keys=[grid_org_id])
    buildings: Mapped[list[Building]] = relationship(
        back_populates="compound", order_by="Building.sort_key"
    )


class Building(db.Model):
    __table_args__ = (UniqueConstraint("compound_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    sort_key: Mapped[int] = mapped_column(default=0)
    # WGS84 coordinates, where known: Open311 reports them and locates lat/long with them.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    compound: Mapped[Compound] = relationship(back_populates="buildings")
    entrances: Mapped[list[Entrance]] = relationship(
        back_populates="building", order_by="Entrance.sort_key"
    )


class Entrance(db.Model):
    __table_args__ = (UniqueConstraint("building_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    sort_key: Mapped[int] = mapped_column(default=0)

    building: Mapped[Building] = relationship(back_populates="entrances")


class QrCode(db.Model):
    """A short token printed on a poster, bound to a building or to one of its entrances."""

    __table_args__ = (
        CheckConstraint(
            "entrance_id IS NULL OR building_id IS NOT NULL", name="entrance_needs_building"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    entrance_id: Mapped[int | None] = mapped_column(ForeignKey("entrance.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set on a code issued to replace a vandalised or forged poster's code.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("qr_code.id"))
    # When a poster or label of it was last downloaded (the setup checklist's "printed").
    printed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    building: Mapped[Building] = relationship()
    entrance: Mapped[Entrance | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
