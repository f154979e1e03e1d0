"""Staff accounts: creation, password checks and the brake on password guessing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.domain import DomainRefused
from webapp.domain.people import login_throttle
from webapp.domain.shared.phones import InvalidPhone, normalise_phone
from webapp.extensions import db
from webapp.models import COMMUNITY_ROLES, District, LoginAttempt, Organization, Role, Street, User
from webapp.models.text import TextTooLong, fit, max_length, plain
from webapp.models.types import utcnow

MIN_PASSWORD_LENGTH = 8
# Checked when the username is unknown, so that a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(DomainRefused, ValueError):
    pass


@dataclass(frozen=True)
class AccountChanges:
    """What an admin changes of an account; a blank password, and a name or phone of None,
    leave it as it is (a phone of "" takes it away)."""

    role: str | None = None
    organization: Organization | None = None
    active: bool = True
    password: str = ""
    display_name: str | None = None
    phone: str | None = None


# The roles from the least powerful up: what the new-account form offers first.
ROLES_LEAST_FIRST = (Role.VOLUNTEER, Role.HANDLER, Role.DISPATCHER, Role.ADMIN)


def create_user(username: str, display_name: str, password: str, role: str,
                organization: Organization | None, phone: str | None = None, *,
                street: Street | None = None, district: District | None = None) -> User:
    """A community's staff member or volunteer (in an organisation), or an overseer of one
    street office or one district (domain/district/)."""
    if role == Role.OVERSEER:
        if organization is not None or (street is None) == (district is None):
            raise AccountError(_l("An overseer belongs to one street office or one district, "
                                  "not to an organisation."))
    elif organization is None:
        raise AccountError(_l("Choose an organisation."))
    elif street is not None or district is not None:
        raise AccountError(_l("Only an overseer belongs to a street office or a district."))
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
                organization=organization, street=street, district=district, phone=phone)
    db.session.add(user)
    return user


def users_of(community_id: int) -> list[User]:
    """The accounts of the community's active organisations, by role and username."""
    return list(db.session.scalars(
        select(User).join(User.organization)
        .where(Organization.community_id == community_id, Organization.active)
        .order_by(User.role, User.username)))


def user_of(community_id: int, user_id: int) -> User | None:
    """One of users_of(community_id), or None: another community's is as good as missing."""
    user = db.session.get(User, user_id)
    org = user.organization if user is not None else None
    return user if org is not None and org.community_id == community_id and org.active \
        else None


def disables(user: User, changes: AccountChanges, by: User) -> bool:
    """Whether the change locks someone out (asked before it is made)."""
    return user.active and user.id != by.id and not changes.active


def update_user(user: User, changes: AccountChanges, by: User) -> None:
    """An admin's change of an account's name, phone, role, organisation, state or password.
    Refused, changing nothing: disabling or demoting oneself (nobody locks themselves out),
    and leaving the community without an active admin."""
    # An admin cannot make an overseer (a district's or street's account).
    role = changes.role if changes.role in COMMUNITY_ROLES else user.role
    if user.id == by.id and not changes.active:
        raise AccountError(_l("You cannot disable your own account; another admin can."))
    if user.id == by.id and role != Role.ADMIN and user.role == Role.ADMIN:
        raise AccountError(_l("You cannot take the admin role from yourself; another admin "
                              "can."))
    if user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not changes.active) \
            and not _other_active_admins(user):
        raise AccountError(_l("%(name)s is the last active admin of this community: make "
                              "someone else admin first.", name=user.display_name))
    if changes.display_name is not None:
        user.display_name = _display_name(changes.display_name)
    if changes.phone is not None:
        user.phone = _phone(changes.phone or None)
    user.role = role
    if changes.organization is not None:
        user.organization = changes.organization
    user.active = changes.active
    if changes.password:
        set_password(user, changes.password)


def _other_active_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).join(User.organization)
        .where(Organization.community_id == user.organization.community_id,
               Organization.active, User.active, User.role == Role.ADMIN, User.id != user.id))


def _display_name(name: str) -> str:
    name = plain(name).strip()
    if not name:
        raise AccountError(_l("Please give the person's name."))
    try:
        return fit(User.display_name, name, _l("Name"))
    except TextTooLong as error:
        raise AccountError(str(error)) from None


def _phone(phone: str | None) -> str | None:
    try:
        fit(User.phone, phone, _l("Phone"))
        return normalise_phone(phone)
    except TextTooLong as error:
        raise AccountError(str(error)) from None
    except InvalidPhone as invalid:
        raise AccountError(str(invalid)) from None


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("A password needs at least %(n)d characters.",
                              n=MIN_PASSWORD_LENGTH))


def set_password(user: User, password: str) -> None:
    check_password(password)
    user.password_hash = generate_password_hash(password)


def authenticate(username: str, password: str, remote_addr: str,
                 now: datetime | None = None) -> User | None:
    """The active user with these credentials, or None. Raises TooManyAttempts (with the
    wait) while this username and address must wait: see domain/people/login_throttle.py."""
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
    return user
