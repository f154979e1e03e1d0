"""What one community makes of the shared report categories. A category and its SLA targets,
routing, privacy and canned replies without a community are shared defaults, set up for the whole
installation; a community's admin changes only that community's own rows, which count in that
community alone, so nothing one community does reaches another."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.domain import DomainRefused
from webapp.domain.reports import sla
from webapp.domain.reports.labels import target_label
from webapp.extensions import db
from webapp.models import CannedReply, Category, CategorySetting, Report, Routing, SlaTarget
from webapp.models.types import utcnow

MAX_TARGET_MINUTES = 60 * 24 * 60  # 60 days
MAX_REPLY = 1000


class SettingRefused(DomainRefused, ValueError):
    """str() is a message for the admin who asked."""


def setting_of(category: Category, community_id: int) -> CategorySetting | None:
    return db.session.scalar(select(CategorySetting).where(
        CategorySetting.community_id == community_id,
        CategorySetting.category_id == category.id))


def routing_for(category: Category, community_id: int) -> str:
    setting = setting_of(category, community_id)
    return setting.routing if setting is not None and setting.routing else category.routing


def private_for(category: Category, community_id: int) -> bool:
    setting = setting_of(category, community_id)
    own = setting.is_private if setting is not None else None
    return category.is_private if own is None else own


def report_is_private():
    """SQL: whether a report's category is private in the report's community (its own
    choice, else the shared default). For queries that have Report and Category in FROM."""
    own = (select(CategorySetting.is_private)
           .where(CategorySetting.community_id == Report.community_id,
                  CategorySetting.category_id == Report.category_id)
           .correlate(Report).scalar_subquery())
    return func.coalesce(own, Category.is_private)


def canned_replies(community_id: int, category_id: int | None = None) -> list[CannedReply]:
    """The shared replies and the community's own; for a category, its replies and the
    general ones."""
    query = select(CannedReply).where(CannedReply.community_id.is_(None)
                                      | (CannedReply.community_id == community_id))
    if category_id is not None:
        query = query.where((CannedReply.category_id == category_id)
                            | CannedReply.category_id.is_(None))
    return list(db.session.scalars(query.order_by(CannedReply.id)))


def canned_reply(community_id: int, category_id: int, reply_id: int | None) -> CannedReply | None:
    return next((r for r in canned_replies(community_id, category_id) if r.id == reply_id), None)


def urgent_percent_of(category: Category, community_id: int) -> int:
    return sla.urgent_percent_for(category, community_id)


def save(category: Category, community_id: int, *, routing: str | None,
         targets: dict[str, int | None], canned: str | None = None,
         private: bool | None = None, urgent_percent: int | None = None) -> None:
    """The community's own routing, targets, urgent share, privacy and (one more) canned
    reply for `category`.
    Refuses, changing nothing, a target outside 1 minute to 60 days, an urgent share outside
    10–100 % or an unknown route."""
    if routing is not None and routing not in set(Routing):
        raise SettingRefused(_l("Choose where reports of this category go."))
    own = sla.targets_for(category, community_id)
    if set(targets) != set(own) or any(
            m is None or not 1 <= m <= MAX_TARGET_MINUTES for m in targets.values()):
        raise SettingRefused(_l("A target is a whole number of minutes, hours or working days, "
                                "from 1 minute to %(max)s.",
                                max=target_label(MAX_TARGET_MINUTES)))
    low, high = sla.URGENT_PERCENT_RANGE
    if urgent_percent is not None and not low <= urgent_percent <= high:
        raise SettingRefused(_l("Urgent and care-card reports get from %(low)d to %(high)d "
                                "percent of each target.", low=low, high=high))
    canned = (canned or "").replace("\x00", "").strip()
    if len(canned) > MAX_REPLY:
        raise SettingRefused(_l("A canned reply may be at most %(n)d characters.", n=MAX_REPLY))
    setting = setting_of(category, community_id) or CategorySetting(
        community_id=community_id, category_id=category.id)
    setting.routing = routing if routing is not None else setting.routing
    if private is not None:
        setting.is_private = None if private == category.is_private else private
    if urgent_percent is not None:
        setting.urgent_percent = None if urgent_percent == sla.URGENT_PERCENT else urgent_percent
    setting.updated_at = utcnow()  # its Open311 service list may read differently now
    db.session.add(setting)
    rows = {t.milestone: t for t in category.sla_targets if t.community_id == community_id}
    for name, minutes in targets.items():
        if name in rows:
            rows[name].minutes = minutes
        elif minutes != own[name]:  # the same as the default stays the default
            db.session.add(SlaTarget(category=category, community_id=community_id,
                                     milestone=name, minutes=minutes))
    if canned:
        db.session.add(CannedReply(category_id=category.id, community_id=community_id,
                                   text=canned))
