"""The households of a building: its rooms, typed or pasted by staff from the property's list
(the app kept no room list before). One line a room: `room[, area m²[, entrance]]`, commas
(either width) or tabs between. Typing a room again updates its area and entrance. All lines
are stored, or none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import Building, ConsultationHousehold, Household
from webapp.models.text import max_length, plain

MAX_ROOMS = 2000  # one paste; a building has a few hundred at most
MAX_AREA = Decimal(10_000)
_SEPARATORS = re.compile(r"[,，\t]")


@dataclass(frozen=True)
class RoomLine:
    room: str
    area_x100: int | None
    entrance_id: int | None


class RoomsRefused(DomainRefused):
    pass


class Problems:
    """Several lazy messages, joined in the language of whoever reads them."""

    def __init__(self, messages):
        self.messages = list(messages)

    def __str__(self) -> str:
        return " ".join(str(m) for m in self.messages)


def parse_rooms(text: str, building: Building) -> list[RoomLine]:
    """The typed list, each problem named by its line; refused whole if any line is wrong."""
    entrances = {e.name: e.id for e in building.entrances}
    limit = max_length(Household.room)
    lines, problems, seen = [], [], set()
    for number, raw in enumerate(plain(text or "").splitlines(), start=1):
        parts = [p.strip() for p in _SEPARATORS.split(raw)]
        if not any(parts):
            continue
        room, area, entrance = (parts + ["", ""])[:3] if len(parts) <= 3 else ("", "", "")
        if len(parts) > 3 or not room:
            problems.append(_l("Line %(n)d: write the room, then its area and its entrance "
                               "if you like, e.g. “301, 89.5, 1单元”.", n=number))
            continue
        if len(room) > limit:
            problems.append(_l("Line %(n)d: a room is at most %(max)d characters.", n=number,
                               max=limit))
            continue
        if room in seen:
            problems.append(_l("Line %(n)d: room %(room)s is listed twice.", n=number,
                               room=room))
            continue
        area_x100 = _area(area)
        if area and area_x100 is None:
            problems.append(_l("Line %(n)d: the area is square metres, a number above 0 and "
                               "up to 10000 with at most two decimals.", n=number))
            continue
        if entrance and entrance not in entrances:
            problems.append(_l("Line %(n)d: this building has no entrance “%(entrance)s”.",
                               n=number, entrance=entrance))
            continue
        seen.add(room)
        lines.append(RoomLine(room, area_x100, entrances.get(entrance)))
    if problems:
        raise RoomsRefused(Problems(problems[:10]), field="rooms")
    if not lines:
        raise RoomsRefused(_l("Type at least one room, one a line."), field="rooms")
    if len(lines) > MAX_ROOMS:
        raise RoomsRefused(_l("At most %(n)d rooms at a time, please.", n=MAX_ROOMS),
                           field="rooms")
    return lines


def _area(text: str) -> int | None:
    text = text.removesuffix("m²").removesuffix("㎡").removesuffix("平方米").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 < value <= MAX_AREA or value != round(value, 2):
        return None
    return int(value * 100)


def save_rooms(building: Building, text: str) -> tuple[int, int]:
    """Add the typed rooms to the building, update those it has: (added, updated)."""
    lines = parse_rooms(text, building)
    known = {h.room: h for h in rooms_of(building.id)}
    added = updated = 0
    for line in lines:
        household = known.get(line.room)
        if household is None:
            db.session.add(Household(building_id=building.id, room=line.room,
                                     area_x100=line.area_x100, entrance_id=line.entrance_id))
            added += 1
        elif (household.area_x100, household.entrance_id) != (line.area_x100, line.entrance_id):
            household.area_x100, household.entrance_id = line.area_x100, line.entrance_id
            updated += 1
    db.session.flush()
    return added, updated


def rooms_of(building_id: int, entrance_id: int | None = None) -> list[Household]:
    query = select(Household).where(Household.building_id == building_id)
    if entrance_id is not None:
        query = query.where(Household.entrance_id == entrance_id)
    return sorted(db.session.scalars(query), key=lambda h: room_order(h.room))


def room_order(room: str) -> tuple:
    """"2-301" before "10-101": numbers compared as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|\D+", room))


def remove_room(household: Household) -> None:
    if db.session.scalar(select(exists().where(
            ConsultationHousehold.household_id == household.id))):
        raise RoomsRefused(_l("Room %(room)s has had a say in a consultation: it stays on "
                              "the list.", room=household.room))
    db.session.delete(household)
    db.session.flush()
