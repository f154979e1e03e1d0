"""Language choice (cookie set by the switch, else Accept-Language) and display helpers."""

from functools import lru_cache
from urllib.parse import urlsplit

from babel import Locale
from flask import current_app, g, has_request_context, redirect, request
from flask_babel import get_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from webapp.domain.reports import sla
from webapp.domain.reports.labels import (
    CLOCK_STATES,
    MILESTONE_LABELS,
    PAUSES,
    PAUSES_FOR_RESIDENTS,
    PRIORITIES,
    STATUS_LABELS,
    channel_label,
    target_label,
)
from webapp.domain.services.prices import service_price

LANG_COOKIE = "lang"
# What each language is called in itself, for the switch.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}

EVENT_LABELS = {
    "submitted": _l("Report received"),
    "info_added": _l("Resident added information"),
    "rated": _l("Resident confirmed the fix"),
    "reopened": _l("Resident says it is not fixed"),
    "assigned": _l("Dispatched"),
    "accepted": _l("Job accepted"),
    "arrived": _l("Staff on site"),
    "resolved": _l("Resolved"),
    "declined": _l("Handed back to the dispatcher"),
    "escalated": _l("Passed to a department"),
    "needs_consultation": _l("Needs a residents' decision"),
    "duplicate": _l("Merged with an earlier report"),
    "rejected": _l("Not accepted"),
    "reply": _l("Reply from the community"),
    "note": _l("Internal note"),
    "priority": _l("Priority changed"),
    "callback": _l("Call-back to the resident"),
    "auto_closed": _l("Closed automatically without a rating"),
    "board_hidden": _l("Hidden from the public board"),
    "board_shown": _l("Shown on the public board"),
    "photos_published": _l("Photos published"),
    "photos_withdrawn": _l("Photos no longer published"),
    "responded": _l("The department reported back (报到)"),
    "plan_submitted": _l("Plan submitted"),
    "followed": _l("A neighbour has this problem too"),
    "reopened_after_callback": _l("Reopened after the call-back"),
    "consultation_opened": _l("Residents' decision opened (一事一议)"),
    "consultation_approved": _l("Approved by the residents; the work goes on"),
    "consultation_declined": _l("Declined by the residents; closed"),
    "consultation_decided": _l("The residents have decided"),
}


# Parsed once: Babel's Locale.parse costs more than the rest of a cached page.
_PARSED = {code: Locale.parse(code) for code in LANGUAGE_NAMES}


def select_locale() -> Locale:
    return _PARSED[chosen_language()]


def chosen_language() -> str:
    if not has_request_context():  # CLI tasks and tests: the configured default
        return current_app.config["DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return _language_asked(request.headers.get("Accept-Language", ""),
                           current_app.config["DEFAULT_LOCALE"])


@lru_cache(maxsize=256)
def _language_asked(accept_language: str, default: str) -> str:
    # Remembered per header: browsers send a handful of distinct ones, and parsing one cost
    # as much as the rest of a kept public page.
    for tag, _quality in parse_accept_header(accept_language, LanguageAccept):
        primary = tag.lower().replace("_", "-").split("-")[0]
        if primary == "zh":
            return "zh_CN"
        if primary == "en":
            return "en"
    return default


def select_timezone() -> str:
    """Every time a page shows (Babel's date filters) is in its community's zone: the zone
    of the community the page is about (a resident's booking or report), else of the
    signed-in user's community, else the configured default."""
    if has_request_context():
        if g.get("page_timezone"):
            return g.page_timezone
        organization = getattr(current_user, "organization", None)
        if organization is not None:
            return organization.community.timezone
    return current_app.config["DEFAULT_TIMEZONE"]


def show_times_of(community) -> None:
    """The page is about this community: show its times in its zone."""
    g.page_timezone = community.timezone
    refresh()  # Babel keeps the zone it found first for the rest of the request


def current_language() -> str:
    """The chosen language as one of LANGUAGES (Babel spells zh_CN as zh_Hans_CN)."""
    return "zh_CN" if str(get_locale()).startswith("zh") else "en"


def html_lang() -> str:
    return "zh-CN" if current_language() == "zh_CN" else "en"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL or a scheme-relative one."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/"
    return target


def cookie_is_secure() -> bool:
    return bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def switch_language(code: str):
    response = redirect(safe_next(request.args.get("next")), code=303)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
            secure=cookie_is_secure(),
        )
    return response


def init_app(app) -> None:
    from webapp.access import public

    app.add_url_rule("/lang/<code>", "switch_language", public(switch_language))

    @app.context_processor
    def language_helpers():
        locale = current_language()
        return {
            "locale": locale,
            "html_lang": html_lang(),
            "other_languages": {c: n for c, n in LANGUAGE_NAMES.items() if c != locale},
            "status_label": lambda s: STATUS_LABELS.get(s, s),
            "event_label": lambda k: EVENT_LABELS.get(k, k),
            "priority_label": lambda p: PRIORITIES.get(p, p),
            "clock_label": lambda state: CLOCK_STATES.get(state, state),
            "milestone_label": lambda name: MILESTONE_LABELS.get(name, name),
            "target_label": target_label,
            # Why a report's clocks stand still, or None: for staff, and for its resident.
            "paused_because": lambda report: PAUSES.get(sla.pause_reason(report)),
            "paused_for_resident": lambda report: PAUSES_FOR_RESIDENTS.get(
                sla.pause_reason(report)),
            "channel_label": channel_label,
            "price_of": service_price,  # what a service costs, in one sentence
        }
