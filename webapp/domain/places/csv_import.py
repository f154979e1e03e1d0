"""Places from a spreadsheet: compound,building[,entrance] per row, UTF-8 (with or without
BOM) or GBK as Excel saves it. A preview says each bad row's problem by line; an import is all
or nothing, and importing the same file again changes nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain.places.editing import NAMES, PlaceError, compounds_of, new_code
from webapp.extensions import db
from webapp.models import Building, Community, Compound, Entrance
from webapp.models.text import max_length, plain

MAX_IMPORT_ROWS = 20_000
HEADERS = {("compound", "building", "entrance"), ("compound", "building"),
           ("小区", "楼栋", "单元"), ("小区", "楼栋")}


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
            compound=compounds[compound_name], name=name, sort_key=natural_key(name))
        new_code(building, None)
    for compound_name, building_name, name in new_entrances:
        building = buildings[compound_name, building_name]
        new_code(building, Entrance(building=building, name=name, sort_key=natural_key(name)))
    result.new_codes = len(new_buildings) + len(new_entrances)
    return result


def natural_key(name: str) -> int:
    """'12号楼' sorts after '2号楼': the leading number, when there is one."""
    digits = ""
    for char in name:
        if char.isdigit():
            digits += char
        elif digits:
            break
    return int(digits) if digits and len(digits) < 9 else 0
