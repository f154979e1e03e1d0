"""Who may do what: the one table of roles and actions, plus the rule that a handler acts only
on jobs given to their own organisation."""

from __future__ import annotations

from enum import StrEnum

from webapp.models import OrgKind, Report, Role, User


class Action(StrEnum):
    VIEW_QUEUE = "view_queue"
    VIEW_REPORT = "view_report"
    ASSIGN = "assign"
    SET_PRIORITY = "set_priority"
    NEEDS_CONSULTATION = "needs_consultation"
    ESCALATE = "escalate"
    MERGE = "merge"
    REJECT = "reject"
    INTERNAL_NOTE = "internal_note"
    PUBLIC_REPLY = "public_reply"
    HIDE_FROM_BOARD = "hide_from_board"
    PUBLISH_PHOTOS = "publish_photos"
    CALLBACK = "callback"
    REOPEN = "reopen"  # a closed report, after a failed call-back (回访)
    EXPORT = "export"
    MY_JOBS = "my_jobs"
    ACCEPT = "accept"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    DECLINE = "decline"
    SUBMIT_PLAN = "submit_plan"  # a major job's plan (方案)
    RESPOND = "respond"  # a department reports back (报到), itself or through the dispatcher
    MANAGE_USERS = "manage_users"
    MANAGE_CATEGORIES = "manage_categories"
    MANAGE_PLACES = "manage_places"
    MANAGE_SERVICES = "manage_services"
    MANAGE_POINTS = "manage_points"
    MANAGE_CARE_CARDS = "manage_care_cards"
    MANAGE_API_KEYS = "manage_api_keys"
    VOLUNTEER = "volunteer"
    PRINT_CODES = "print_codes"
    STAFF_HOME = "staff_home"
    MANAGE_ORGANIZATIONS = "manage_organizations"
    NOTIFICATIONS = "notifications"  # one's own bell and notification settings
    VIEW_DELIVERIES = "view_deliveries"  # the community's delivery log
    # 多元点单: file a report for a resident (phone call, home visit, patrol, meeting).
    FILE_FOR_RESIDENT = "file_for_resident"
    # The district overview: figures across the communities of one's street or district.
    VIEW_DISTRICT = "view_district"
    # 一事一议: open consultations, print ballot slips, record paper votes and payments.
    MANAGE_CONSULTATIONS = "manage_consultations"
    # Say who was at a service: a service point's attendance, a home visit nobody scanned for.
    MARK_ATTENDANCE = "mark_attendance"


DISPATCH = {
    Action.VIEW_QUEUE, Action.VIEW_REPORT, Action.ASSIGN, Action.SET_PRIORITY,
    Action.NEEDS_CONSULTATION, Action.ESCALATE, Action.MERGE, Action.REJECT,
    Action.INTERNAL_NOTE, Action.PUBLIC_REPLY, Action.HIDE_FROM_BOARD, Action.PUBLISH_PHOTOS,
    Action.CALLBACK, Action.REOPEN, Action.EXPORT, Action.STAFF_HOME, Action.PRINT_CODES,
    Action.MANAGE_CARE_CARDS, Action.NOTIFICATIONS, Action.RESPOND, Action.FILE_FOR_RESIDENT,
    Action.MANAGE_CONSULTATIONS,
    Action.MARK_ATTENDANCE,
}
HANDLE = {
    Action.MY_JOBS, Action.VIEW_REPORT, Action.ACCEPT, Action.ARRIVE, Action.RESOLVE,
    Action.DECLINE, Action.INTERNAL_NOTE, Action.STAFF_HOME, Action.NOTIFICATIONS,
    Action.SUBMIT_PLAN, Action.RESPOND,
}
# What a grid's handlers (网格员) may do besides: they patrol and visit homes, and file what
# they find or are told for the residents (a property company's handler takes jobs only).
GRID_WORKER = frozenset({Action.FILE_FOR_RESIDENT})

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    # A community's admin runs the community: the district's figures are its overseers'.
    Role.ADMIN: frozenset(Action) - {Action.VIEW_DISTRICT},
    Role.DISPATCHER: frozenset(DISPATCH | {Action.MY_JOBS}),
    Role.HANDLER: frozenset(HANDLE),
    Role.VOLUNTEER: frozenset({Action.STAFF_HOME, Action.VOLUNTEER, Action.NOTIFICATIONS}),
    # Read-only across communities, and nothing of any one community's work or residents.
    Role.OVERSEER: frozenset({Action.STAFF_HOME, Action.VIEW_DISTRICT}),
}

# Actions on one report that a handler may take only on their own organisation's jobs.
HANDLER_SCOPED = {Action.VIEW_REPORT, Action.ACCEPT, Action.ARRIVE, Action.RESOLVE,
                  Action.DECLINE, Action.INTERNAL_NOTE, Action.SUBMIT_PLAN, Action.RESPOND}


def can(user: User | None, action: Action, report: Report | None = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if action not in ROLE_ACTIONS.get(user.role, frozenset()) and \
            not grid_worker_may(user, action):
        return False
    if report is not None and user.role == Role.HANDLER and action in HANDLER_SCOPED:
        return is_handlers_job(user, report)
    return True


def grid_worker_may(user: User, action: Action) -> bool:
    return action in GRID_WORKER and user.role == Role.HANDLER and \
        user.organization is not None and user.organization.kind == OrgKind.GRID


def is_handlers_job(user: User, report: Report) -> bool:
    """Given to the handler's organisation, and to them or to no one person in it."""
    return (report.assigned_org_id == user.organization_id
            and report.assigned_user_id in (None, user.id))
