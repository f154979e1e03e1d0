"""The table of roles × actions, and a handler's reach: pure rules, no database, no app."""

import pytest

from webapp.domain.people.permissions import (
    DISPATCH,
    HANDLE,
    HANDLER_SCOPED,
    ROLE_ACTIONS,
    Action,
    can,
)
from webapp.models import Report, Role, User

ORG, OTHER_ORG = 1, 2


def person(role, user_id=10, org=ORG, active=True):
    return User(id=user_id, username=f"u{user_id}", role=role, organization_id=org,
                active=active)


def job(org=ORG, user_id=None):
    return Report(assigned_org_id=org, assigned_user_id=user_id)


def test_every_role_has_its_actions_and_only_an_admin_has_all():
    """All of a community's actions: the district's figures are its overseers' alone, who
    may do nothing else."""
    assert set(ROLE_ACTIONS) == set(Role)
    assert ROLE_ACTIONS[Role.ADMIN] == frozenset(Action) - {Action.VIEW_DISTRICT}
    assert ROLE_ACTIONS[Role.OVERSEER] == {Action.STAFF_HOME, Action.VIEW_DISTRICT}
    for role in (Role.DISPATCHER, Role.HANDLER, Role.VOLUNTEER):
        assert ROLE_ACTIONS[role] < frozenset(Action), role
    assert ROLE_ACTIONS[Role.DISPATCHER] == frozenset(DISPATCH | {Action.MY_JOBS})
    assert ROLE_ACTIONS[Role.HANDLER] == frozenset(HANDLE)
    assert HANDLER_SCOPED <= HANDLE


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_can_follows_the_table_for_every_role_and_action(role, action):
    assert can(person(role), action) == (action in ROLE_ACTIONS[role])


@pytest.mark.parametrize(("action", "dispatcher", "handler", "volunteer"), [
    (Action.ASSIGN, True, False, False),
    (Action.ACCEPT, False, True, False),
    (Action.RESOLVE, False, True, False),
    (Action.EXPORT, True, False, False),
    (Action.MANAGE_USERS, False, False, False),
    (Action.VOLUNTEER, False, False, True),
    (Action.STAFF_HOME, True, True, True),
    (Action.NOTIFICATIONS, True, True, True),
    (Action.VIEW_DELIVERIES, False, False, False),
])
def test_who_does_what(action, dispatcher, handler, volunteer):
    assert [can(person(r), action) for r in (Role.DISPATCHER, Role.HANDLER, Role.VOLUNTEER)] \
        == [dispatcher, handler, volunteer]


def test_nobody_disabled_or_anonymous_may_do_anything():
    assert not any(can(None, action) for action in Action)
    assert not any(can(person(Role.ADMIN, active=False), action) for action in Action)


@pytest.mark.parametrize("action", sorted(HANDLER_SCOPED))
def test_a_handler_acts_only_on_their_organisations_jobs(action):
    handler = person(Role.HANDLER, user_id=10)
    assert can(handler, action, job())                        # the organisation's, no one's
    assert can(handler, action, job(user_id=10))              # theirs
    assert not can(handler, action, job(user_id=11))          # a colleague's
    assert not can(handler, action, job(org=OTHER_ORG))       # another company's
    assert not can(handler, action, job(org=None))            # not handed out yet
    assert can(person(Role.DISPATCHER), action, job(org=OTHER_ORG)) == \
        (action in ROLE_ACTIONS[Role.DISPATCHER])             # dispatchers are not scoped


@pytest.mark.parametrize(("kind", "may"), [("grid", True), ("property", False),
                                           ("office", False), ("department", False)])
def test_of_the_handlers_only_grid_workers_file_for_residents(kind, may):
    from webapp.models import Organization

    handler = person(Role.HANDLER)
    handler.organization = Organization(id=ORG, kind=kind, name=kind)
    assert can(handler, Action.FILE_FOR_RESIDENT) is may
    assert not can(person(Role.VOLUNTEER), Action.FILE_FOR_RESIDENT)
    assert can(person(Role.DISPATCHER), Action.FILE_FOR_RESIDENT)
