"""A new installation's first steps: the standard report categories, and a community with
its office and its first admin account (from `flask community create` or the first-run page
in the browser)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.domain.people import accounts
from webapp.extensions import db
from webapp.models import Category, Community, Organization, OrgKind, Role, Routing, User
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
    code, name, office = (plain(value or "").strip() for value in (code, name, office))
    hotline, hotline_24h = (plain(value).strip() or None if value else None
                            for value in (hotline, hotline_24h))
    for field, value in (("code", code), ("name", name), ("office", office)):
        if not value:
            raise SetupRefused(_l("A community needs a code, a name and an office name."),
                               field)
    if not (code.isascii() and code.replace("-", "").replace("_", "").isalnum()):
        raise SetupRefused(_l("The code uses letters, digits, - and _ only (it is part of "
                              "addresses, e.g. bayi)."), "code")
    for field, column, value, label in (
            ("code", Community.code, code, _l("Code")),
            ("name", Community.name, name, _l("Community name")),
            ("office", Organization.name, office, _l("Office")),
            ("hotline", Community.hotline, hotline, _l("Hotline")),
            ("hotline_24h", Community.hotline_24h, hotline_24h, _l("24-hour line")),
            ("timezone", Community.timezone, timezone, "timezone")):
        try:
            fit(column, value, label)
        except TextTooLong as error:
            raise SetupRefused(str(error), field) from None
    if db.session.scalar(select(Community).where(Community.code == code)) is not None:
        raise SetupRefused(_l("A community with the code %(code)s exists already.",
                              code=code), "code")
    community = Community(code=code, name=name, hotline=hotline, hotline_24h=hotline_24h,
                          timezone=timezone)
    db.session.add(community)
    db.session.add(Organization(community=community, kind=OrgKind.OFFICE, name=office))
    ensure_standard_categories()
    db.session.flush()
    return community


def set_up(code: str, name: str, office: str, hotline: str | None, hotline_24h: str | None,
           username: str, display_name: str, password: str) -> tuple[Community, User]:
    """A community, its office, the standard categories and its first admin, in the
    caller's unit of work: all of them or, refused, none."""
    community = create_community(code, name, office, hotline, hotline_24h)
    office_org = db.session.scalars(select(Organization).where(
        Organization.community_id == community.id, Organization.kind == OrgKind.OFFICE)).one()
    try:
        admin = accounts.create_user(username, display_name, password, Role.ADMIN, office_org)
    except accounts.AccountError as error:
        raise SetupRefused(error.message) from None
    db.session.flush()  # the admin's id, for logging them in
    return community, admin
