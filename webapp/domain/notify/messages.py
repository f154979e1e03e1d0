"""The words of each notification, in the recipient's language. A Notice carries the facts;
`render` turns them into a title and a body under that language."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from webapp.models import Notification, NotificationPreference
from webapp.models.text import max_length

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Notice:
    """Something happened that someone should hear of. `key` names the happening once (a
    timeline event, a booking's change): every row it causes is deduplicated on it."""

    key: str
    kind: str
    community_id: int | None
    staff_path: str  # the page staff open for it
    facts: dict = field(default_factory=dict)  # number, category_zh/en, place, note, when…
    urgent: bool = False
    report_id: int | None = None


# kind → (title, body). Facts are filled in with str.format after translation.
TEXTS = {
    "new_report": (_l("New report {number}"), _l("{category} · {place}")),
    "assigned": (_l("New job {number}"), _l("{category} · {place}")),
    "escalated": (_l("Escalated to you: {number}"), _l("{category} · {place}")),
    "due_soon": (_l("Due soon: {number}"), _l("{milestone} due at {when} · {place}")),
    "overdue": (_l("Overdue: {number}"), _l("{milestone} was due at {when} · {place}")),
    "handed_back": (_l("Handed back: {number}"), _l("{note}")),
    "not_fixed": (_l("Resident says not fixed: {number}"), _l("{note}")),
    "info_added": (_l("Resident added information: {number}"), _l("{note}")),
    "responded": (_l("The department reported back: {number}"), _l("{note}")),
    "received": (_l("Report {number} received"),
                 _l("Your report ({category}) was received. Follow it here:")),
    "progress": (_l("Report {number}: {status}"), _l("{note}")),
    "resolved": (_l("Report {number} resolved"),
                 _l("Your report ({category}) was resolved. Please confirm or tell us it is "
                    "not fixed:")),
    "following": (_l("Report {number}: you follow it"),
                  _l("You have this problem ({category}) too. We will text you when it is "
                     "fixed. Its progress:")),
    "following_resolved": (_l("Report {number} resolved"),
                           _l("The problem you have too ({category}) was resolved. Its "
                              "progress:")),
    "booking_made": (_l("New booking: {service}"), _l("{when} · {place}")),
    "booking_cancelled": (_l("Booking cancelled: {service}"), _l("{when} · {place}")),
    "slot_called_off": (_l("Called off: {service}"), _l("{when} · {note}")),
    "volunteer_left": (_l("A volunteer left: {service}"), _l("{when} · {volunteer}")),
    "booking_confirmed": (_l("Booked: {service}"), _l("{when}. {price} Your booking:")),
    "waitlist_joined": (_l("Waiting list: {service}"),
                        _l("{when}. You are on the waiting list; if a place frees up, it is "
                           "yours and we text you. Your place in line:")),
    "waitlist_promoted": (_l("You got a place: {service}"),
                          _l("{when}. A place freed up and it is yours. {price} Your "
                             "booking:")),
    "last_volunteer_left": (_l("No volunteer now: {service}"),
                            _l("{when} · {volunteer} left; {booked} residents are booked. "
                               "Find a volunteer, let it run without one, or call it off.")),
    "shift_reminder": (_l("Reminder: {service}"), _l("{when} · {place}")),
    "redemption_decided": (_l("Points: {reward}"), _l("{decision}")),
    "consultation_decided": (_l("Residents' decision: {title}"),
                             _l("The consultation has closed: {outcome}.")),
    "care_visit_missed": (_l("Care visit not made: {name}"),
                          _l("Due {day} · {place} · volunteer: {volunteer}")),
}


def language_of(preference: NotificationPreference | None) -> str:
    return preference.language if preference and preference.language in LANGUAGES else "zh"


def render(notice: Notice, language: str) -> tuple[str, str]:
    """The title and body for `notice` in `language`, cut to what the bell stores."""
    title, body = TEXTS[notice.kind]
    with force_locale(language):
        facts = {name: _pick(value, language) for name, value in notice.facts.items()}
        facts.setdefault("note", "")
        title_text = str(title).format_map(_Blank(facts))
        body_text = str(body).format_map(_Blank(facts))
    return (_cut(title_text, max_length(Notification.title)), _cut(body_text, 300))


def _pick(value, language: str) -> str:
    """A fact given in both languages ({"zh": …, "en": …}) or a lazy string, in `language`."""
    if isinstance(value, dict):
        return value.get(language) or value.get("zh") or ""
    return "" if value is None else str(value)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Blank(dict):
    def __missing__(self, key):
        return ""
