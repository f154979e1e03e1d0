"""How a staff user or volunteer wants to be told: the language of their messages, push,
text messages (only to a mobile number on their account), browser notifications and a sound
while a staff page is open, and quiet hours in which only urgent items get through."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from webapp.domain import DomainRefused
from webapp.domain.notify.messages import LANGUAGES
from webapp.domain.notify.recipients import preference
from webapp.domain.shared.phones import texting_number
from webapp.extensions import db
from webapp.models import NotificationPreference, User

MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True)
class Choices:
    language: str
    push: bool
    sms: bool
    desktop: bool
    sound: bool
    quiet_hours: bool
    # Minutes after local midnight; None: not given or not a time.
    quiet_from: int | None
    quiet_until: int | None


def get(user: User) -> Choices:
    """The user's choices, or the defaults when they have made none."""
    pref = preference(user)
    return Choices(language=pref.language, push=pref.push, sms=pref.sms, desktop=pref.desktop,
                   sound=pref.sound, quiet_hours=pref.quiet_hours, quiet_from=pref.quiet_from,
                   quiet_until=pref.quiet_until)


def can_text(user: User) -> bool:
    """Texts go only to a mobile number on the user's account."""
    return texting_number(user.phone) is not None


def save(user: User, choices: Choices) -> None:
    if choices.language not in LANGUAGES:
        raise DomainRefused(_l("Please choose Chinese or English for your messages."),
                            field="language")
    if choices.sms and not can_text(user):
        raise DomainRefused(_l("Text messages need a mobile number on your account; ask an "
                               "admin to add it."), field="sms")
    times = (choices.quiet_from, choices.quiet_until)
    if choices.quiet_hours:
        for name, minute in zip(("quiet_from", "quiet_until"), times, strict=True):
            if minute is None or not 0 <= minute < MINUTES_A_DAY:
                raise DomainRefused(_l("Please give the quiet hours as a time of day, e.g. "
                                       "22:00 and 07:00."), field=name)
        if choices.quiet_from == choices.quiet_until:
            raise DomainRefused(_l("Quiet hours must start and end at different times."),
                                field="quiet_until")
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = preference(user)  # the defaults, stored from now on
        db.session.add(pref)
    pref.language, pref.push, pref.sms = choices.language, choices.push, choices.sms
    pref.desktop, pref.sound = choices.desktop, choices.sound
    pref.quiet_hours = choices.quiet_hours
    # Switched off, quiet hours keep their times (unless new ones were given) for next time.
    pref.quiet_from = _time_or(choices.quiet_from, pref.quiet_from)
    pref.quiet_until = _time_or(choices.quiet_until, pref.quiet_until)


def _time_or(minute: int | None, kept: int) -> int:
    return minute if minute is not None and 0 <= minute < MINUTES_A_DAY else kept


def time_text(minute: int | None) -> str:
    """22 * 60 → "22:00"."""
    return "" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"


def minute_of(text: str | None) -> int | None:
    """"07:30" → 450; None for anything else."""
    hours, sep, minutes = (text or "").strip().partition(":")
    if not sep or not (hours.isascii() and hours.isdigit() and minutes.isascii()
                       and minutes.isdigit()) or len(minutes) != 2 or len(hours) > 2:
        return None
    hour, minute = int(hours), int(minutes)
    return hour * 60 + minute if hour < 24 and minute < 60 else None
