"""The login brake slows guessing down and never locks the owner out. Times are passed in."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from webapp.domain.people import accounts, login_throttle
from webapp.extensions import db
from webapp.models import LoginAttempt

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
OWN, ATTACKER = "192.0.2.10", "198.51.100.66"


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def attempts(**where):
    return db.session.scalar(select(func.count()).select_from(LoginAttempt).filter_by(**where))


def test_waits_grow_per_username_and_address(users):
    for n in range(3):  # the first three mistakes cost nothing
        assert accounts.authenticate("dispatcher", "wrong", OWN, now=at(n)) is None
    with pytest.raises(login_throttle.TooManyAttempts) as brake:
        accounts.authenticate("dispatcher", "mashang-demo", OWN, now=at(2.5))
    assert brake.value.wait == timedelta(seconds=1.5)  # 2 s after the third failure
    assert accounts.authenticate("dispatcher", "wrong", OWN, now=at(4)) is None
    with pytest.raises(login_throttle.TooManyAttempts) as brake:
        accounts.authenticate("dispatcher", "wrong", OWN, now=at(7))
    assert brake.value.wait == timedelta(seconds=1)  # now 4 s
    assert [login_throttle.wait_after(n).total_seconds() for n in (2, 3, 4, 5, 6, 20)] == \
        [0, 2, 4, 8, 16, 300]
    # the throttled tries were refused without a password check, and recorded as such
    assert attempts(throttled=True) == 2 and attempts(throttled=False) == 4
    assert accounts.authenticate("dispatcher", "mashang-demo", OWN, now=at(8)) is not None


def test_the_owner_logs_in_from_their_address_while_their_name_is_hammered(users):
    # one address hammering, as fast as it can, and a botnet of 20 more addresses
    for n in range(200):
        try:
            accounts.authenticate("dispatcher", f"guess{n}", ATTACKER, now=at(n / 10))
        except login_throttle.TooManyAttempts:
            pass
    for n in range(20):
        accounts.authenticate("dispatcher", "guess", f"203.0.113.{n}", now=at(20))
    assert accounts.authenticate("dispatcher", "mashang-demo", OWN, now=at(21)) is not None
    # a typo of the owner's under attack costs a minute (the ceiling), never a lock
    assert accounts.authenticate("dispatcher", "typo", OWN, now=at(30)) is None
    with pytest.raises(login_throttle.TooManyAttempts) as brake:
        accounts.authenticate("dispatcher", "mashang-demo", OWN, now=at(31))
    assert brake.value.wait == timedelta(seconds=59)
    assert accounts.authenticate("dispatcher", "mashang-demo", OWN, now=at(90)) is not None
    # the botnet's addresses also wait a minute between tries of this name
    with pytest.raises(login_throttle.TooManyAttempts):
        accounts.authenticate("dispatcher", "guess", "203.0.113.1", now=at(40))


def test_one_address_trying_many_names_waits_a_minute_between_tries(users):
    for n in range(20):
        accounts.authenticate(f"name{n}", "guess", ATTACKER, now=at(n))
    with pytest.raises(login_throttle.TooManyAttempts):
        accounts.authenticate("dispatcher", "mashang-demo", ATTACKER, now=at(30))
    assert accounts.authenticate("dispatcher", "mashang-demo", ATTACKER, now=at(80))
    assert accounts.authenticate("dispatcher", "mashang-demo", OWN, now=at(30))


def test_clearing_lets_the_name_try_at_once_and_keeps_the_audit(users):
    for n in range(8):
        try:
            accounts.authenticate("dispatcher", "wrong", OWN, now=at(n))
        except login_throttle.TooManyAttempts:
            pass
    with pytest.raises(login_throttle.TooManyAttempts):
        accounts.authenticate("dispatcher", "mashang-demo", OWN, now=at(7.5))
    recorded = attempts()
    assert login_throttle.clear("dispatcher", at(7.5)) == recorded
    db.session.commit()
    assert accounts.authenticate("dispatcher", "mashang-demo", OWN, now=at(7.5)) is not None
    assert attempts() == recorded  # still on the audit page


def test_failures_stay_for_the_audit_for_30_days_only(users):
    accounts.authenticate("dispatcher", "wrong", OWN, now=at(0))
    accounts.authenticate("nobody", "wrong", OWN, now=at(0) + timedelta(days=29))
    assert attempts() == 2
    accounts.authenticate("nobody", "wrong", OWN, now=at(0) + timedelta(days=31))
    assert attempts(username="dispatcher") == 0 and attempts(username="nobody") == 2
