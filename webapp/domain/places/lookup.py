"""Finding the place behind a scanned code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Building, Community, Compound, Entrance, QrCode


@dataclass(frozen=True)
class ScanPlace:
    """Everything the scan page shows, read in one query. Hashable, so that it can key a
    rendered-page cache: when the place changes, so does the key."""

    token: str
    revoked: bool
    community_name: str
    hotline: str | None
    hotline_24h: str | None
    compound_name: str
    building_name: str
    entrance_name: str | None
    building_id: int  # the scan page lists this phone's items of this building first
    compound_id: int  # its board: 看看本小区的办理情况


def _scan_place_query():
    return (
        select(
            QrCode.token,
            QrCode.revoked_at.is_not(None),
            Community.name,
            Community.hotline,
            Community.hotline_24h,
            Compound.name,
            Building.name,
            Entrance.name,
            QrCode.building_id,
            Building.compound_id,
        )
        .join(Building, QrCode.building_id == Building.id)
        .join(Compound, Building.compound_id == Compound.id)
        .join(Community, Compound.community_id == Community.id)
        .outerjoin(Entrance, QrCode.entrance_id == Entrance.id)
        .where(QrCode.token == bindparam("token"))
    )


_scan_place_statement = None


def find_scan_place(token: str) -> ScanPlace | None:
    # The hottest read of the app: the statement is built once (constructing it costs more
    # than running it) and runs on a plain connection, without an ORM session.
    global _scan_place_statement
    if _scan_place_statement is None:
        _scan_place_statement = _scan_place_query()
    with db.engine.connect() as connection:
        row = connection.execute(_scan_place_statement, {"token": token}).first()
    return ScanPlace(*row) if row else None


def active_code(token: str) -> QrCode | None:
    """The code with its place (entrance, building, compound, community) in one query: every
    page of a door reads them, and lazily that was a query each."""
    return db.session.scalar(
        select(QrCode).options(
            joinedload(QrCode.entrance),
            joinedload(QrCode.building).joinedload(Building.compound)
            .joinedload(Compound.community))
        .where(QrCode.token == token, QrCode.revoked_at.is_(None))
    )


def sole_community() -> Community | None:
    """The community whose hotline a lost visitor should see, when there is only one."""
    communities = db.session.scalars(select(Community).limit(2)).all()
    return communities[0] if len(communities) == 1 else None


def compounds_of(community_id: int) -> list[Compound]:
    return list(db.session.scalars(select(Compound).where(
        Compound.community_id == community_id).order_by(Compound.name)))


def communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.id)))


def compound_by_id(compound_id: int) -> Compound | None:
    return db.session.get(Compound, compound_id)


def compounds_named(name: str) -> list[Compound]:
    return list(db.session.scalars(select(Compound).where(Compound.name == name)))


def active_codes() -> list[tuple[str, str, str, str | None]]:
    """(token, compound, building, entrance) of every active code, in place order."""
    return list(db.session.execute(
        select(QrCode.token, Compound.name, Building.name, Entrance.name)
        .join(Building, QrCode.building_id == Building.id)
        .join(Compound, Building.compound_id == Compound.id)
        .join(Community, Compound.community_id == Community.id)
        .outerjoin(Entrance, QrCode.entrance_id == Entrance.id)
        .where(QrCode.revoked_at.is_(None))
        .order_by(Community.id, Compound.id, Building.sort_key, Building.id,
                  Entrance.sort_key.nulls_first(), Entrance.id.nulls_first())))
