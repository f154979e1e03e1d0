"""Who a report should go to: per category (and community), the compound's partner company
("1+N"), its grid, or the community office."""

from __future__ import annotations

from sqlalchemy import select

from webapp.domain import category_settings
from webapp.extensions import db
from webapp.models import Organization, OrgKind, Report, Routing


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
