"""Who a report should go to: an exception set for the compound and category, else the
category's route in the community — the compound's partner company ("1+N"), its grid or the
community office — falling back to the office. Retired organisations are never suggested,
offered or routed to."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.domain.reports import category_settings
from webapp.domain.reports.categories import offered
from webapp.extensions import db
from webapp.models import (
    Category,
    Compound,
    CompoundRoute,
    Organization,
    OrgKind,
    Report,
    Role,
    Routing,
    User,
)


class RoutingRefused(DomainRefused, ValueError):
    """str() is a message for the admin."""


def usable(org: Organization | None) -> Organization | None:
    return org if org is not None and org.active else None


def _choose(compound: Compound, route: str, exception: Organization | None,
            office: Organization | None) -> Organization | None:
    if usable(exception):
        return exception
    if route == Routing.PARTNER and usable(compound.partner_org):
        return compound.partner_org
    if route == Routing.GRID and usable(compound.grid_org):
        return compound.grid_org
    return office


def suggested_org(report: Report) -> Organization | None:
    route = category_settings.routing_for(report.category, report.community_id)
    exception = db.session.scalar(select(CompoundRoute).where(
        CompoundRoute.compound_id == report.compound_id,
        CompoundRoute.category_id == report.category_id))
    return _choose(report.compound, route, exception.org if exception else None,
                   office_of(report.community_id))


def active_categories(community_id: int) -> list[Category]:
    """The categories a new report of the community may have: what routing is set for."""
    return offered(community_id)


def exceptions_of(compound_ids: Iterable[int]) -> dict[tuple[int, int], Organization]:
    """The exceptions of these compounds: (compound id, category id) → organisation."""
    ids = list(compound_ids)
    if not ids:
        return {}
    return {(r.compound_id, r.category_id): r.org for r in db.session.scalars(
        select(CompoundRoute).where(CompoundRoute.compound_id.in_(ids)))}


def effect(compounds: list[Compound], categories: list[Category], community_id: int
           ) -> dict[int, list[tuple[Organization | None, list[Category]]]]:
    """For each compound, where a report of each category would be suggested, grouped by
    organisation (in the order the categories come): what the admin sees of the routing."""
    routes = {c.id: category_settings.routing_for(c, community_id) for c in categories}
    exceptions, office = exceptions_of(c.id for c in compounds), office_of(community_id)
    found = {}
    for compound in compounds:
        groups: dict[int | None, tuple[Organization | None, list[Category]]] = {}
        for category in categories:
            org = _choose(compound, routes[category.id],
                          exceptions.get((compound.id, category.id)), office)
            groups.setdefault(org.id if org else None, (org, []))[1].append(category)
        found[compound.id] = list(groups.values())
    return found


def set_exception(compound: Compound, category: Category, org: Organization | None) -> None:
    """Reports of `category` at `compound` go to `org` (an active organisation of the
    community other than a department); None goes back to the category's route."""
    row = db.session.scalar(select(CompoundRoute).where(
        CompoundRoute.compound_id == compound.id, CompoundRoute.category_id == category.id))
    if org is None:
        if row is not None:
            db.session.delete(row)
        return
    if not org.active or org.community_id != compound.community_id or \
            org.kind == OrgKind.DEPARTMENT:
        raise RoutingRefused(_l("Choose one of the community's property companies, grid "
                                "teams or its office."))
    if row is None:
        db.session.add(CompoundRoute(compound=compound, category=category, org=org))
    else:
        row.org = org


def set_exceptions(compound: Compound, choices: dict[int, int | None]) -> None:
    """The compound page's one save: category id → organisation id (None: the category's
    route), for the active categories."""
    categories = {c.id: c for c in active_categories(compound.community_id)}
    teams = {o.id: o for o in organizations(compound.community_id)}
    for category_id, org_id in choices.items():
        if category_id not in categories:
            continue
        org = teams.get(org_id) if org_id is not None else None
        if org_id is not None and org is None:
            raise RoutingRefused(_l("Choose one of the community's property companies, grid "
                                    "teams or its office."))
        set_exception(compound, categories[category_id], org)


def office_of(community_id: int) -> Organization | None:
    return db.session.scalars(
        select(Organization).where(Organization.community_id == community_id,
                                   Organization.kind == OrgKind.OFFICE, Organization.active)
        .order_by(Organization.id)
    ).first()


def organizations(community_id: int, kinds=None) -> list[Organization]:
    """The community's active organisations: all that may be offered anywhere new."""
    query = select(Organization).where(Organization.community_id == community_id,
                                       Organization.active)
    if kinds:
        query = query.where(Organization.kind.in_(list(kinds)))
    return list(db.session.scalars(query.order_by(Organization.kind, Organization.name)))


def organization(org_id: int | None) -> Organization | None:
    return db.session.get(Organization, org_id) if org_id else None


def staff_member(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def people(orgs: list[Organization]) -> list[User]:
    """The active handlers and dispatchers of `orgs`: whom a job can be handed to."""
    return list(db.session.scalars(select(User).where(
        User.organization_id.in_([o.id for o in orgs]), User.active,
        User.role.in_([Role.HANDLER, Role.DISPATCHER])).order_by(User.display_name)))


def people_by_organization(orgs: list[Organization], first: Organization | None = None
                           ) -> list[tuple[Organization, list[User]]]:
    """Whom a job can be handed to, organisation by organisation (`first` first), leaving out
    organisations with nobody."""
    members = people(orgs)
    ordered = sorted(orgs, key=lambda o: first is None or o.id != first.id)
    grouped = [(o, [p for p in members if p.organization_id == o.id]) for o in ordered]
    return [(o, found) for o, found in grouped if found]


def organization_named(name: str) -> Organization | None:
    """An active organisation of this name (in any community): `flask users create`."""
    return db.session.scalars(select(Organization).where(Organization.name == name,
                                                         Organization.active)).first()
