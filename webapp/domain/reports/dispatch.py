"""派单: the dispatcher's transitions — assign, prioritise, mark for a residents' decision,
escalate to a department (吹哨), merge, reject, notes and replies, call-backs (回访). The rules
they share are in transitions.py."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain.people.permissions import Action
from webapp.domain.reports import sla
from webapp.domain.reports.labels import PRIORITIES, STATUS_LABELS, S
from webapp.domain.reports.timeline import escalation_of, record_event
from webapp.domain.reports.transitions import (
    MissingInput,
    TransitionRefused,
    WrongChoice,
    check_allowed,
    hand_to,
    one_change_at_a_time,
    required_text,
    save_change,
)
from webapp.extensions import db
from webapp.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Milestone,
    Organization,
    OrgKind,
    Report,
    User,
)


@one_change_at_a_time
def assign(report: Report, actor: User, org: Organization, person: User | None = None, *,
           version: int | None = None, now: datetime | None = None) -> None:
    now = check_allowed(report, actor, Action.ASSIGN, version, now)
    if org is None or not org.active or org.community_id != report.community_id:
        raise WrongChoice(_l("Choose an organisation of this community."))
    if person is not None and (person.organization_id != org.id or not person.active):
        raise WrongChoice(_l("%(person)s does not work for %(org)s: choose one of its people, "
                             "or anyone in it.", person=person.display_name, org=org.name))
    accept_running = any(m.name == Milestone.ACCEPT for m in sla.open_milestones(report))
    record_event(report, "assigned", report.status, S.ASSIGNED, org.name, actor=actor, now=now)
    report.status = S.ASSIGNED
    hand_to(report, org, person)
    if not accept_running:
        sla.restart(report, now)
    save_change(report, now)


@one_change_at_a_time
def set_priority(report: Report, actor: User, priority: int, *, version=None, now=None) -> None:
    now = check_allowed(report, actor, Action.SET_PRIORITY, version, now)
    if priority not in PRIORITIES:
        raise TransitionRefused(_l("Unknown priority."))
    record_event(report, "priority", None, None, str(PRIORITIES[priority]), actor=actor,
                 public=False, now=now)
    was_urgent = report.urgent_or_care()
    report.priority = priority
    if report.urgent_or_care() != was_urgent:
        sla.retime(report)
    save_change(report, now)


@one_change_at_a_time
def mark_needs_consultation(report: Report, actor: User, note: str, *, version=None,
                            now=None) -> None:
    """一事一议: a major job that needs the residents' decision and cost sharing."""
    now = check_allowed(report, actor, Action.NEEDS_CONSULTATION, version, now)
    record_event(report, "needs_consultation", report.status, S.NEEDS_CONSULTATION,
                 required_text(note), actor=actor, now=now)
    report.status = S.NEEDS_CONSULTATION
    sla.meet(report, Milestone.PLAN, now)
    save_change(report, now)


@one_change_at_a_time
def escalate(report: Report, actor: User, department: Organization, reason: str, *,
             version=None, now=None) -> None:
    """吹哨: pass the report to a city department. The community's clocks stand still and the
    department's own (`respond`) runs until it reports back (报到, `record_response`), or
    takes the job over by accepting it."""
    now = check_allowed(report, actor, Action.ESCALATE, version, now)
    if department is None or department.kind != OrgKind.DEPARTMENT or \
            not department.active or department.community_id != report.community_id:
        raise TransitionRefused(_l("Choose a department to escalate to."))
    reason = required_text(reason)
    record_event(report, "escalated", report.status, S.ESCALATED, department.name, actor=actor,
                 now=now)
    record_event(report, "note", None, None, reason, actor=actor, public=False, now=now)
    if report.status != S.ESCALATED:  # passed on from one department to another: the same
        report.escalated_from_org = report.assigned_org
        report.escalated_from_user = report.assigned_user
    report.status = S.ESCALATED
    report.assigned_org, report.assigned_user = department, None
    sla.cancel_named(report, Milestone.RESPOND, now)
    sla.follow_status(report, now)
    sla.start(report, Milestone.RESPOND, now)
    save_change(report, now)


RESPONSE_IN_THE_FUTURE = _l("The time of the answer cannot be in the future.")
UNREADABLE_TIME = _l("Give the time the department answered as a date and a time.")


@one_change_at_a_time
def record_response(report: Report, actor: User, note: str, at: datetime | None = None, *,
                    version=None, now=None) -> None:
    """报到: the department answered the escalation — its own account, or the dispatcher on
    its behalf with the time it answered. The department's clock is met then; the report
    goes back to whoever had it before, as it was, and its clocks run on from then."""
    now = check_allowed(report, actor, Action.RESPOND, version, now)
    note = required_text(note)
    escalated_at, before = escalation_of(report)
    at = at or now
    if at > now:
        raise MissingInput(RESPONSE_IN_THE_FUTURE)
    # Times are typed to the minute: the minute of the escalation itself is after it.
    if escalated_at is not None and at < escalated_at.replace(second=0, microsecond=0):
        raise MissingInput(_l("The department cannot have answered before the report was "
                              "passed to it (%(when)s).",
                              when=escalated_at.astimezone(ZoneInfo(report.community.timezone))
                              .strftime("%Y-%m-%d %H:%M")))
    at = max(at, escalated_at) if escalated_at is not None else at
    record_event(report, "responded", report.status, before, note, actor=actor, now=now)
    sla.meet(report, Milestone.RESPOND, at)
    report.status = before
    report.assigned_org, report.assigned_user = \
        report.escalated_from_org, report.escalated_from_user
    report.escalated_from_org = report.escalated_from_user = None
    sla.follow_status(report, at)
    save_change(report, now)



