"""What a community offers through the API: services (the report categories, and the
bookable services as information only), each one's definition (its questions) and the SLA
notice that says how soon it is done."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload

from webapp.domain.reports import categories, questions, sla
from webapp.domain.reports.labels import target_label
from webapp.domain.services.prices import price_text
from webapp.extensions import db
from webapp.models import (
    Category,
    CategoryQuestion,
    Milestone,
    ServiceCategory,
    ServiceType,
    SlaTarget,
)
from webapp.open311.errors import Open311Error, bad
from webapp.open311.jurisdictions import Jurisdiction
from webapp.open311.params import whole

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
BOOKING_PREFIX = "booking-"


def _duration(minutes: int) -> str:
    """As every page says it: a day or more is working days (sla.DAY)."""
    return target_label(minutes)


def service_notice(is_major: bool, targets: dict[str, int]) -> str:
    """What the SLA promises for a category, in the current language."""
    return _notice(is_major, tuple(sorted(targets.items())), str(get_locale()))


@lru_cache(maxsize=256)
def _notice(is_major: bool, target_items: tuple, _locale: str) -> str:
    # Remembered per language: every request of a listing says it.
    targets = dict(target_items)
    if is_major:
        return _("Accepted within %(accept)s; a plan within %(plan)s of accepting (major job: "
                 "may need a residents' decision).",
                 accept=_duration(targets[Milestone.ACCEPT]),
                 plan=_duration(targets[Milestone.PLAN]))
    return _("Accepted within %(accept)s; on site %(arrive)s after accepting; fixed within "
             "%(resolve)s of arriving.", accept=_duration(targets[Milestone.ACCEPT]),
             arrive=_duration(targets[Milestone.ARRIVE]),
             resolve=_duration(targets[Milestone.RESOLVE]))


def notice_for(category: Category, community_id: int) -> str:
    return service_notice(category.is_major, sla.targets_for(category, community_id))


@lru_cache(maxsize=1)
def _service_statements():
    """Built once: constructing these costs more than running them."""
    has_questions = exists().where(CategoryQuestion.category_id == Category.id,
                                   CategoryQuestion.active,
                                   questions.asked_in(bindparam("community_id")))
    return (
        select(Category.code, Category.name_zh, Category.name_en, Category.is_major,
               Category.id, has_questions)
        .where(categories.offered_in(bindparam("community_id")))
        .order_by(Category.sort_order, Category.id),
        select(SlaTarget.category_id, SlaTarget.milestone, SlaTarget.minutes)
        .where(SlaTarget.community_id.is_(None)
               | (SlaTarget.community_id == bindparam("community_id")))
        .order_by(SlaTarget.community_id.is_not(None), SlaTarget.id),
        select(ServiceType.id, ServiceType.name_zh, ServiceType.name_en,
               ServiceType.description_zh, ServiceType.description_en,
               ServiceCategory.name_zh, ServiceCategory.name_en,
               ServiceType.free_for_care_card, ServiceType.fee_note_zh, ServiceType.fee_note_en)
        .join(ServiceCategory, ServiceType.category_id == ServiceCategory.id)
        .where(ServiceCategory.community_id == bindparam("community_id"), ServiceType.active)
        .order_by(ServiceCategory.sort_order, ServiceType.sort_order, ServiceType.id),
    )


def service_rows(place: Jurisdiction) -> tuple:
    """Everything the service list is made of, as plain tuples: it keys a cache of the
    rendered list, so that any change to a category, question, SLA target or service gives a
    new key."""
    categories, targets, types = _service_statements()
    with db.engine.connect() as connection:
        here = {"community_id": place.id}
        return (tuple(map(tuple, connection.execute(categories, here))),
                tuple(map(tuple, connection.execute(targets, here))),
                tuple(map(tuple, connection.execute(types, here))))


def service_list(place: Jurisdiction, locale: str, rows: tuple | None = None) -> list[dict]:
    categories, target_rows, types = rows or service_rows(place)
    zh = locale.startswith("zh")
    own_targets: dict[int, dict[str, int]] = defaultdict(dict)
    for category_id, milestone, minutes in target_rows:
        own_targets[category_id][milestone] = minutes
    services = []
    for code, name_zh, name_en, is_major, cat_id, metadata in categories:
        name = name_zh if zh else name_en
        notice = service_notice(is_major, sla.merged_targets(is_major,
                                                             own_targets.get(cat_id, {})))
        services.append({
            "service_code": code,
            "service_name": name,
            "description": (_("Report a problem: %(name)s (major job).", name=name)
                            if is_major else _("Report a problem: %(name)s.", name=name))
            + " " + notice,
            "metadata": bool(metadata),
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys([name_zh, name_en, code])),
            "group": _("Report a problem"),
        })
    group = _("Bookable services (information only)")
    for sid, name_zh, name_en, desc_zh, desc_en, cat_zh, cat_en, free, fee_zh, fee_en in types:
        text = (desc_zh if zh else desc_en) or ""
        services.append({
            "service_code": f"{BOOKING_PREFIX}{sid}",
            "service_name": name_zh if zh else name_en,
            "description": (text + " " if text else "")
            + price_text(free, fee_zh if zh else fee_en) + " "
            + _("Information only: residents book it from the code at their door, not "
                "through this API."),
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys([name_zh, name_en, cat_zh, cat_en])),
            "group": group,
        })
    return services


def find_service(code: str | None, place: Jurisdiction | None = None):
    """The category offered in `place`, or its bookable service type, that service_code
    names (404 if none). Without a place (more than one community), the shared ones."""
    code = (code or "").strip()
    if not code:
        raise bad(_("service_code was not provided."))
    number = whole(code[len(BOOKING_PREFIX):]) if code.startswith(BOOKING_PREFIX) else None
    if number is not None:
        service = db.session.get(ServiceType, number)
        if service is not None and service.active and \
                (place is None or service.category.community_id == place.id):
            return service
    else:
        offered = categories.offered_in(place.id) if place is not None else \
            Category.active & Category.community_id.is_(None)
        # With its SLA targets: the notice and the new report's clock read them.
        category = db.session.scalars(
            select(Category).options(joinedload(Category.sla_targets))
            .where(Category.code == code, offered)).unique().first()
        if category is not None:
            return category
    raise Open311Error(404, _("service_code %(code)s was not found.", code=code[:60]))


def attribute_dict(question: CategoryQuestion, locale: str) -> dict:
    found = {
        "variable": question.variable,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": question.datatype_description(locale),
        "order": question.sort_order,
        "description": question.description(locale),
    }
    if question.values:
        found["values"] = [{"key": k, "name": n} for k, n in question.options(locale)]
    return found


def service_definition(service, locale: str, place: Jurisdiction | None = None) -> dict:
    """Without a jurisdiction (more than one community), the shared questions only."""
    if isinstance(service, ServiceType):
        return {"service_code": f"{BOOKING_PREFIX}{service.id}", "attributes": []}
    asked = questions.questions_of(service.id, place.id if place else None)
    return {"service_code": service.code,
            "attributes": [attribute_dict(q, locale) for q in asked]}
