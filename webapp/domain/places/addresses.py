"""Which building, and entrance, of a community a text, an id or a point names.

Written as on the door's poster ("东方花苑 3幢 2单元", in any order, 1号楼 or 1栋 alike), as a
door code's token or an id (E<entrance id>, B<building id>, a bare entrance id), or as a
latitude and longitude near a building. Open311 files requests with it; the board, the export
and staff search can read addresses the same way. The matching itself is pure functions over
names (match_in, nearest); the rest reads the community's places and hands them over."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import Building, Community, Compound, Entrance, QrCode

NEAR_METRES = 150  # a point within this distance of a building's coordinates names it
ADDRESS_ID = re.compile(r"^([EeBb])?([0-9]{1,9})$")
BUILDING_SUFFIXES = ("号楼", "栋", "幢", "座", "号", "楼")
ENTRANCE_SUFFIXES = ("单元", "号门", "门洞", "门")
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)

# compound id → (compound name, building id → (building name, [(entrance id, name)]))
Places = dict[int, tuple[str, dict[int, tuple[str, list[tuple[int, str]]]]]]


@dataclass(frozen=True)
class Location:
    building: Building
    entrance_id: int | None = None
    qr: QrCode | None = None
    # Held here so that the session keeps it (its identity map holds objects weakly).
    entrance: Entrance | None = None


class CodeReplaced(DomainRefused):
    """The door code named was replaced by a new one (the old poster was taken down)."""

    def __init__(self):
        super().__init__(_l("This code was replaced; use the new code on the door."))


def address_id_of(building_id: int, entrance_id: int | None) -> str:
    """The id a place is named by in text: E<entrance id>, else B<building id>."""
    return f"E{entrance_id}" if entrance_id else f"B{building_id}"


# --- pure: names and distances -------------------------------------------------------------

def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def name_forms(name: str, suffixes) -> set[str]:
    """A name and its usual variants: 1号楼 → 1栋, 1幢, 1号 …; 2单元 → 2门, 2号门 …"""
    base = normalise(name)
    forms = {base}
    for suffix in suffixes:
        if base.endswith(suffix) and len(base) > len(suffix):
            core = base[:-len(suffix)]
            forms |= {core + other for other in suffixes}
            break
    return {f for f in forms if f}


def find_whole(text: str, form: str, taken: tuple[int, int] | None = None) -> int:
    """Where `form` occurs in `text` as a whole number (not 1 inside 11), outside `taken`."""
    start = text.find(form)
    while start >= 0:
        end = start + len(form)
        digit_before = start > 0 and form[0].isdigit() and text[start - 1].isdigit()
        digit_after = end < len(text) and form[-1].isdigit() and text[end].isdigit()
        overlaps = taken is not None and start < taken[1] and taken[0] < end
        if not (digit_before or digit_after or overlaps):
            return start
        start = text.find(form, start + 1)
    return -1


def metres_between(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(a))


def nearest(lat: float, lng: float, points) -> int | None:
    """The id of the (id, lat, lng) point nearest to lat/lng, if within NEAR_METRES."""
    best, best_distance = None, None
    for point_id, point_lat, point_lng in points:
        distance = metres_between(lat, lng, point_lat, point_lng)
        if best_distance is None or distance < best_distance:
            best, best_distance = point_id, distance
    return best if best is not None and best_distance <= NEAR_METRES else None


def match_in(address: str, community_name: str, compounds: Places
             ) -> tuple[int, int | None] | None:
    """(building id, entrance id or None) that `address` names among `compounds`; None when
    it names no place, or more than one equally well."""
    text = normalise(address)
    named = sorted((c for c in compounds.values() if normalise(c[0]) and normalise(c[0]) in text),
                   key=lambda c: -len(normalise(c[0])))
    if named:
        buildings = named[0][1]
        cut = normalise(named[0][0])
    elif len(compounds) == 1:
        # The only compound may go unnamed, but then nothing else may be in the address
        # ("人民路1号" is not building 1).
        buildings, cut = next(iter(compounds.values()))[1], normalise(community_name)
    else:
        return None
    at = text.find(cut) if cut else -1
    rest = text[:at] + "|" + text[at + len(cut):] if at >= 0 else text

    scored: dict[int, list[tuple[int, int | None, list]]] = defaultdict(list)
    for building_id, (building_name, entrances) in buildings.items():
        spans = []
        for form in name_forms(building_name, BUILDING_SUFFIXES):
            found = find_whole(rest, form)
            if found >= 0:
                spans.append((found, found + len(form)))
        if not spans:
            if len(buildings) != 1 or not named:
                continue
            spans = [(0, 0)]  # a one-building compound needs no building name
        span = max(spans, key=lambda s: s[1] - s[0])
        length = span[1] - span[0]
        scored[length * 100].append((building_id, None, [span]))
        for entrance_id, entrance_name in entrances:
            best = None
            for form in name_forms(entrance_name, ENTRANCE_SUFFIXES):
                found = find_whole(rest, form, span)
                if found >= 0 and (best is None or len(form) > best[1] - best[0]):
                    best = (found, found + len(form))
            if best:
                scored[length * 100 + best[1] - best[0]].append((building_id, entrance_id,
                                                                 [span, best]))
    if not scored:
        return None
    top = scored[max(scored)]
    if len(top) != 1:
        return None
    building_id, entrance_id, spans = top[0]
    if not named:
        left = "".join(c for i, c in enumerate(rest)
                       if not any(a <= i < b for a, b in spans))
        if left.strip("|"):
            return None
    return building_id, entrance_id


# --- reading the community's places --------------------------------------------------------

def places_of(community_id: int) -> tuple[str, Places]:
    """The community's name and its compounds → buildings → entrances, as names and ids, in
    one query."""
    compounds: Places = {}
    community_name = ""
    for (name, compound_id, compound_name, building_id, building_name, entrance_id,
         entrance_name) in db.session.execute(
            select(Community.name, Compound.id, Compound.name, Building.id, Building.name,
                   Entrance.id, Entrance.name)
            .join(Compound, Compound.community_id == Community.id)
            .join(Building, Building.compound_id == Compound.id)
            .outerjoin(Entrance, Entrance.building_id == Building.id)
            .where(Community.id == community_id)
            .order_by(Compound.id, Building.sort_key, Building.id, Entrance.sort_key)):
        community_name = name
        buildings = compounds.setdefault(compound_id, (compound_name, {}))[1]
        entrances = buildings.setdefault(building_id, (building_name, []))[1]
        if entrance_id is not None:
            entrances.append((entrance_id, entrance_name))
    return community_name, compounds


def match_address(address: str, community_id: int) -> Location | None:
    """The building (and entrance) an address names, written as on the door's poster."""
    found = match_in(address, *places_of(community_id))
    return _location(*found) if found else None


