"""Notification preferences: defaults until chosen, saved whole or refused with a reason,
texts only to a mobile number on the account."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.notify import preferences
from webapp.domain.notify.preferences import Choices
from webapp.domain.notify.recipients import deliver_at, preference
from webapp.extensions import db
from webapp.models import NotificationPreference

DEFAULTS = Choices(language="zh", push=True, sms=False, desktop=True, sound=False,
                   quiet_hours=True, quiet_from=22 * 60, quiet_until=7 * 60)


def chosen(**changes):
    return replace(DEFAULTS, **changes)


def test_without_a_choice_the_defaults(users):
    assert preferences.get(users["dispatcher"]) == DEFAULTS
    assert db.session.get(NotificationPreference, users["dispatcher"].id) is None


def test_saved_choices_come_back_and_steer_the_fan_out(users):
    user = users["mateng"]
    user.phone = "13800138000"
    mine = chosen(language="en", sms=True, sound=True, quiet_from=23 * 60 + 30,
                  quiet_until=6 * 60)
    with unit_of_work():
        preferences.save(user, mine)
    assert preferences.get(user) == mine
    # What recipients.py reads when it fans a notice out is what was saved.
    assert preference(user).language == "en" and preference(user).sms


def test_texts_need_a_mobile_number_on_the_account(users):
    user = users["dispatcher"]
    user.phone = "0351-7654321"  # a landline cannot take a text
    db.session.commit()
    assert not preferences.can_text(user)
    with pytest.raises(DomainRefused) as refused, unit_of_work():
        preferences.save(user, chosen(sms=True, sound=True))
    assert refused.value.field == "sms"
    assert db.session.get(NotificationPreference, user.id) is None  # nothing half-stored


@pytest.mark.parametrize(("changes", "field"), [
    ({"language": "fr"}, "language"),
    ({"quiet_from": None}, "quiet_from"),
    ({"quiet_until": 24 * 60}, "quiet_until"),
    ({"quiet_from": 8 * 60, "quiet_until": 8 * 60}, "quiet_until"),
])
def test_what_makes_no_sense_is_refused_in_both_languages(users, changes, field):
    with pytest.raises(DomainRefused) as refused, unit_of_work():
        preferences.save(users["dispatcher"], chosen(**changes))
    assert refused.value.field == field
    with force_locale("zh_CN"):
        zh = str(refused.value)
    with force_locale("en"):
        en = str(refused.value)
    assert zh != en and any("\u4e00" <= c <= "\u9fff" for c in zh)


def test_quiet_hours_off_keep_their_times_and_let_everything_through(users):
    user = users["dispatcher"]
    with unit_of_work():
        preferences.save(user, chosen(quiet_from=21 * 60, quiet_until=8 * 60))
    with unit_of_work():  # switched off, with the time fields left empty
        preferences.save(user, chosen(quiet_hours=False, quiet_from=None, quiet_until=None))
    got = preferences.get(user)
    assert not got.quiet_hours and (got.quiet_from, got.quiet_until) == (21 * 60, 8 * 60)
    midnight_in_shanghai = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    assert deliver_at(preference(user), "Asia/Shanghai", midnight_in_shanghai, False) \
        == midnight_in_shanghai


@pytest.mark.parametrize(("text", "minute"), [
    ("07:30", 450), ("7:05", 425), ("00:00", 0), ("23:59", 1439),
    ("24:00", None), ("12:60", None), ("1230", None), ("", None), (None, None),
    ("７:30", None), ("-1:30", None), ("12:3", None)])
def test_times_of_day_are_read_as_hh_mm(text, minute):
    assert preferences.minute_of(text) == minute
    if minute is not None:
        assert preferences.minute_of(preferences.time_text(minute)) == minute
