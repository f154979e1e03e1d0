"""A community's catalogue of services: its service categories, the services in them, and
the slots an admin publishes (booking.publish does the publishing itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.domain import DomainRefused
from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import Community, ServiceCategory, ServiceType, Slot, User
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
    service = ServiceType(
        category=category, name_zh=name_zh, name_en=name_en, duration_minutes=minutes,
        points=points, volunteers_needed=volunteers, cancel_cutoff_hours=cutoff,
        at_home=draft.at_home, free_for_care_card=draft.free_for_care_card,
        description_zh=draft.description_zh.strip()[:DESCRIPTION_MAX] or None,
        description_en=draft.description_en.strip()[:DESCRIPTION_MAX] or None,
        fee_note_zh=fee_note_zh or None, fee_note_en=fee_note_en or None)
    db.session.add(service)
    return service


def publish_slots(service: ServiceType | None, community: Community, draft: SlotDraft,
                  by: User) -> list[Slot]:
    """The admin publishes a slot of one of the community's services, once or weekly."""
    if service is None or service.category.community_id != community.id:
        raise CatalogueRefused(_l("Choose a service."))
    if draft.start is None:
        raise CatalogueRefused(_l("Please give a start date and time."))
    return booking.publish(service, community.id, draft.start, weeks=draft.weeks,
                           capacity=draft.capacity,
                           volunteer_capacity=draft.volunteer_capacity,
                           location=draft.location, by=by)


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
