"""What a new community still lacks before residents can scan and staff can work: the
setup checklist an admin follows after the first run (and sees while anything is missing)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.domain.reports import pairing, routing
from webapp.extensions import db
from webapp.models import (
    Building,
    Community,
    Compound,
    Entrance,
    Organization,
    OrgKind,
    QrCode,
    Role,
    User,
)


@dataclass(frozen=True)
class Step:
    key: str          # the page that does it: details, organizations, places, routing, …
    title: object
    done: bool
    detail: str       # what is there, or what is missing


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def checklist(community: Community) -> list[Step]:
    here = community.id
    orgs = routing.organizations(here)
    companies = [o for o in orgs if o.kind == OrgKind.PROPERTY]
    grids = [o for o in orgs if o.kind == OrgKind.GRID]
    compounds = _count(select(Compound.id).where(Compound.community_id == here))
    buildings = _count(select(Building.id).join(Compound).where(Compound.community_id == here))
    entrances = _count(select(Entrance.id).join(Building).join(Compound)
                       .where(Compound.community_id == here))
    unrouted = pairing.table(here).unrouted
    categories = len(routing.active_categories(here))
    staff = list(db.session.scalars(select(User).join(Organization).where(
        Organization.community_id == here, Organization.active, User.active)))
    dispatchers = [u for u in staff if u.role == Role.DISPATCHER]
    handled = {u.organization_id for u in staff if u.role == Role.HANDLER}
    without = [o.name for o in companies + grids if o.id not in handled]
    codes = select(QrCode.id).join(Building).join(Compound).where(
        Compound.community_id == here, QrCode.revoked_at.is_(None))
    all_codes = _count(codes)
    unprinted = _count(codes.where(QrCode.printed_at.is_(None)))
    return [
        Step("details", _l("Community details"), bool(community.hotline and
                                                       community.hotline_24h),
             str(_l("Hotline %(h)s, 24-hour line %(d)s: printed on every poster.",
                    h=community.hotline or "—", d=community.hotline_24h or "—"))),
        Step("organizations", _l("Organisations"), bool(companies and grids),
             str(_l("%(c)d property companies, %(g)d grid teams.", c=len(companies),
                    g=len(grids)))),
        Step("places", _l("Places"), buildings > 0,
             str(_l("%(c)d compounds, %(b)d buildings, %(e)d entrances.", c=compounds,
                    b=buildings, e=entrances))),
        Step("routing", _l("Every compound routed"), compounds > 0 and unrouted == 0,
             str(_l("%(n)d of %(m)d compounds have no partner company or grid.", n=unrouted,
                    m=compounds))),
        Step("categories", _l("Categories"), categories > 0,
             str(_l("%(n)d categories: check where each goes and its targets.",
                    n=categories))),
        Step("users", _l("Staff accounts"), bool(dispatchers) and not without,
             str(_l("Dispatchers: %(n)d.", n=len(dispatchers))) + " " +
             (str(_l("No handler yet: %(names)s.", names=", ".join(without))) if without
              else str(_l("Every organisation has a handler.")))),
        Step("codes", _l("Codes printed"), all_codes > 0 and unprinted == 0,
             str(_l("%(n)d of %(m)d codes not printed yet.", n=unprinted, m=all_codes))),
    ]


def missing(community: Community) -> int:
    return sum(not step.done for step in checklist(community))
