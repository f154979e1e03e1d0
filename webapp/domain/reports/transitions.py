"""The report workflow (五单闭环): 点单 report → 派单 dispatch → 接单 accept → 评单 rate → 晒单
publish. Every transition is one function: it checks who may make it and from which state,
records a ReportEvent (the append-only timeline, timeline.py) and moves the SLA clocks. Here:
the rules every transition shares, the resident's and the handler's steps and the system's;
the dispatcher's are in dispatch.py, a new report's arrival in intake.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import wraps
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from webapp.domain import DomainRefused, StaleWrite
from webapp.domain.people.permissions import Action, can
from webapp.domain.reports import sla
from webapp.domain.reports.labels import STATUS_LABELS, S
from webapp.domain.reports.timeline import SYSTEM, attach_photos, record_event
from webapp.domain.shared import photos as photo_store
from webapp.extensions import db
from webapp.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Milestone,
    Organization,
    Report,
    ReportEvent,
    User,
)
from webapp.models.types import utcnow

# From which states each staff action may be taken (None: any state).
ALLOWED_FROM: dict[Action, frozenset[str] | None] = {
    Action.ASSIGN: frozenset(OPEN_STATUSES),
    Action.ACCEPT: frozenset({S.ASSIGNED, S.REOPENED, S.ESCALATED}),
    Action.ARRIVE: frozenset({S.ACCEPTED}),
    Action.RESOLVE: frozenset({S.ON_SITE, S.ACCEPTED, S.NEEDS_CONSULTATION}),
    Action.SUBMIT_PLAN: frozenset({S.ACCEPTED, S.ON_SITE}),
    Action.RESPOND: frozenset({S.ESCALATED}),
    Action.DECLINE: frozenset({S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.ESCALATED, S.REOPENED}),
    Action.NEEDS_CONSULTATION: frozenset(OPEN_STATUSES) - {S.NEEDS_CONSULTATION},
    Action.ESCALATE: frozenset(OPEN_STATUSES),
    Action.MERGE: frozenset(OPEN_STATUSES),
    Action.REJECT: frozenset(OPEN_STATUSES),
    Action.SET_PRIORITY: frozenset(OPEN_STATUSES),
    Action.CALLBACK: frozenset({S.CLOSED}),
    Action.REOPEN: frozenset({S.CLOSED}),
}
# The buttons of a report page.
REPORT_ACTIONS = frozenset(ALLOWED_FROM) | {Action.INTERNAL_NOTE, Action.PUBLIC_REPLY,
                                            Action.HIDE_FROM_BOARD, Action.PUBLISH_PHOTOS}


class TransitionRefused(DomainRefused):
    """The change is not allowed now; str() says why, for the person who asked. The report's
    state stands in the way, not what was typed: a conflict."""

    status = 409


class ReportChanged(TransitionRefused, StaleWrite):
    """Someone else changed the report since the form was opened."""


class MissingInput(TransitionRefused):
    """A reason or note that the transition needs was left empty."""

    status = 422


class WrongChoice(TransitionRefused):
    """A choice on the form that cannot go with the rest of it (a person outside the chosen
    organisation): the form comes back to be corrected."""

    status = 422




CHANGED_AT_THE_SAME_MOMENT = _l("Someone else changed this report at the same moment. Here it "
                                "is as it is now; please check and try again.")


def one_change_at_a_time(transition):
    """The version column makes a concurrent change fail when the report row is written:
    at save_change's flush, or earlier when a query inside the transition flushes it. (Should it
    first fail at the unit of work's commit, that is a StaleWrite; the pages say the same.)
    The unit of work rolls back."""
    @wraps(transition)
    def run(*args, **kwargs):
        try:
            return transition(*args, **kwargs)
        except StaleDataError as exc:
            raise ReportChanged(CHANGED_AT_THE_SAME_MOMENT) from exc
    return run


# --- the resident adds to a report ---------------------------------------------------------


class ResidentStep(StrEnum):
    ADD_INFORMATION = "add_information"
    CONFIRM = "confirm"
    NOT_FIXED = "not_fixed"


def check_resident_step(report: Report, step: ResidentStep) -> None:
    """Refuses, with the reason, a resident's step that the report's state does not allow.
    The tracking page checks this before the form, so a stale page learns why."""
    if step == ResidentStep.ADD_INFORMATION and report.status in FINISHED_STATUSES:
        raise TransitionRefused(_l("This report is closed; please file a new one."))
    if step == ResidentStep.CONFIRM and report.status != S.RESOLVED:
        raise TransitionRefused(_l("You can rate a report once it has been marked as resolved."))
    if step == ResidentStep.NOT_FIXED and report.status != S.RESOLVED:
        raise TransitionRefused(_l("Only a report marked as resolved can be reopened."))


@one_change_at_a_time
def add_information(report: Report, note: str, photos, upload_folder) -> ReportEvent:
    """The resident adds a note and/or photos to an open report."""
    check_resident_step(report, ResidentStep.ADD_INFORMATION)
    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    try:
        event = record_event(report, "info_added", None, None, note or None)
        attach_photos(report, event, photos, stored)
        save_change(report)
    except Exception:
        photo_store.delete_photos(upload_folder, stored)
        raise
    return event


# --- 评单: the resident rates ----------------------------------------------------------------

@one_change_at_a_time
def confirm_fixed(report: Report, rating: int, comment: str | None,
                  now: datetime | None = None) -> None:
    """The resident confirms the fix and rates it 1–5; the report closes."""
    check_resident_step(report, ResidentStep.CONFIRM)
    if not 1 <= rating <= 5:
        raise TransitionRefused(_l("Please choose a rating from 1 to 5 stars."))
    now = now or utcnow()
    record_event(report, "rated", report.status, S.CLOSED, comment or None, now=now)
    report.status = S.CLOSED
    report.rating = rating
    report.rating_comment = comment or None
    report.closed_at = now
    save_change(report, now)


@one_change_at_a_time
def report_not_fixed(report: Report, reason: str, now: datetime | None = None) -> None:
    """The resident says it is not fixed: the report reopens with their reason and the
    clocks start again."""
    check_resident_step(report, ResidentStep.NOT_FIXED)
    if not reason.strip():
        raise TransitionRefused(_l("Please tell us what is still wrong."))
    now = now or utcnow()
    record_event(report, "reopened", report.status, S.REOPENED, reason.strip(), now=now)
    report.status = S.REOPENED
    report.resolved_at = None
    sla.restart(report, now)
    save_change(report, now)


# --- 接单: the handler ----------------------------------------------------------------------

@one_change_at_a_time
def accept(report: Report, actor: User, *, version=None, now=None) -> None:
    now = check_allowed(report, actor, Action.ACCEPT, version, now)
    if report.status == S.ESCALATED:
        # The department answers (报到) by taking the job over: its own clocks start now,
        # the community's stop.
        sla.meet(report, Milestone.RESPOND, now)
        report.escalated_from_org = report.escalated_from_user = None
        report.arrived_at = None
        sla.restart(report, now)
    record_event(report, "accepted", report.status, S.ACCEPTED, None, actor=actor, now=now)
    report.status = S.ACCEPTED
    report.assigned_user = report.assigned_user or actor
    report.accepted_at = now
    sla.meet(report, Milestone.ACCEPT, now)
    if report.category.is_major:
        sla.start(report, Milestone.PLAN, now)
    if sla.needs_arrival(report):
        sla.start(report, Milestone.ARRIVE, now)
    save_change(report, now)


@one_change_at_a_time
def arrive(report: Report, actor: User, *, version=None, now=None) -> None:
    now = check_allowed(report, actor, Action.ARRIVE, version, now)
    record_event(report, "arrived", report.status, S.ON_SITE, None, actor=actor, now=now)
    report.status = S.ON_SITE
    report.arrived_at = now
    sla.meet(report, Milestone.ARRIVE, now)
    if not report.category.is_major:
        sla.start(report, Milestone.RESOLVE, now)
    save_change(report, now)


@one_change_at_a_time
def resolve(report: Report, actor: User, note: str, photos=(), upload_folder=None, *,
            version=None, now=None) -> None:
    now = check_allowed(report, actor, Action.RESOLVE, version, now)
    if not report.category.is_major and report.status != S.ON_SITE:
        raise TransitionRefused(_l("Mark yourself on site before resolving this job."))
    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    try:
        event = record_event(report, "resolved", report.status, S.RESOLVED, required_text(note),
                             actor=actor, now=now)
        attach_photos(report, event, photos, stored)
        report.status = S.RESOLVED
        report.resolved_at = now
        sla.meet(report, Milestone.RESOLVE, now)
        sla.meet(report, Milestone.PLAN, now)
        sla.cancel_open(report, now)
        save_change(report, now)
    except Exception:
        photo_store.delete_photos(upload_folder, stored)
        raise


MAX_PLAN_DAYS = 366


@one_change_at_a_time
def submit_plan(report: Report, actor: User, note: str, done_by: date | None, photos=(),
                upload_folder=None, *, version=None, now=None) -> None:
    """A major job's plan (方案): what will be done and by when. Meets the plan clock; a later
    plan replaces the one shown, the timeline keeps both."""
    now = check_allowed(report, actor, Action.SUBMIT_PLAN, version, now)
    if not report.category.is_major:
        raise TransitionRefused(_l("Only a major job has a plan."))
    note = required_text(note)
    today = now.astimezone(ZoneInfo(report.community.timezone)).date()
    if done_by is None or not today <= done_by <= today + timedelta(days=MAX_PLAN_DAYS):
        raise MissingInput(_l("Give the date the work is expected to be done: today or "
                              "later, within a year."))
    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    try:
        event = record_event(report, "plan_submitted", None, None, note, actor=actor, now=now)
        attach_photos(report, event, photos, stored)
        report.plan_note, report.plan_done_by = note, done_by
        sla.meet(report, Milestone.PLAN, now)
        save_change(report, now)
    except Exception:
        photo_store.delete_photos(upload_folder, stored)
        raise


@one_change_at_a_time
def decline(report: Report, actor: User, reason: str, *, version=None, now=None) -> None:
    """The handler can't do it: back to the dispatcher with the reason."""
    now = check_allowed(report, actor, Action.DECLINE, version, now)
    record_event(report, "declined", report.status, S.SUBMITTED, required_text(reason), actor=actor,
                 public=False, now=now)
    report.status = S.SUBMITTED
    hand_to(report, None)
    sla.restart(report, now)
    save_change(report, now)


