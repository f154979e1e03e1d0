"""Staff accounts: creation, password checks and the brake on password guessing."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.domain.phones import InvalidPhone, normalise_phone
from webapp.extensions import db
from webapp.models import LoginAttempt, Organization, Role, User
from webapp.models.types import utcnow

MIN_PASSWORD_LENGTH = 8
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
# Checked when the username is unknown, so that a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    pass


class TooManyAttempts(Exception):
    pass


def create_user(username: str, display_name: str, password: str, role: str,
                organization: Organization, phone: str | None = None) -> User:
    username = username.strip().lower()
    if not username or not username.replace("_", "").replace("-", "").isalnum():
        raise AccountError(_l("A username uses letters, digits, - and _ only."))
    if role not in set(Role):
        raise AccountError(_l("Unknown role."))
    check_password(password)
    try:
        phone = normalise_phone(phone)
    except InvalidPhone as invalid:
        raise AccountError(str(invalid)) from None
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise AccountError(_l("That username is taken."))
    user = User(username=username, display_name=display_name.strip() or username,
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
    """The active user with these credentials, or None. Raises TooManyAttempts while the
    username or the address has failed too often in the last 15 minutes."""
    now = now or utcnow()
    username = (username or "").strip().lower()[:40]
    if "\x00" in username:  # no account has one, and PostgreSQL cannot store it
        username = ""
    remote_addr = (remote_addr or "?")[:64]
    since = now - WINDOW
    by_name, by_addr = db.session.execute(
        select(func.count().filter(LoginAttempt.username == username),
               func.count().filter(LoginAttempt.remote_addr == remote_addr))
        .where(LoginAttempt.created_at > since,
               or_(LoginAttempt.username == username, LoginAttempt.remote_addr == remote_addr))
    ).one()
    if by_name >= MAX_FAILURES_PER_USERNAME or by_addr >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts()

    user = db.session.scalar(select(User).where(User.username == username))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not valid or not user.active:
        db.session.add(LoginAttempt(username=username, remote_addr=remote_addr, created_at=now))
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - WINDOW * 4))
        db.session.commit()
        return None
    user.last_login_at = now
    db.session.commit()
    return user
