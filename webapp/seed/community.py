"""A new installation's first steps: the standard report categories, and a community with
its office, so that the first admin account has an organisation to belong to."""

from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import Category, Community, Organization, OrgKind, Routing
from webapp.models.text import TextTooLong, fit, plain

# code, zh, en, icon, is_major, routing — the kinds of trouble residents report (cf. 52022)
# Never public: reports that name a third party (see Category.is_private).
PRIVATE_CATEGORIES = {"dispute"}
STANDARD_CATEGORIES = [
    ("water", "水电 · 上下水", "Water and drains", "💧", False, Routing.PARTNER),
    ("electricity", "电路照明", "Electricity and lighting", "💡", False, Routing.PARTNER),
    ("sanitation", "环境卫生", "Sanitation and rubbish", "🧹", False, Routing.PARTNER),
    ("greenery", "绿化", "Greenery", "🌳", False, Routing.PARTNER),
    ("parking", "停车", "Parking", "🚗", False, Routing.GRID),
    ("safety", "安全隐患", "Safety hazard", "⚠️", False, Routing.GRID),
    ("elevator", "电梯", "Elevator", "🛗", True, Routing.PARTNER),
    ("heating", "供暖", "Heating", "🔥", True, Routing.PARTNER),
    ("dispute", "邻里纠纷", "Neighbour dispute", "🤝", False, Routing.GRID),
    ("other", "其他", "Other", "📝", False, Routing.OFFICE),
]


class SetupRefused(DomainRefused, ValueError):
    pass


def ensure_standard_categories() -> int:
    """Adds the standard categories that are missing; returns how many were added."""
    added = 0
    for order, (code, zh, en, icon, major, route) in enumerate(STANDARD_CATEGORIES):
        if db.session.scalar(select(Category).where(Category.code == code)) is None:
            db.session.add(Category(code=code, name_zh=zh, name_en=en, icon=icon,
                                    is_major=major, sort_order=order, routing=route,
                                    is_private=code in PRIVATE_CATEGORIES))
            added += 1
    return added


def create_community(code: str, name: str, office: str, hotline: str | None = None,
                     hotline_24h: str | None = None,
                     timezone: str = "Asia/Shanghai") -> Community:
    code, name, office = (plain(value).strip() for value in (code, name, office))
    if not (code and name and office):
        raise SetupRefused("A community needs a code, a name and an office name.")
    try:
        for column, value in ((Community.code, code), (Community.name, name),
                              (Organization.name, office), (Community.hotline, hotline),
                              (Community.hotline_24h, hotline_24h),
                              (Community.timezone, timezone)):
            fit(column, value)
    except TextTooLong as error:
        raise SetupRefused(str(error)) from None
    if db.session.scalar(select(Community).where(Community.code == code)) is not None:
        raise SetupRefused(f"A community with the code {code!r} exists already.")
    community = Community(code=code, name=name, hotline=hotline, hotline_24h=hotline_24h,
                          timezone=timezone)
    db.session.add(community)
    db.session.add(Organization(community=community, kind=OrgKind.OFFICE, name=office))
    ensure_standard_categories()
    return community
