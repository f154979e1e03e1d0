"""Editing places (compound → building → entrance) and their door codes: every building
and entrance always has one active code; a code can be replaced. Files of places:
csv_import.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.domain import DomainRefused
from webapp.domain.shared.tokens import new_qr_token
from webapp.extensions import db
from webapp.models import Building, Community, Compound, Entrance, QrCode, Report
from webapp.models.text import max_length, plain
from webapp.models.types import utcnow

NAMES = {"compound": Compound.name, "building": Building.name, "entrance": Entrance.name}


class PlaceError(DomainRefused, ValueError):
    """str() is a message for the admin."""


class PlaceInUse(PlaceError):
    """The place or code is not as the admin saw it: it has reports, or was replaced."""

    status = 409


# --- codes ----------------------------------------------------------------------------------

def ensure_code(building: Building, entrance: Entrance | None) -> QrCode | None:
    """Give the place an active code if it has none; returns the new code, or None."""
    exists = db.session.scalar(select(QrCode.id).where(
        QrCode.building_id == building.id,
        QrCode.entrance_id.is_(None) if entrance is None else QrCode.entrance_id == entrance.id,
        QrCode.revoked_at.is_(None)))
    return None if exists is not None else new_code(building, entrance)


def new_code(building: Building, entrance: Entrance | None) -> QrCode:
    code = QrCode(token=new_qr_token(), building=building, entrance=entrance)
    db.session.add(code)
    return code


def replace_code(code: QrCode) -> QrCode:
    """A vandalised, stolen or forged poster: revoke its code and issue a new one."""
    if code.revoked_at is not None:
        raise PlaceInUse(_l("This code was already replaced."))
    code.revoked_at = utcnow()
    new = QrCode(token=new_qr_token(), building=code.building, entrance=code.entrance,
                 replaces_id=code.id)
    db.session.add(new)
    return new


# --- editing one place ----------------------------------------------------------------------

def _name(kind: str, value: str) -> str:
    value = plain(value or "").strip()
    if not value:
        raise PlaceError(_l("Please give a name."))
    if len(value) > max_length(NAMES[kind]):
        raise PlaceError(_l("A name may have at most %(n)d characters.",
                            n=max_length(NAMES[kind])))
    return value


def add_compound(community: Community, name: str) -> Compound:
    name = _name("compound", name)
    if db.session.scalar(select(Compound.id).where(Compound.community_id == community.id,
                                                   Compound.name == name)):
        raise PlaceError(_l("%(name)s already exists.", name=name))
    compound = Compound(community=community, name=name)
    db.session.add(compound)
    db.session.flush()  # its id names its page
    return compound


def add_building(compound: Compound, name: str) -> Building:
    name = _name("building", name)
    if any(b.name == name for b in compound.buildings):
        raise PlaceError(_l("%(name)s already exists.", name=name))
    building = Building(compound=compound, name=name, sort_key=len(compound.buildings))
    db.session.add(building)
    new_code(building, None)
    return building


def add_entrance(building: Building, name: str) -> Entrance:
    name = _name("entrance", name)
    if any(e.name == name for e in building.entrances):
        raise PlaceError(_l("%(name)s already exists.", name=name))
    entrance = Entrance(building=building, name=name, sort_key=len(building.entrances))
    db.session.add(entrance)
    new_code(building, entrance)
    return entrance


def rename(place: Compound | Building | Entrance, name: str) -> None:
    kind = {Compound: "compound", Building: "building", Entrance: "entrance"}[type(place)]
    name = _name(kind, name)
    siblings = {Compound: lambda p: p.community.compounds,
                Building: lambda p: p.compound.buildings,
                Entrance: lambda p: p.building.entrances}[type(place)](place)
    if any(s.name == name and s is not place for s in siblings):
        raise PlaceError(_l("%(name)s already exists.", name=name))
    place.name = name


def set_coordinates(building: Building, latitude: str, longitude: str) -> None:
    """WGS84 decimal degrees of a building, or both blank to clear them. Open311 shows them
    and files a request sent with lat/long at the nearest building that has them."""
    latitude, longitude = (latitude or "").strip(), (longitude or "").strip()
    if not latitude and not longitude:
        building.latitude = building.longitude = None
        return
    try:
        lat, lng = float(latitude), float(longitude)
    except ValueError as error:
        raise PlaceError(_l("Give latitude and longitude as decimal degrees, e.g. 37.8123 "
                            "and 112.5678.")) from error
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise PlaceError(_l("Latitude is from -90 to 90 and longitude from -180 to 180."))
    building.latitude, building.longitude = round(lat, 7), round(lng, 7)


def check_removable(place: Compound | Building | Entrance) -> None:
    """A place with reports stays (refused with the reason); one without may go."""
    column = {Compound: Report.compound_id, Building: Report.building_id,
              Entrance: Report.entrance_id}[type(place)]
    if db.session.scalar(select(func.count(Report.id)).where(column == place.id)):
        raise PlaceInUse(_l("%(name)s has reports, so it cannot be removed. Rename it instead.",
                            name=place.name))


def remove(place: Compound | Building | Entrance) -> None:
    """Remove a place with no reports, and its codes; a place with reports stays."""
    check_removable(place)
    buildings = place.buildings if isinstance(place, Compound) else \
        [place] if isinstance(place, Building) else []
    entrances = [e for b in buildings for e in b.entrances] if buildings else [place]
    code_filter = QrCode.building_id.in_([b.id for b in buildings]) if buildings else \
        QrCode.entrance_id == place.id
    for code in db.session.scalars(select(QrCode).where(code_filter)):
        db.session.delete(code)
    db.session.flush()
    for entrance in entrances:
        db.session.delete(entrance)
    for building in buildings:
        db.session.delete(building)
    if isinstance(place, Compound):
        db.session.delete(place)


# --- what the admin pages show --------------------------------------------------------------

def compounds_of(community_id: int) -> list[Compound]:
    return list(db.session.scalars(select(Compound).where(
        Compound.community_id == community_id).order_by(Compound.name)))


def report_counts() -> dict[int, int]:
    """How many reports each compound has (a compound with any cannot be removed)."""
    return dict(db.session.execute(select(Report.compound_id, func.count(Report.id))
                                   .group_by(Report.compound_id)).all())


def active_codes(compound: Compound) -> dict[tuple[int, int | None], QrCode]:
    """The compound's active codes by (building id, entrance id or None)."""
    return {(c.building_id, c.entrance_id): c for c in db.session.scalars(
        select(QrCode).join(Building).where(Building.compound_id == compound.id,
                                            QrCode.revoked_at.is_(None)))}
