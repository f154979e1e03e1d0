"""Staff accounts as the admin pages make and change them, without the pages
(domain/people/accounts.py), each change in its own unit of work."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.security import check_password_hash

from webapp.domain import unit_of_work
from webapp.domain.people import accounts
from webapp.extensions import db
from webapp.models import Organization, Role, User


@pytest.fixture
def office(demo):
    return db.session.scalars(select(Organization).where(
        Organization.name == "八一社区居委会")).one()


def test_an_account_is_made_in_the_unit_of_work_and_refused_whole(office):
    with unit_of_work():
        made = accounts.create_user(" NewBie ", "", "long-enough-1", Role.HANDLER, office,
                                    "138 0013 8000")
    assert (made.username, made.display_name, made.phone) == ("newbie", "newbie",
                                                               "13800138000")
    for args, message in (
            (("x", "X", "long-enough-1", Role.HANDLER, None), "Choose an organisation."),
            (("a b", "X", "long-enough-1", Role.HANDLER, office), "letters, digits"),
            (("newbie", "X", "long-enough-1", Role.HANDLER, office), "taken"),
            (("other", "X", "short", Role.HANDLER, office), "at least 8"),
            (("other", "X", "long-enough-1", "king", office), "Unknown role")):
        with force_locale("en"), pytest.raises(accounts.AccountError, match=message), \
                unit_of_work():
            accounts.create_user(*args)
    assert db.session.scalar(select(User).where(User.username.in_(["x", "other"]))) is None


def test_an_admin_changes_role_organisation_state_and_password(users, office):
    grid = users["grid"]
    other_org = db.session.scalars(select(Organization).where(
        Organization.community_id == office.community_id, Organization.id != office.id)).first()
    changes = accounts.AccountChanges(role=Role.DISPATCHER, organization=other_org,
                                      active=False, password="a-new-password")
    assert accounts.disables(grid, changes, users["admin"])
    with unit_of_work():
        accounts.update_user(grid, changes, users["admin"])
    db.session.expire_all()
    assert (grid.role, grid.organization_id, grid.active) == (Role.DISPATCHER, other_org.id,
                                                             False)
    assert check_password_hash(grid.password_hash, "a-new-password")


def test_nobody_locks_themselves_out_and_a_short_password_changes_nothing(users):
    admin = users["admin"]
    changes = accounts.AccountChanges(role=Role.HANDLER, active=False)
    assert not accounts.disables(admin, changes, admin)
    with unit_of_work():
        accounts.update_user(admin, accounts.AccountChanges(active=False), admin)
    assert db.session.get(User, admin.id).active
    grid = users["grid"]
    with pytest.raises(accounts.AccountError), unit_of_work():
        accounts.update_user(grid, accounts.AccountChanges(role=Role.ADMIN, password="short"),
                             admin)
    db.session.expire_all()
    assert grid.role == Role.HANDLER


def test_an_admin_sees_and_finds_only_their_own_communitys_accounts(users, office):
    there = db.session.scalars(select(Organization).where(
        Organization.name == "新桥北村社区居委会")).one()
    with unit_of_work():
        stranger = accounts.create_user("xq-admin", "", "long-enough-1", Role.ADMIN, there)
    mine = accounts.users_of(office.community_id)
    assert users["admin"] in mine and stranger not in mine
    assert accounts.user_of(office.community_id, users["grid"].id) is users["grid"]
    assert accounts.user_of(office.community_id, stranger.id) is None
    assert accounts.user_of(there.community_id, stranger.id) is stranger
