"""Loading and editing places (compound → building → entrance) and their door codes:
every building and entrance always has one active code; a code can be replaced."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.domain import DomainRefused
from webapp.domain.shared.tokens import new_qr_token
from webapp.extensions import db
from webapp.models import Building, Community, Compound, Entrance, QrCode, Report
from webapp.models.text import max_length, plain
from webapp.models.types import utcnow

NAMES = {"compound": Compound.name, "building": Building.name, "entrance": Entrance.name}
MAX_IMPORT_ROWS = 20_000
HEADERS = {("compound", "building", "entrance"), ("compound", "building"),
           ("小区", "楼栋", "单元"), ("小区", "楼栋")}


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


# --- CSV import -----------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What an import of a file would do (preview) or did (apply)."""

    rows: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    new_compounds: int = 0
    new_buildings: int = 0
    new_entrances: int = 0
    new_codes: int = 0

    @property
    def changes(self) -> int:
        return self.new_compounds + self.new_buildings + self.new_entrances


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM, or GBK as Excel saves it on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlaceError(_l("The file is neither UTF-8 nor GBK text. Save it as CSV UTF-8."))


def parse_csv(text: str) -> tuple[list[tuple[int, str, str, str | None]], list[tuple[int, str]]]:
    """Rows as (line, compound, building, entrance or None), and each bad row's problem."""
    rows, problems = [], []
    reader = csv.reader(io.StringIO(plain(text)))
    for line, record in enumerate(reader, start=1):
        cells = [cell.strip() for cell in record]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if line == 1 and tuple(c.lower() for c in cells) in HEADERS:
            continue
        if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
            problems.append((line, str(_l("More than %(n)d rows; split the file.",
                                          n=MAX_IMPORT_ROWS))))
            break
        if len(cells) < 2 or not cells[0] or not cells[1]:
            problems.append((line, str(_l("Needs at least a compound and a building."))))
            continue
        if len(cells) > 3:
            problems.append((line, str(_l("Has more than three columns."))))
            continue
        compound, building = cells[0], cells[1]
        entrance = cells[2] if len(cells) == 3 and cells[2] else None
        too_long = [kind for kind, value in (("compound", compound), ("building", building),
                                             ("entrance", entrance or ""))
                    if len(value) > max_length(NAMES[kind])]
        if too_long:
            problems.append((line, str(_l("A name is too long (at most %(n)d characters).",
                                          n=max_length(NAMES[too_long[0]])))))
            continue
        rows.append((line, compound, building, entrance))
    return rows, problems


def import_places(community: Community, text: str, *, apply: bool) -> ImportResult:
    """Preview (apply=False) or carry out (apply=True) an import. All or nothing: a file with
    any problem changes nothing. Importing the same file again changes nothing. The preview
    makes no objects at all; the import adds them to the caller's unit of work."""
    rows, problems = parse_csv(text)
    result = ImportResult(rows=len(rows), problems=problems)
    if not rows and not problems:
        result.problems.append((0, str(_l("The file has no rows."))))
    if result.problems and apply:
        return result

    compounds = {c.name: c for c in compounds_of(community.id)}
    buildings = {(b.compound.name, b.name): b for b in db.session.scalars(
        select(Building).join(Compound).where(Compound.community_id == community.id))}
    entrances = {(e.building.compound.name, e.building.name, e.name) for e in db.session.scalars(
        select(Entrance).join(Building).join(Compound)
        .where(Compound.community_id == community.id))}
    # What is new, by name, in the file's order (a dict keeps it and drops repeats).
    new_compounds = dict.fromkeys(c for _line, c, _b, _e in rows if c not in compounds)
    new_buildings = dict.fromkeys((c, b) for _line, c, b, _e in rows
                                  if (c, b) not in buildings)
    new_entrances = dict.fromkeys((c, b, e) for _line, c, b, e in rows
                                  if e and (c, b, e) not in entrances)
    result.new_compounds = len(new_compounds)
    result.new_buildings = len(new_buildings)
    result.new_entrances = len(new_entrances)
    if not apply:
        return result
    for name in new_compounds:
        compounds[name] = Compound(community=community, name=name)
    for compound_name, name in new_buildings:
        buildings[compound_name, name] = building = Building(
            compound=compounds[compound_name], name=name, sort_key=_natural_key(name))
        new_code(building, None)
    for compound_name, building_name, name in new_entrances:
        building = buildings[compound_name, building_name]
        new_code(building, Entrance(building=building, name=name, sort_key=_natural_key(name)))
    result.new_codes = len(new_buildings) + len(new_entrances)
    return result


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


def _natural_key(name: str) -> int:
    """'12号楼' sorts after '2号楼': the leading number, when there is one."""
    digits = ""
    for char in name:
        if char.isdigit():
            digits += char
        elif digits:
            break
    return int(digits) if digits and len(digits) < 9 else 0
