"""Staff accounts: creation, password checks and the brake on password guessing."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.domain import DomainRefused, login_throttle
from webapp.domain.phones import InvalidPhone, normalise_phone
from webapp.extensions import db
from webapp.models import LoginAttempt, Organization, Role, User
from webapp.models.text import TextTooLong, fit, max_length, plain
from webapp.models.types import utcnow

MIN_PASSWORD_LENGTH = 8
# Checked when the username is unknown, so that a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(DomainRefused, ValueError):
    pass


def create_user(username: str, display_name: str, password: str, role: str,
                organization: Organization, phone: str | None = None) -> User:
    username = plain(username).strip().lower()
    if not username or not username.replace("_", "").replace("-", "").isalnum():
        raise AccountError(_l("A username uses letters, digits, - and _ only."))
    display_name = plain(display_name).strip() or username
    try:
        fit(User.username, username, _l("Username"))
        fit(User.display_name, display_name, _l("Name"))
        fit(User.phone, phone, _l("Phone"))
    except TextTooLong as error:
        raise AccountError(str(error)) from None
    if role not in set(Role):
        raise AccountError(_l("Unknown role."))
    check_password(password)
    try:
        phone = normalise_phone(phone)
    except InvalidPhone as invalid:
        raise AccountError(str(invalid)) from None
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise AccountError(_l("That username is taken."))
    user = User(username=username, display_name=display_name,
                password_hash=generate_password_hash(password), role=role,
                organization=organization, phone=phone)
    db.session.add(user)
    db.session.commit()
    return user


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("A password needs at least %(n)d characters.",
                              n=MIN_PASSWORD_LENGTH))


def set_password(user: User, password: str) -> None:
    check_password(password)
    user.password_hash = generate_password_hash(password)
    db.session.commit()


def authenticate(username: str, password: str, remote_addr: str,
                 now: datetime | None = None) -> User | None:
    """The active user with these credentials, or None. Raises TooManyAttempts (with the
    wait) while this username and address must wait: see domain/login_throttle.py."""
    now = now or utcnow()
    # Cut to the columns only to count failures: no account has a longer name.
    username = (username or "").strip().lower()[:max_length(LoginAttempt.username)]
    if "\x00" in username:  # no account has one, and PostgreSQL cannot store it
        username = ""
    remote_addr = (remote_addr or "?")[:max_length(LoginAttempt.remote_addr)]
    login_throttle.check(username, remote_addr, now)

    user = db.session.scalar(select(User).where(User.username == username))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not valid or not user.active:
        login_throttle.record_failure(username, remote_addr, now)
        return None
    # The owner got in from here: their typos from this address stop slowing them down.
    login_throttle.clear(username, now, address=remote_addr)
    user.last_login_at = now
    db.session.commit()
    return user
