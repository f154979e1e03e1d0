"""A community's organisations: its office, the property companies (物业企业) paired with its
compounds, its grid teams (网格) and the city departments it escalates to (吹哨). Admins add,
rename, re-phone, retire and bring them back. A retired organisation stays on the reports and
jobs it had, and is offered nowhere new: not for assigning, escalating or routing."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from webapp.domain import DomainRefused
from webapp.domain.shared.phones import InvalidPhone, normalise_phone
from webapp.extensions import db
from webapp.models import OPEN_STATUSES, Community, Compound, Organization, OrgKind, Report
from webapp.models.text import TextTooLong, fit, plain

KIND_LABELS = {OrgKind.OFFICE: _l("Community office"),
               OrgKind.PROPERTY: _l("Property company"),
               OrgKind.GRID: _l("Grid team"),
               OrgKind.DEPARTMENT: _l("Department")}
# What an admin may add: the office comes with the community.
ADDABLE = (OrgKind.PROPERTY, OrgKind.GRID, OrgKind.DEPARTMENT)


class OrganizationRefused(DomainRefused, ValueError):
    """str() is a message for the admin."""


class OrganizationBusy(OrganizationRefused):
    """Retiring it would leave open jobs with nobody to give them to."""

    status = 409


def name_key(name: str) -> str:
    """Two names that read the same are one name: full-width letters, case and runs of
    blanks do not make a second organisation."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def organizations_of(community_id: int) -> list[Organization]:
    """All of the community's organisations, retired ones included: the office first, then
    by kind and name, retired ones last."""
    return list(db.session.scalars(
        select(Organization).where(Organization.community_id == community_id)
        .order_by(Organization.active.desc(), Organization.kind != OrgKind.OFFICE,
                  Organization.kind, Organization.name)))


def named(community_id: int, name: str) -> Organization | None:
    """The community's organisation of this name (as name_key reads it), retired or not."""
    key = name_key(name)
    return next((o for o in organizations_of(community_id) if name_key(o.name) == key), None)


def _checked_name(community_id: int, name: str | None, org: Organization | None = None) -> str:
    name = plain(name or "").strip()
    if not name:
        raise OrganizationRefused(_l("Please give the organisation's name."), "name")
    try:
        fit(Organization.name, name, _l("Name"))
    except TextTooLong as error:
        raise OrganizationRefused(str(error), "name") from None
    same = named(community_id, name)
    if same is not None and same is not org:
        message = _l("%(name)s exists already.", name=same.name) if same.active else \
            _l("%(name)s exists already, retired: bring it back instead of adding it again.",
               name=same.name)
        raise OrganizationRefused(message, "name")
    return name


def _checked_phone(phone: str | None) -> str | None:
    try:
        return normalise_phone(phone)
    except InvalidPhone as invalid:
        raise OrganizationRefused(str(invalid), "phone") from None


def add(community: Community, kind: str, name: str | None, phone: str | None = None
        ) -> Organization:
    if kind not in ADDABLE:
        raise OrganizationRefused(_l("Choose a property company, a grid team or a "
                                     "department."), "kind")
    org = Organization(community=community, kind=kind,
                       name=_checked_name(community.id, name),
                       phone=_checked_phone(phone))
    db.session.add(org)
    db.session.flush()  # its id names its place on the page
    return org


def change(org: Organization, name: str | None, phone: str | None) -> None:
    """A new name and duty phone (blank: none)."""
    name, phone = _checked_name(org.community_id, name, org), _checked_phone(phone)
    org.name, org.phone = name, phone


def open_jobs(org: Organization) -> int:
    """Open reports it holds, or will get back when a department answers an escalation."""
    return db.session.scalar(select(func.count(Report.id)).where(
        or_(Report.assigned_org_id == org.id, Report.escalated_from_org_id == org.id),
        Report.status.in_(list(OPEN_STATUSES))))


def open_job_list(org: Organization, limit: int = 50) -> list[Report]:
    """The open jobs open_jobs() counts, oldest first: what to hand on before retiring."""
    return list(db.session.scalars(select(Report).where(
        or_(Report.assigned_org_id == org.id, Report.escalated_from_org_id == org.id),
        Report.status.in_(list(OPEN_STATUSES))).order_by(Report.id).limit(limit)))


def compounds_routed_to(org: Organization) -> list[Compound]:
    return list(db.session.scalars(select(Compound).where(
        or_(Compound.partner_org_id == org.id, Compound.grid_org_id == org.id))
        .order_by(Compound.name)))


def retire(org: Organization) -> None:
    """Offered nowhere new from now on. The office cannot go (reports fall back to it), nor
    an organisation with open jobs: the dispatcher hands them on first, so that no job is
    left with a team nobody can reach."""
    if org.kind == OrgKind.OFFICE:
        raise OrganizationRefused(_l("The community office cannot be retired: reports that "
                                     "nobody else takes go to it."))
    jobs = open_jobs(org)
    if jobs:
        raise OrganizationBusy(_l(
            "%(name)s still has %(n)d open jobs. Hand them to another organisation first "
            "(they are listed below), then retire it.", name=org.name, n=jobs))
    org.active = False


def bring_back(org: Organization) -> None:
    org.active = True