def by_address_id(value: str, community_id: int) -> Location | None:
    """The place a door code's token, E<entrance id>, B<building id> or a bare entrance id
    names in this community; None if none. A replaced code is refused (CodeReplaced)."""
    qr = db.session.scalar(select(QrCode).where(QrCode.token == value))
    if qr is not None and _in_community(qr.building, community_id):
        if qr.revoked_at is not None:
            raise CodeReplaced()
        return Location(_building(qr.building_id), qr.entrance_id, qr)
    match = ADDRESS_ID.match(value)
    if match:
        kind, number = (match.group(1) or "E").upper(), int(match.group(2))
        if kind == "E":
            entrance = db.session.get(Entrance, number)
            if entrance is not None and _in_community(entrance.building, community_id):
                return _location(entrance.building_id, entrance.id)
        else:
            building = db.session.get(Building, number)
            if _in_community(building, community_id):
                return Location(building)
    return None


def near(lat: float, lng: float, community_id: int) -> Location | None:
    """The community's building nearest to lat/lng, if one is within NEAR_METRES."""
    points = db.session.execute(
        select(Building.id, Building.latitude, Building.longitude).join(Compound)
        .where(Compound.community_id == community_id, Building.latitude.is_not(None),
               Building.longitude.is_not(None))).all()
    found = nearest(lat, lng, points)
    return Location(_building(found)) if found is not None else None


def _in_community(building: Building | None, community_id: int) -> bool:
    return building is not None and building.compound.community_id == community_id


def _building(building_id: int) -> Building:
    """A building with its compound and community, which filing a report reads."""
    return db.session.get(Building, building_id,
                          options=[joinedload(Building.compound).joinedload(Compound.community)])


def _location(building_id: int, entrance_id: int | None) -> Location:
    """The place with everything filing a report reads of it, in one query."""
    if entrance_id is None:
        return Location(_building(building_id))
    entrance = db.session.get(Entrance, entrance_id, options=[
        joinedload(Entrance.building).joinedload(Building.compound)
        .joinedload(Compound.community)])
    return Location(entrance.building, entrance.id, entrance=entrance)
