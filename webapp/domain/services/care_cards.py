"""Care cards (爱心联系卡): residents the community looks after — elderly, living alone. Their
reports get priority and some services are free for them (has_care_card below)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.domain.shared.phones import InvalidPhone, normalise_phone
from webapp.extensions import db
from webapp.models import Building, CareCard, Compound, Entrance
from webapp.models.text import TextTooLong, fit


class CareCardRefused(DomainRefused):
    """str() is a message for the admin."""


@dataclass(frozen=True)
class CareCardDraft:
    name: str
    phone: str
    entrance_id: int | None = None


def cards_of(community_id: int) -> list[CareCard]:
    """The community's cards, active ones first."""
    return list(db.session.scalars(select(CareCard).where(CareCard.community_id == community_id)
                                   .order_by(CareCard.active.desc(), CareCard.name)))


def entrances_of(community_id: int) -> list[Entrance]:
    return list(db.session.scalars(
        select(Entrance).join(Building).join(Compound)
        .where(Compound.community_id == community_id)
        .order_by(Compound.name, Building.sort_key, Entrance.sort_key)))


def register(community_id: int, draft: CareCardDraft) -> CareCard:
    """A new card: a name and a phone number are needed; an entrance of the community's,
    if one was chosen, says where they live."""
    try:
        name = fit(CareCard.name, draft.name.strip(), _l("Name"))
        phone = fit(CareCard.phone, draft.phone.strip(), _l("Phone"))
    except TextTooLong as error:
        raise CareCardRefused(str(error)) from None
    if not name:
        raise CareCardRefused(_l("Please give the resident's name."))
    try:
        phone = normalise_phone(phone)
    except InvalidPhone as invalid:
        raise CareCardRefused(str(invalid)) from None
    if phone is None:
        raise CareCardRefused(_l("Please give the resident's phone number."))
    entrance = next((e for e in entrances_of(community_id) if e.id == draft.entrance_id), None)
    card = CareCard(community_id=community_id, name=name, phone=phone, entrance=entrance,
                    building=entrance.building if entrance else None)
    db.session.add(card)
    return card


def end(card: CareCard) -> None:
    card.active = False


def has_care_card(community_id: int, phone: str | None) -> bool:
    """Whether this phone belongs to an active care card of the community."""
    return bool(phone) and db.session.scalar(
        select(CareCard.id).where(CareCard.community_id == community_id,
                                  CareCard.phone == phone, CareCard.active)) is not None
