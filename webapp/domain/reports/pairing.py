"""1+N: each compound's partner property company (帮建/协建) and its grid, set for many
compounds at once on the routing page, from the routing table's CSV, or by the place CSV's
optional columns partner_company and grid. A name nobody has yet creates the organisation
(a property company, a grid team), so a newly imported compound routes with no code."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain.people import organizations
from webapp.domain.places import csv_import
from webapp.domain.places.csv_import import ImportResult, column_problem
from webapp.domain.reports.routing import RoutingRefused, usable
from webapp.extensions import db
from webapp.models import Community, Compound, Organization, OrgKind
from webapp.models.text import max_length, plain

# Each routing column, the compound's attribute it sets and the kind of organisation it names.
COLUMNS = {"partner_company": ("partner_org", OrgKind.PROPERTY),
           "grid": ("grid_org", OrgKind.GRID)}
TABLE_HEADER = ("compound", "partner_company", "grid")
TABLE_HEADERS = {("compound", "partner_company", "grid"), ("小区", "帮建物业", "网格"),
                 ("小区", "物业", "网格")}
MAX_SHOWN = 300
WRONG_KIND = {OrgKind.PROPERTY: _l("%(name)s is not a property company."),
              OrgKind.GRID: _l("%(name)s is not a grid team.")}


def is_routed(compound: Compound) -> bool:
    """Has an active partner company and an active grid."""
    return bool(usable(compound.partner_org) and usable(compound.grid_org))


# --- the table ------------------------------------------------------------------------------

@dataclass
class Table:
    compounds: list[Compound]
    total: int      # compounds of the community
    matching: int   # of them, those the filter keeps (at most MAX_SHOWN are shown)
    unrouted: int   # of the community's, those without a partner or a grid


def table(community_id: int, name: str = "", missing: str = "") -> Table:
    """The community's compounds, unrouted first, then by name. `name` keeps those whose name
    contains it; `missing` "partner" those without a partner company, "any" those without
    a partner or a grid."""
    everything = list(db.session.scalars(select(Compound).where(
        Compound.community_id == community_id).order_by(Compound.name)))
    key = organizations.name_key(name) if name else ""
    kept = [c for c in everything if key in organizations.name_key(c.name)]
    if missing == "partner":
        kept = [c for c in kept if not usable(c.partner_org)]
    elif missing == "any":
        kept = [c for c in kept if not is_routed(c)]
    kept.sort(key=is_routed)  # stable: by name within each
    return Table(kept[:MAX_SHOWN], len(everything), len(kept),
                 sum(not is_routed(c) for c in everything))


def save_table(community: Community, choices: dict[int, tuple[int | None, int | None]]) -> int:
    """The routing page's one save: compound id → (partner company id, grid id), None for
    none. Every id must be the community's (an active company or grid); returns how many
    compounds changed."""
    compounds = {c.id: c for c in db.session.scalars(select(Compound).where(
        Compound.community_id == community.id, Compound.id.in_(list(choices))))}
    orgs = {o.id: o for o in organizations.organizations_of(community.id) if o.active}
    changed = 0
    for compound_id, ids in choices.items():
        compound = compounds.get(compound_id)
        if compound is None:
            raise RoutingRefused(_l("A compound of the table no longer exists: reload the "
                                    "page."))
        before = (compound.partner_org, compound.grid_org)
        for org_id, (attribute, kind) in zip(ids, COLUMNS.values(), strict=True):
            org = orgs.get(org_id) if org_id is not None else None
            if org_id is not None and (org is None or org.kind != kind):
                raise RoutingRefused(_l("Choose one of the community's active property "
                                        "companies and grid teams for %(compound)s.",
                                        compound=compound.name))
            setattr(compound, attribute, org)
        changed += (compound.partner_org, compound.grid_org) != before
    return changed


# --- names in files -------------------------------------------------------------------------

@dataclass
class Plan:
    """What the routing columns of a file would do."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    new_orgs: dict[str, tuple[str, str]] = field(default_factory=dict)  # name key → (kind, name)
    # compound name → {compound attribute: organisation name, or None for none}
    routes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)


def plan(community: Community, rows, *, blank_clears: bool) -> Plan:
    """`rows`: (line, compound name, {column: name or None}). A blank cell leaves the
    compound's routing as it is, or, with `blank_clears` (the routing table), removes it."""
    known = {organizations.name_key(o.name): o
             for o in organizations.organizations_of(community.id)}
    found = Plan()
    for line, compound, cells in rows:
        for column, name in cells.items():
            if column not in COLUMNS or (name is None and not blank_clears):
                continue
            attribute, kind = COLUMNS[column]
            problem = name is not None and _name_problem(known, found, kind, name)
            if problem:
                found.problems.append(column_problem(line, column, problem))
                continue
            routes = found.routes.setdefault(compound, {})
            if attribute in routes and routes[attribute] != name:
                first = found.lines[compound, attribute]
                found.problems.append(column_problem(line, column, _l(
                    "%(compound)s has %(name)s on line %(line)d.", compound=compound,
                    name=routes[attribute] or "—", line=first)))
                continue
            routes[attribute] = name
            found.lines.setdefault((compound, attribute), line)
            key = organizations.name_key(name) if name else None
            if key and key not in known and key not in found.new_orgs:
                found.new_orgs[key] = (kind, name)
    return found


