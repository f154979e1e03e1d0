"""Who a report should go to: per category (and community), the compound's partner company
("1+N"), its grid, or the community office."""

from __future__ import annotations

from sqlalchemy import select

from webapp.domain.reports import category_settings
from webapp.extensions import db
from webapp.models import Organization, OrgKind, Report, Role, Routing, User


def suggested_org(report: Report) -> Organization | None:
    compound = report.compound
    route = category_settings.routing_for(report.category, report.community_id)
    if route == Routing.PARTNER and compound.partner_org is not None:
        return compound.partner_org
    if route == Routing.GRID and compound.grid_org is not None:
        return compound.grid_org
    return office_of(report.community_id)


def office_of(community_id: int) -> Organization | None:
    return db.session.scalars(
        select(Organization).where(Organization.community_id == community_id,
                                   Organization.kind == OrgKind.OFFICE, Organization.active)
        .order_by(Organization.id)
    ).first()


def organizations(community_id: int, kinds=None) -> list[Organization]:
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
    return db.session.scalars(select(Organization).where(Organization.name == name)).first()