@one_change_at_a_time
def merge_duplicate(report: Report, actor: User, original: Report | None, *, version=None,
                    now=None) -> None:
    """Close `report` as a duplicate of `original`, an open report of the same community,
    which carries the work from now on (its reporter's tracking page shows its progress)."""
    now = check_allowed(report, actor, Action.MERGE, version, now)
    if original is None or original.community_id != report.community_id:
        raise TransitionRefused(_l("No report of this community has that number."))
    if original.id == report.id:
        raise TransitionRefused(_l("A report cannot be merged into itself."))
    if original.status in FINISHED_STATUSES:
        raise TransitionRefused(_l("Report %(number)s is “%(status)s”: merge only into a "
                                   "report that is still open.", number=original.number,
                                   status=STATUS_LABELS[original.status]))
    record_event(report, "duplicate", report.status, S.DUPLICATE, original.number, actor=actor,
                 now=now)
    report.status = S.DUPLICATE
    report.duplicate_of = original
    sla.cancel_open(report, now)
    save_change(report, now)


@one_change_at_a_time
def reject(report: Report, actor: User, reason: str, *, version=None, now=None) -> None:
    now = check_allowed(report, actor, Action.REJECT, version, now)
    record_event(report, "rejected", report.status, S.REJECTED, required_text(reason), actor=actor,
                 now=now)
    report.status = S.REJECTED
    sla.cancel_open(report, now)
    save_change(report, now)


@one_change_at_a_time
def add_internal_note(report: Report, actor: User, text: str, *, now=None) -> None:
    now = check_allowed(report, actor, Action.INTERNAL_NOTE, None, now)
    record_event(report, "note", None, None, required_text(text), actor=actor, public=False,
                 now=now)
    save_change(report, now)


@one_change_at_a_time
def public_reply(report: Report, actor: User, text: str, *, now=None) -> None:
    now = check_allowed(report, actor, Action.PUBLIC_REPLY, None, now)
    record_event(report, "reply", None, None, required_text(text), actor=actor, now=now)
    save_change(report, now)


@one_change_at_a_time
def set_hidden_from_board(report: Report, actor: User, hidden: bool, *, now=None) -> None:
    now = check_allowed(report, actor, Action.HIDE_FROM_BOARD, None, now)
    record_event(report, "board_hidden" if hidden else "board_shown", None, None, None,
                 actor=actor, public=False, now=now)
    report.hidden_from_board = hidden
    save_change(report, now)


@one_change_at_a_time
def set_photos_public(report: Report, actor: User, public: bool, *, now=None) -> None:
    """Publish the report's photos (Open311 then gives a public URL of the first) or take
    them back. Residents' photos are private until staff publish them."""
    now = check_allowed(report, actor, Action.PUBLISH_PHOTOS, None, now)
    record_event(report, "photos_published" if public else "photos_withdrawn", None, None, None,
                 actor=actor, public=False, now=now)
    report.photos_public = public
    save_change(report, now)


@one_change_at_a_time
def reopen_after_callback(report: Report, actor: User, reason: str, *, version=None,
                          now=None) -> None:
    """回访 found it is not fixed: the closed report opens again with the reason, and its
    clocks start again from accepting, as when a resident says it is not fixed. Its rating
    and call-back were of the closing that is undone; the timeline keeps both."""
    now = check_allowed(report, actor, Action.REOPEN, version, now)
    record_event(report, "reopened_after_callback", report.status, S.REOPENED,
                 required_text(reason), actor=actor, now=now)
    report.status = S.REOPENED
    report.resolved_at = report.closed_at = report.callback_at = None
    report.rating = report.rating_comment = None
    sla.restart(report, now)
    save_change(report, now)


@one_change_at_a_time
def record_callback(report: Report, actor: User, result: str, rating: int | None, *,
                    now=None) -> None:
    """回访: the dispatcher called the resident of a closed, unrated report."""
    now = check_allowed(report, actor, Action.CALLBACK, None, now)
    if report.rating is not None:
        raise TransitionRefused(_l("The resident has already rated this report."))
    if rating is not None and not 1 <= rating <= 5:
        raise TransitionRefused(_l("Please choose a rating from 1 to 5 stars."))
    record_event(report, "callback", None, None, required_text(result), actor=actor, public=False,
                 now=now)
    report.rating = rating
    report.callback_at = now
    save_change(report, now)


def open_jobs_of(person: User) -> list[Report]:
    """The open reports that name `person` as the one working on them, or as the one a
    department hands them back to (吹哨)."""
    return list(db.session.scalars(select(Report).where(
        (Report.assigned_user_id == person.id) | (Report.escalated_from_user_id == person.id),
        Report.status.in_(OPEN_STATUSES)).order_by(Report.id)))


def release_jobs(person: User, by: User, now: datetime | None = None) -> int:
    """A disabled account's open jobs stay with its organisation with no one named, where
    every handler of it finds them among their jobs and the dispatcher sees them as the
    organisation's: nothing waits on someone who can no longer log in. The clocks keep
    running. Returns how many were released."""
    jobs = open_jobs_of(person)
    for report in jobs:
        release_job(report, person, by, now)
    return len(jobs)


@one_change_at_a_time
def release_job(report: Report, person: User, by: User, now: datetime | None = None) -> None:
    record_event(report, "note", None, None, str(_l(
        "%(person)s's account was disabled: the job stays with %(org)s, with no one named.",
        person=person.display_name,
        org=(report.escalated_from_org or report.assigned_org or person.organization).name)),
        actor=by, public=False, now=now)
    if report.assigned_user_id == person.id:
        report.assigned_user = None
    if report.escalated_from_user_id == person.id:
        report.escalated_from_user = None
    save_change(report, now)