def _name_problem(known, found: Plan, kind: str, name: str):
    if len(name) > max_length(Organization.name):
        return _l("A name is too long (at most %(n)d characters).",
                  n=max_length(Organization.name))
    key = organizations.name_key(name)
    org = known.get(key)
    if org is not None and org.kind != kind:
        return WRONG_KIND[kind] % {"name": org.name}
    if org is not None and not org.active:
        return _l("%(name)s is retired: bring it back on the organisations page first.",
                  name=org.name)
    if key in found.new_orgs and found.new_orgs[key][0] != kind:
        return WRONG_KIND[kind] % {"name": name}
    return None


def changes(community: Community, found: Plan) -> int:
    """How many compounds of the community (existing or new) the plan changes."""
    existing = {c.name: c for c in db.session.scalars(select(Compound).where(
        Compound.community_id == community.id))}
    count = 0
    for name, routes in found.routes.items():
        compound = existing.get(name)
        count += any((getattr(compound, a).name if compound and getattr(compound, a)
                      else None) != wanted for a, wanted in routes.items())
    return count


def carry_out(community: Community, found: Plan, compounds: dict[str, Compound]) -> None:
    """Create the new organisations and route the compounds, by name."""
    made = {key: organizations.add(community, kind, name)
            for key, (kind, name) in found.new_orgs.items()}
    for name, routes in found.routes.items():
        for attribute, org_name in routes.items():
            org = None if org_name is None else made.get(organizations.name_key(org_name)) \
                or organizations.named(community.id, org_name)
            setattr(compounds[name], attribute, org)


def import_places(community: Community, text: str, *, apply: bool) -> ImportResult:
    """The place CSV with its routing columns: places as csv_import imports them, and each
    named compound routed to the companies and grids the file names; all or nothing."""
    rows, problems = csv_import.parse_csv(text)
    found = plan(community, [(r.line, r.compound, {"partner_company": r.partner_company,
                                                   "grid": r.grid}) for r in rows],
                 blank_clears=False)
    problems = sorted(problems + found.problems, key=lambda problem: problem[0])
    routing_changes = changes(community, found)
    result = csv_import.import_rows(community, rows, problems, apply=apply and not problems)
    result.new_organizations = list(found.new_orgs.values())
    result.routing_changes = routing_changes
    if apply and not result.problems:
        carry_out(community, found, result.compounds)
    return result


# --- the routing table as a file ------------------------------------------------------------

def table_rows(community_id: int) -> list[tuple[str, str, str]]:
    """The routing table to download: a header, then compound, partner company, grid."""
    rows = [(c.name, usable(c.partner_org).name if usable(c.partner_org) else "",
             usable(c.grid_org).name if usable(c.grid_org) else "")
            for c in db.session.scalars(select(Compound).where(
                Compound.community_id == community_id).order_by(Compound.name))]
    return [TABLE_HEADER, *rows]


def import_table(community: Community, text: str, *, apply: bool) -> ImportResult:
    """The downloaded table, edited and loaded back: every compound named must exist; a
    blank cell means none. All or nothing, as the place import."""
    existing = {c.name: c for c in db.session.scalars(select(Compound).where(
        Compound.community_id == community.id))}
    rows, problems = [], []
    for line, record in enumerate(csv.reader(io.StringIO(plain(text))), start=1):
        cells = [cell.strip() for cell in record]
        while cells and not cells[-1]:
            cells.pop()
        if not cells or (line == 1 and tuple(c.lower() for c in cells) in TABLE_HEADERS):
            continue
        if len(cells) > len(TABLE_HEADER):
            problems.append((line, str(_l("Has more than three columns."))))
        elif not cells[0] or cells[0] not in existing:
            problems.append(column_problem(line, "compound", _l(
                "There is no compound named %(name)s: add it on the places page first.",
                name=cells[0] or "—")))
        else:
            cells += [""] * (len(TABLE_HEADER) - len(cells))
            rows.append((line, cells[0], {"partner_company": cells[1] or None,
                                          "grid": cells[2] or None}))
    found = plan(community, rows, blank_clears=True)
    result = ImportResult(rows=len(rows), problems=sorted(problems + found.problems,
                                                          key=lambda problem: problem[0]))
    if not rows and not result.problems:
        result.problems.append((0, str(_l("The file has no rows."))))
    result.new_organizations = list(found.new_orgs.values())
    result.routing_changes = changes(community, found)
    if apply and not result.problems:
        carry_out(community, found, existing)
    return result
