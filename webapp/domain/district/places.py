"""Districts (区), their street offices (街道) and the communities under them; which of them
an overseer sees."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import Community, Company, District, Organization, Role, Street, User
from webapp.models.text import TextTooLong, fit, plain


class PlaceRefused(DomainRefused):
    pass


def _checked(column, value: str, label) -> str:
    value = plain(value or "").strip()
    if not value:
        raise PlaceRefused(_l("%(what)s cannot be empty.", what=label))
    try:
        fit(column, value, label)
    except TextTooLong as error:
        raise PlaceRefused(str(error)) from None
    return value


def district_coded(code: str) -> District | None:
    return db.session.scalar(select(District).where(District.code == (code or "").strip()))


def street_coded(code: str) -> Street | None:
    return db.session.scalar(select(Street).where(Street.code == (code or "").strip()))


def create_district(code: str, name: str) -> District:
    code = _checked(District.code, code, _l("Code"))
    name = _checked(District.name, name, _l("Name"))
    if district_coded(code) or db.session.scalar(select(District.id).where(
            District.name == name)):
        raise PlaceRefused(_l("A district with this code or name exists already."))
    district = District(code=code, name=name)
    db.session.add(district)
    return district


def create_street(district: District, code: str, name: str) -> Street:
    code = _checked(Street.code, code, _l("Code"))
    name = _checked(Street.name, name, _l("Name"))
    if street_coded(code) or db.session.scalar(select(Street.id).where(
            Street.district_id == district.id, Street.name == name)):
        raise PlaceRefused(_l("A street office with this code, or this name in the "
                              "district, exists already."))
    street = Street(district=district, code=code, name=name)
    db.session.add(street)
    return street


def place_under(community: Community, street: Street | None) -> None:
    """The street office over a community (None: on its own)."""
    community.street = street


@dataclass(frozen=True)
class Scope:
    """What an overseer sees: their district's or street's communities, or one street of
    their district when they picked it."""

    district: District
    streets: list[Street]        # the streets they may pick among (one for a street user)
    street: Street | None        # the street shown, None for the whole district
    communities: list[Community]

    @property
    def community_ids(self) -> list[int]:
        return [c.id for c in self.communities]


def scope_of(user: User, street_code: str | None = None) -> Scope | None:
    """The communities `user` oversees, narrowed to one of their streets if asked (a code
    that is not theirs is ignored). None for anyone who oversees nothing."""
    if user.role != Role.OVERSEER:
        return None
    if user.street is not None:
        street = user.street
        return Scope(street.district, [street], street, list(street.communities))
    district = user.district
    streets = list(district.streets)
    street = next((s for s in streets if s.code == street_code), None)
    communities = list(db.session.scalars(
        select(Community).join(Street, Community.street_id == Street.id)
        .where(Street.district_id == district.id, *([Street.id == street.id] if street else []))
        .order_by(Street.name, Community.name)))
    return Scope(district, streets, street, communities)


def company_in(company_id: int, community_ids: list[int]) -> Company | None:
    """The company, if it serves one of these communities (else as good as missing)."""
    return db.session.scalar(select(Company).where(
        Company.id == company_id,
        select(Organization.id).where(Organization.company_id == Company.id,
                                      Organization.community_id.in_(community_ids))
        .exists()))
