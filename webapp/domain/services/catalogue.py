"""A community's catalogue of services: its service categories, the services in them, and
the slots an admin publishes (booking.publish does the publishing itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from webapp.domain import DomainRefused
from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import (
    Community,
    Organization,
    OrgKind,
    ServiceCategory,
    ServiceType,
    Slot,
    User,
)
from webapp.models.text import TextTooLong, fit, max_length

DESCRIPTION_MAX = 1000  # longer descriptions are cut, as they always were


class CatalogueRefused(DomainRefused):
    """str() is a message for the admin."""


@dataclass(frozen=True)
class ServiceDraft:
    """A new service as the admin typed it; a number is None when it was not one."""

    name_zh: str
    name_en: str
    duration_minutes: int | None
    points: int | None
    volunteers_needed: int | None
    cancel_cutoff_hours: int | None
    at_home: bool = False
    free_for_care_card: bool = False
    description_zh: str = ""
    description_en: str = ""
    fee_note_zh: str = ""
    fee_note_en: str = ""


@dataclass(frozen=True)
class SlotDraft:
    """Slots to publish: `start` is None when no date and time could be read."""

    start: datetime | None
    weeks: int = 1
    capacity: int = 1
    volunteer_capacity: int | None = None
    location: str = ""
    runs_without_volunteer: bool = False


def categories_of(community_id: int) -> list[ServiceCategory]:
    return list(db.session.scalars(select(ServiceCategory).where(
        ServiceCategory.community_id == community_id).order_by(ServiceCategory.sort_order)))


def upcoming_slots(community_id: int, now: datetime, limit: int = 100) -> list[Slot]:
    return list(db.session.scalars(select(Slot).where(
        Slot.community_id == community_id, Slot.starts_at > now,
        Slot.cancelled_at.is_(None)).order_by(Slot.starts_at).limit(limit)))


def _names(name_zh: str, name_en: str, column_zh, column_en, message) -> None:
    if not name_zh or not name_en or len(name_zh) > max_length(column_zh) or \
            len(name_en) > max_length(column_en):
        raise CatalogueRefused(message)


def add_category(community_id: int, name_zh: str, name_en: str) -> ServiceCategory:
    """A new service category, last in the community's order."""
    name_zh, name_en = name_zh.strip(), name_en.strip()
    _names(name_zh, name_en, ServiceCategory.name_zh, ServiceCategory.name_en,
           _l("Give the category a Chinese and an English name (at most %(max)d characters).",
              max=max_length(ServiceCategory.name_zh)))
    count = db.session.scalar(select(func.count(ServiceCategory.id)).where(
        ServiceCategory.community_id == community_id))
    category = ServiceCategory(community_id=community_id, name_zh=name_zh, name_en=name_en,
                               sort_order=count)
    db.session.add(category)
    return category


def add_service(category: ServiceCategory | None, community_id: int,
                draft: ServiceDraft) -> ServiceType:
    """A new service in one of the community's categories (None: none was chosen)."""
    if category is None or category.community_id != community_id:
        raise CatalogueRefused(_l("Choose a category."))
    service = ServiceType(category=category, **_service_fields(draft))
    db.session.add(service)
    return service


def edit_service(service: ServiceType, category: ServiceCategory | None, community_id: int,
                 draft: ServiceDraft) -> None:
    """New names, text, numbers or category for one of the community's services. Slots
    already published keep their times and places; new slots take the new duration."""
    if category is None or category.community_id != community_id or \
            service.category.community_id != community_id:
        raise CatalogueRefused(_l("Choose a category."))
    for name, value in _service_fields(draft).items():
        setattr(service, name, value)
    service.category = category


def retire_service(service: ServiceType, now: datetime) -> tuple[int, int]:
    """No longer bookable. Its future slots that nobody booked are withdrawn; those with
    residents or volunteers stay, so nobody loses a booking without being told (an admin
    calls them off, which tells them). Returns (withdrawn, kept)."""
    service.active = False
    withdrawn = db.session.execute(
        update(Slot).where(Slot.service_type_id == service.id, Slot.starts_at > now,
                           Slot.cancelled_at.is_(None), Slot.booked == 0,
                           Slot.volunteers_booked == 0)
        .values(cancelled_at=now).execution_options(synchronize_session=False)).rowcount
    kept = db.session.scalar(select(func.count(Slot.id)).where(
        Slot.service_type_id == service.id, Slot.starts_at > now, Slot.cancelled_at.is_(None)))
    return withdrawn, kept


