"""Which report categories a community offers. A category without a community is shared by
the installation; a community may add its own (Category.community_id), which no other
community sees, and retire either kind for itself: its own by Category.active, a shared one
by its CategorySetting.retired_at. A retired category is offered nowhere for new reports
(report form, staff filing, Open311) but stays on the reports that have it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import Category, CategorySetting, Routing
from webapp.models.text import TextTooLong, fit, max_length, plain
from webapp.models.types import utcnow

# The icons a category may have: emoji, drawn as text wherever a category is named, so a new
# one costs no file and looks like its neighbours (seed/community.py uses the first ten).
ICONS = ("💧", "💡", "🧹", "🌳", "🚗", "⚠️", "🛗", "🔥", "🤝", "📝",
         "🚪", "🔧", "🗑️", "🐕", "🔊", "🏗️", "🚲", "📦", "🧱", "🪟", "🚰", "📶")


class CategoryRefused(DomainRefused, ValueError):
    """str() is a message for the admin who asked."""


@dataclass(frozen=True)
class CategoryDraft:
    name_zh: str
    name_en: str
    icon: str
    is_major: bool = False


def seen_by(community_id: int):
    """SQL: the shared categories and the community's own."""
    return or_(Category.community_id.is_(None), Category.community_id == community_id)


def _retired_by(community_id: int):
    return exists().where(CategorySetting.category_id == Category.id,
                          CategorySetting.community_id == community_id,
                          CategorySetting.retired_at.is_not(None))


def offered_in(community_id: int):
    """SQL: the categories a new report of the community may have."""
    return and_(Category.active, seen_by(community_id), ~_retired_by(community_id))


def offered(community_id: int) -> list[Category]:
    """What a resident, a staff member filing for one, or an API client chooses from."""
    return list(db.session.scalars(select(Category).where(offered_in(community_id))
                                   .order_by(Category.sort_order, Category.id)))


def offered_one(category_id: int | None, community_id: int) -> Category | None:
    if category_id is None:
        return None
    # With its SLA targets: a new report's clock reads them next.
    return db.session.scalars(select(Category).options(joinedload(Category.sla_targets))
                              .where(Category.id == category_id, offered_in(community_id))
                              ).unique().first()


def check_offered(category_id: int | None, community_id: int) -> Category:
    found = offered_one(category_id, community_id)
    if found is None:
        raise CategoryRefused(_l("Please choose a category from the list."), field="category")
    return found


def managed(community_id: int) -> list[Category]:
    """The categories the community's admin looks after: the shared ones the installation
    still has and its own, retired or not, in their order."""
    return list(db.session.scalars(
        select(Category).where(or_(and_(Category.community_id.is_(None), Category.active),
                                   Category.community_id == community_id))
        .order_by(Category.sort_order, Category.id)))


def of_community(community_id: int, category_id: int | None) -> Category | None:
    """A category the community sees (shared or its own), else None: another community's
    own category is as good as missing."""
    found = db.session.get(Category, category_id) if category_id else None
    return found if found is not None and found.community_id in (None, community_id) \
        else None


def retired_ids(community_id: int) -> set[int]:
    """The ids of the categories the community sees but no longer offers."""
    return set(db.session.scalars(select(Category.id).where(
        seen_by(community_id), ~offered_in(community_id))))


def for_queue(community_id: int) -> tuple[list[Category], list[Category]]:
    """The queue's filter: the offered categories, then the retired ones (old reports keep
    them, so they stay findable)."""
    rows = db.session.execute(
        select(Category, offered_in(community_id).label("offered"))
        .where(seen_by(community_id)).order_by(Category.sort_order, Category.id)).all()
    return [c for c, yes in rows if yes], [c for c, yes in rows if not yes]


