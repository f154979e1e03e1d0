"""Places from a spreadsheet: compound,building[,entrance] per row, UTF-8 (with or without
BOM) or GBK as Excel saves it; with a header, also the compound's partner_company and grid
(read here, applied by domain/reports/pairing.py). A preview says each bad row's problem by
line; an import is all or nothing, and importing the same file again changes nothing."""

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
# A header names the columns, in any order; without one a row is compound,building[,entrance].
# The routing columns (1+N: the compound's partner company and grid) need the header.
COLUMN_NAMES = {"compound": "compound", "小区": "compound", "building": "building",
                "楼栋": "building", "entrance": "entrance", "单元": "entrance",
                "partner_company": "partner_company", "物业": "partner_company",
                "帮建物业": "partner_company", "grid": "grid", "网格": "grid"}
PLACE_COLUMNS = ("compound", "building", "entrance")
ROUTING_COLUMNS = ("partner_company", "grid")


@dataclass(frozen=True)
class PlaceRow:
    line: int
    compound: str
    building: str
    entrance: str | None = None
    # Names of organisations of the community, or None: the cell was empty or not there.
    partner_company: str | None = None
    grid: str | None = None


@dataclass
class ImportResult:
    """What an import of a file would do (preview) or did (apply)."""

    rows: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    new_compounds: int = 0
    new_buildings: int = 0
    new_entrances: int = 0
    new_codes: int = 0
    # Filled in by the routing columns (domain/reports/pairing.py): organisations the file
    # names that do not exist yet, as (kind, name), and compounds whose routing changes.
    new_organizations: list[tuple[str, str]] = field(default_factory=list)
    routing_changes: int = 0
    # After an import: every compound the file names, by name.
    compounds: dict[str, Compound] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return (self.new_compounds + self.new_buildings + self.new_entrances
                + len(self.new_organizations) + self.routing_changes)


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM, or GBK as Excel saves it on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlaceError(_l("The file is neither UTF-8 nor GBK text. Save it as CSV UTF-8."))


def column_problem(line: int, column: str, message) -> tuple[int, str]:
    """A problem of one cell: the line, and the column by its header's name."""
    return line, str(_l("Column %(column)s: %(problem)s", column=column, problem=message))


def _header(cells: list[str]) -> tuple[str, ...] | None:
    """The columns a first row names, or None when it is no header."""
    names = tuple(COLUMN_NAMES.get(cell.lower()) for cell in cells)
    if not cells or None in names or "compound" not in names or "building" not in names:
        return None
    return names if len(set(names)) == len(names) else None


def parse_csv(text: str) -> tuple[list[PlaceRow], list[tuple[int, str]]]:
    """Rows, and each bad row's problem by line."""
    rows, problems, columns = [], [], PLACE_COLUMNS
    reader = csv.reader(io.StringIO(plain(text)))
    for line, record in enumerate(reader, start=1):
        cells = [cell.strip() for cell in record]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if line == 1 and (header := _header(cells)) is not None:
            columns = header
            continue
        if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
            problems.append((line, str(_l("More than %(n)d rows; split the file.",
                                          n=MAX_IMPORT_ROWS))))
            break
        if len(cells) > len(columns):
            problems.append((line, str(_l("Has more than three columns.")) if
                             columns == PLACE_COLUMNS else
                             str(_l("Has more columns than the header names."))))
            continue
        values = dict(zip(columns, cells, strict=False))
        compound, building = values.get("compound"), values.get("building")
        if not compound or not building:
            problems.append((line, str(_l("Needs at least a compound and a building."))))
            continue
        entrance = values.get("entrance") or None
        too_long = [kind for kind, value in (("compound", compound), ("building", building),
                                             ("entrance", entrance or ""))
                    if len(value) > max_length(NAMES[kind])]
        if too_long:
            problems.append((line, str(_l("A name is too long (at most %(n)d characters).",
                                          n=max_length(NAMES[too_long[0]])))))
            continue
        rows.append(PlaceRow(line, compound, building, entrance,
                             values.get("partner_company") or None, values.get("grid") or None))
    return rows, problems


def import_places(community: Community, text: str, *, apply: bool) -> ImportResult:
    """Preview (apply=False) or carry out (apply=True) an import. All or nothing: a file with
    any problem changes nothing. Importing the same file again changes nothing. The preview
    makes no objects at all; the import adds them to the caller's unit of work."""
    rows, problems = parse_csv(text)
    return import_rows(community, rows, problems, apply=apply)


def import_rows(community: Community, rows: list[PlaceRow], problems: list[tuple[int, str]],
                *, apply: bool) -> ImportResult:
    """import_places for rows already read (and their problems)."""
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
    new_compounds = dict.fromkeys(r.compound for r in rows if r.compound not in compounds)
    new_buildings = dict.fromkeys((r.compound, r.building) for r in rows
                                  if (r.compound, r.building) not in buildings)
    new_entrances = dict.fromkeys((r.compound, r.building, r.entrance) for r in rows
                                  if r.entrance and
                                  (r.compound, r.building, r.entrance) not in entrances)
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
    result.compounds = {r.compound: compounds[r.compound] for r in rows}
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