# --- the system -----------------------------------------------------------------------------

def auto_close_unrated(now: datetime, after_days: int) -> int:
    """Close resolved reports nobody confirmed within `after_days`. Idempotent."""
    cutoff = now - timedelta(days=after_days)
    reports = db.session.scalars(
        select(Report).where(Report.status == S.RESOLVED, Report.resolved_at <= cutoff)
    ).all()
    for report in reports:
        record_event(report, "auto_closed", S.RESOLVED, S.CLOSED, None, actor_kind=SYSTEM, now=now)
        report.status = S.CLOSED
        report.closed_at = now
        report.updated_at = now
    return len(reports)


# --- reading --------------------------------------------------------------------------------



def allowed_actions(report: Report, user: User) -> set[Action]:
    """The actions `user` may take on `report` now: one button each on the report page."""
    allowed = set()
    for action in REPORT_ACTIONS:
        if not can(user, action, report):
            continue
        states = ALLOWED_FROM.get(action)
        if states is not None and report.status not in states:
            continue
        allowed.add(action)
    if Action.RESOLVE in allowed and not report.category.is_major and \
            report.status != S.ON_SITE:
        allowed.discard(Action.RESOLVE)
    if Action.SUBMIT_PLAN in allowed and not report.category.is_major:
        allowed.discard(Action.SUBMIT_PLAN)
    if Action.CALLBACK in allowed and report.rating is not None:
        allowed.discard(Action.CALLBACK)
    return allowed
