def bring_back_service(service: ServiceType) -> None:
    """Bookable again, from its next published slot on."""
    service.active = True


def _service_fields(draft: ServiceDraft) -> dict:
    """The draft's columns, checked; refuses the draft whole with the first problem."""
    try:
        fee_note_zh = fit(ServiceType.fee_note_zh, draft.fee_note_zh.strip(),
                          _l("Fee note (Chinese)"))
        fee_note_en = fit(ServiceType.fee_note_en, draft.fee_note_en.strip(),
                          _l("Fee note (English)"))
    except TextTooLong as error:
        raise CatalogueRefused(str(error)) from None
    name_zh, name_en = draft.name_zh.strip(), draft.name_en.strip()
    _names(name_zh, name_en, ServiceType.name_zh, ServiceType.name_en,
           _l("Give the service a Chinese and an English name (at most %(max)d characters).",
              max=max_length(ServiceType.name_zh)))
    minutes, points = draft.duration_minutes, draft.points
    volunteers, cutoff = draft.volunteers_needed, draft.cancel_cutoff_hours
    if None in (minutes, points, volunteers, cutoff) or not (
            5 <= minutes <= 24 * 60 and 0 <= points <= 1000 and 0 <= volunteers <= 20
            and 0 <= cutoff <= 24 * 14):
        raise CatalogueRefused(_l("Duration, points, volunteers and cut-off must be sensible "
                                  "whole numbers."))
    return dict(
        name_zh=name_zh, name_en=name_en, duration_minutes=minutes,
        points=points, volunteers_needed=volunteers, cancel_cutoff_hours=cutoff,
        at_home=draft.at_home, free_for_care_card=draft.free_for_care_card,
        description_zh=draft.description_zh.strip()[:DESCRIPTION_MAX] or None,
        description_en=draft.description_en.strip()[:DESCRIPTION_MAX] or None,
        fee_note_zh=fee_note_zh or None, fee_note_en=fee_note_en or None)


def publish_slots(service: ServiceType | None, community: Community, draft: SlotDraft,
                  by: User) -> list[Slot]:
    """The admin publishes a slot of one of the community's services, once or weekly."""
    if service is None or service.category.community_id != community.id:
        raise CatalogueRefused(_l("Choose a service."))
    if not service.active:
        raise CatalogueRefused(_l("This service is retired: bring it back first."))
    if draft.start is None:
        raise CatalogueRefused(_l("Please give a start date and time."))
    return booking.publish(service, community.id, draft.start, weeks=draft.weeks,
                           capacity=draft.capacity,
                           volunteer_capacity=draft.volunteer_capacity,
                           location=draft.location, by=by,
                           runs_without_volunteer=draft.runs_without_volunteer)


def active_services(community_id: int) -> list[ServiceType]:
    """What a volunteer of the community can offer time for."""
    return list(db.session.scalars(select(ServiceType).join(ServiceCategory).where(
        ServiceCategory.community_id == community_id, ServiceType.active)
        .order_by(ServiceCategory.sort_order, ServiceType.sort_order)))


def active_service(service_id: int | None, community_id: int) -> ServiceType | None:
    """The community's service with this id, if it is offered."""
    item = db.session.get(ServiceType, service_id) if service_id else None
    if item is None or not item.active or item.category.community_id != community_id:
        return None
    return item


def slot_of(slot_id: int, community_id: int) -> Slot | None:
    slot = db.session.get(Slot, slot_id)
    return slot if slot is not None and slot.community_id == community_id else None


def bookable_counts(community_id: int, now: datetime) -> dict[int, int]:
    """Per service of the community: how many upcoming slots still have a resident place.
    A service missing here has no time to book, and the catalogue says so."""
    return dict(db.session.execute(
        select(Slot.service_type_id, func.count(Slot.id))
        .join(ServiceType, Slot.service_type_id == ServiceType.id)
        .where(Slot.community_id == community_id, Slot.starts_at > now,
               Slot.cancelled_at.is_(None), Slot.booked < Slot.capacity, ServiceType.active,
               booking.residents_may_book())
        .group_by(Slot.service_type_id)).all())


def office_phone(community: Community) -> str | None:
    """Where a resident asks when nothing can be booked: the office's own line, else the
    community's hotline."""
    phone = db.session.scalar(select(Organization.phone).where(
        Organization.community_id == community.id, Organization.kind == OrgKind.OFFICE,
        Organization.active, Organization.phone.is_not(None)).order_by(Organization.id)
        .limit(1))
    return phone or community.hotline
