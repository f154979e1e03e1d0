"""The place a staff member picks for a report they file for a resident: compound, building,
entrance, one step at a time, each inside the one before and inside their community."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Building, Compound, Entrance, QrCode

WHOLE_BUILDING = 0  # the entrance step's answer "no particular entrance"


@dataclass(frozen=True)
class PlacePick:
    compounds: list[Compound]
    compound: Compound | None = None
    building: Building | None = None
    entrance: Entrance | None = None
    # The entrance step was answered: an entrance, or the whole building.
    entrance_chosen: bool = False
    buildings: list[Building] = field(default_factory=list)
    entrances: list[Entrance] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """A report can be filed here: a building, and its entrance when it has any."""
        return self.building is not None and (self.entrance_chosen or not self.entrances)

    @property
    def entrance_id(self) -> int | None:
        return self.entrance.id if self.entrance is not None else None

    def args(self) -> dict:
        """The query arguments that pick this place again."""
        entrance = self.entrance_id if self.entrance is not None else \
            (WHOLE_BUILDING if self.entrance_chosen else None)
        values = {"compound": self.compound.id if self.compound else None,
                  "building": self.building.id if self.building else None,
                  "entrance": entrance}
        return {k: v for k, v in values.items() if v is not None}


def pick(community_id: int, compound_id: int | None, building_id: int | None,
         entrance_id: int | None) -> PlacePick:
    """What is picked so far. An id that is not inside the step before (another community's
    compound, a building of another compound) counts as not picked, and so do the steps
    after it."""
    compounds = list(db.session.scalars(select(Compound).where(
        Compound.community_id == community_id).order_by(Compound.name)))
    compound = next((c for c in compounds if c.id == compound_id), None)
    if compound is None:
        return PlacePick(compounds)
    buildings = list(compound.buildings)
    building = next((b for b in buildings if b.id == building_id), None)
    if building is None:
        return PlacePick(compounds, compound, buildings=buildings)
    entrances = list(building.entrances)
    entrance = next((e for e in entrances if e.id == entrance_id), None)
    chosen = entrance is not None or entrance_id == WHOLE_BUILDING
    return PlacePick(compounds, compound, building, entrance, chosen, buildings, entrances)


def pick_by_code(community_id: int, token: str) -> tuple[PlacePick, QrCode] | None:
    """The place of a door code scanned by staff, if the code is active and in their
    community."""
    code = db.session.scalar(select(QrCode).where(QrCode.token == token,
                                                  QrCode.revoked_at.is_(None)))
    if code is None or code.building.compound.community_id != community_id:
        return None
    picked = pick(community_id, code.building.compound_id, code.building_id,
                  code.entrance_id if code.entrance_id is not None else WHOLE_BUILDING)
    return picked, code