# --- internals ------------------------------------------------------------------------------

def check_allowed(report: Report, actor: User, action: Action, version: int | None,
                  now: datetime | None) -> datetime:
    if not can(actor, action, report):
        raise TransitionRefused(_l("You are not allowed to do this on this report."))
    if version is not None and version != report.version:
        raise ReportChanged(_l("Someone else changed this report while you had it open. "
                               "Here it is as it is now; please check and try again."))
    states = ALLOWED_FROM.get(action)
    if states is not None and report.status not in states:
        raise TransitionRefused(_l("This cannot be done while the report is “%(status)s”.",
                                   status=STATUS_LABELS[report.status]))
    return now or utcnow()


def hand_to(report: Report, org: Organization | None, person: User | None = None) -> None:
    """A new owner starts from scratch: nobody has accepted or arrived yet, and nobody waits
    to have it back from a department."""
    report.assigned_org = org
    report.assigned_user = person
    report.accepted_at = report.arrived_at = None
    report.escalated_from_org = report.escalated_from_user = None


def required_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise MissingInput(_l("Please write a reason or a note."))
    return text


def save_change(report: Report, now: datetime | None = None) -> None:
    """Write the change now, inside the guard: a concurrent change to the report fails here
    (its version moved on), not later at the commit. Every change passes here, so here the
    clocks stop or run again for the status the report is left in."""
    report.updated_at = now or utcnow()
    sla.follow_status(report, report.updated_at)
    db.session.flush()