def add(community_id: int, draft: CategoryDraft) -> Category:
    """The community's own new category, last in the order, routed to the office until the
    admin says otherwise. SLA targets are the defaults for its kind (sla.py)."""
    name_zh, name_en, icon = _checked(community_id, draft)
    latest = db.session.scalar(select(func.max(Category.sort_order))) or 0
    category = Category(community_id=community_id, code=_new_code(community_id, name_en),
                        name_zh=name_zh, name_en=name_en, icon=icon,
                        is_major=draft.is_major, sort_order=latest + 1,
                        routing=Routing.OFFICE)
    db.session.add(category)
    db.session.flush()
    return category


def edit(category: Category, community_id: int, draft: CategoryDraft) -> None:
    """New names and icon for the community's own category. The kind of job (major or not)
    stays as it was made: the clocks of its open reports run by it."""
    if category.community_id != community_id:
        raise CategoryRefused(_l("A shared category is set up for the whole installation and "
                                 "is not renamed here: retire it here and add your own."))
    category.name_zh, category.name_en, category.icon = _checked(community_id, draft,
                                                                 category)


def retire(category: Category, community_id: int, now: datetime | None = None) -> None:
    """No longer offered for new reports in the community; its reports keep it."""
    if category.id in retired_ids(community_id):
        return
    if db.session.scalar(select(func.count(Category.id)).where(offered_in(community_id))) <= 1:
        raise CategoryRefused(_l("Residents need at least one category to choose from: add "
                                 "another before retiring this one."))
    now = now or utcnow()
    if category.community_id == community_id:
        category.active = False
    else:
        _setting(category, community_id).retired_at = now
    _touch(category, community_id, now)


def bring_back(category: Category, community_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    if category.community_id == community_id:
        category.active = True
    else:
        _setting(category, community_id).retired_at = None
    _touch(category, community_id, now)


# --- internals ------------------------------------------------------------------------------

def _checked(community_id: int, draft: CategoryDraft, editing: Category | None = None):
    name_zh, name_en = plain(draft.name_zh or "").strip(), plain(draft.name_en or "").strip()
    if not name_zh or not name_en:
        raise CategoryRefused(_l("Give the category a Chinese and an English name."))
    try:
        fit(Category.name_zh, name_zh, _l("Name (Chinese)"))
        fit(Category.name_en, name_en, _l("Name (English)"))
    except TextTooLong as error:
        raise CategoryRefused(str(error)) from None
    if draft.icon not in ICONS:
        raise CategoryRefused(_l("Choose one of the icons."))
    same = db.session.scalar(select(Category).where(
        seen_by(community_id),
        or_(Category.name_zh == name_zh, func.lower(Category.name_en) == name_en.lower()),
        Category.id != (editing.id if editing is not None else -1)).limit(1))
    if same is not None:
        raise CategoryRefused(_l("There is already a category called %(zh)s / %(en)s (if it "
                                 "is retired, bring it back instead).",
                                 zh=same.name_zh, en=same.name_en))
    return name_zh, name_en, draft.icon


def _new_code(community_id: int, name_en: str) -> str:
    """Its Open311 service_code: readable, unique in the installation."""
    words = re.findall(r"[a-z0-9]+", name_en.lower())
    stem = f"c{community_id}-" + "-".join(words)
    stem = stem[:max_length(Category.code) - 4].rstrip("-")
    code, number = stem, 1
    while db.session.scalar(select(Category.id).where(Category.code == code)) is not None:
        number += 1
        code = f"{stem}-{number}"
    return code


def _setting(category: Category, community_id: int) -> CategorySetting:
    setting = db.session.scalar(select(CategorySetting).where(
        CategorySetting.community_id == community_id,
        CategorySetting.category_id == category.id))
    if setting is None:
        setting = CategorySetting(community_id=community_id, category_id=category.id)
        db.session.add(setting)
    return setting


def _touch(category: Category, community_id: int, now: datetime) -> None:
    """The Open311 discovery changeset moves on: the community's service list changed."""
    if category.community_id == community_id:
        category.updated_at = now
    else:
        _setting(category, community_id).updated_at = now
