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
    # said, not silently ignored (issue 16): the admin learns why nothing changed
    with force_locale("en"), pytest.raises(accounts.AccountError, match="your own account"), \
            unit_of_work():
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


def test_an_admin_renames_and_rephones_and_bad_input_changes_nothing(users):
    grid, admin = users["grid"], users["admin"]
    with unit_of_work():
        accounts.update_user(grid, accounts.AccountChanges(
            display_name=" 网格员 小张 ", phone="139-1234-5678"), admin)
    db.session.expire_all()
    assert (grid.display_name, grid.phone) == ("网格员 小张", "13912345678")
    for changes, message in (
            (accounts.AccountChanges(display_name=" ", role=Role.DISPATCHER), "name"),
            (accounts.AccountChanges(phone="call me", role=Role.DISPATCHER), "mobile number"),
            (accounts.AccountChanges(display_name="字" * 61), "at most 60")):
        with force_locale("en"), pytest.raises(accounts.AccountError, match=message), \
                unit_of_work():
            accounts.update_user(grid, changes, admin)
    db.session.expire_all()
    assert (grid.display_name, grid.role) == ("网格员 小张", Role.HANDLER)
    with unit_of_work():  # "" takes the phone away; None leaves the name
        accounts.update_user(grid, accounts.AccountChanges(phone=""), admin)
    assert (grid.display_name, grid.phone) == ("网格员 小张", None)


def test_no_admin_demotes_themselves_nor_the_last_active_admin(users, office):
    admin = users["admin"]
    with force_locale("en"), pytest.raises(accounts.AccountError, match="from yourself"), \
            unit_of_work():
        accounts.update_user(admin, accounts.AccountChanges(role=Role.DISPATCHER), admin)
    # another way in (the CLI, a second admin since disabled): the last one stays
    for changes in (accounts.AccountChanges(role=Role.HANDLER),
                    accounts.AccountChanges(role=Role.ADMIN, active=False)):
        with force_locale("en"), pytest.raises(accounts.AccountError, match="last active"), \
                unit_of_work():
            accounts.update_user(admin, changes, users["dispatcher"])
    db.session.expire_all()
    assert (admin.role, admin.active) == (Role.ADMIN, True)
    with unit_of_work():
        second = accounts.create_user("second-admin", "", "long-enough-1", Role.ADMIN, office)
    with unit_of_work():
        accounts.update_user(second, accounts.AccountChanges(role=Role.HANDLER), admin)
        accounts.update_user(admin, accounts.AccountChanges(role=Role.ADMIN), admin)
    assert second.role == Role.HANDLER
    with unit_of_work():
        second.role = Role.ADMIN
    with unit_of_work():
        accounts.update_user(admin, accounts.AccountChanges(role=Role.HANDLER), second)
    assert admin.role == Role.HANDLER
