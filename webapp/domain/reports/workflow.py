"""The report workflow (五单闭环): 点单 report → 派单 dispatch → 接单 accept → 评单 rate → 晒单
publish. Every transition is one function here: it checks who may make it and from which
state, records a ReportEvent (the append-only timeline) and moves the SLA clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import wraps
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from webapp.domain import DomainRefused, StaleWrite, savepoint
from webapp.domain.people.permissions import Action, can
from webapp.domain.reports import sla
from webapp.domain.reports.questions import store_answers
from webapp.domain.services.care_cards import has_care_card
from webapp.domain.shared import photos as photo_store
from webapp.domain.shared.tokens import digest, tracking_token
from webapp.extensions import db
from webapp.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Building,
    Milestone,
    Organization,
    OrgKind,
    QrCode,
    Report,
    ReportEvent,
    ReportPhoto,
    ReportStatus,
    User,
)
from webapp.models.reports import ACTOR_SEPARATOR
from webapp.models.text import fit_fields
from webapp.models.types import utcnow

S = ReportStatus
RESIDENT, STAFF, SYSTEM = "resident", "staff", "system"
PRIORITIES = {0: _l("Normal"), 1: _l("High"), 2: _l("Urgent")}

STATUS_LABELS = {
    S.SUBMITTED: _l("Received"),
    S.ASSIGNED: _l("Assigned"),
    S.ACCEPTED: _l("Accepted"),
    S.ON_SITE: _l("On site"),
    S.RESOLVED: _l("Resolved — please confirm"),
    S.CLOSED: _l("Closed"),
    S.ESCALATED: _l("Passed to a department"),
    S.NEEDS_CONSULTATION: _l("Needs a residents' decision"),
    S.REJECTED: _l("Not accepted"),
    S.DUPLICATE: _l("Already reported"),
    S.REOPENED: _l("Reopened"),
}

# From which states each staff action may be taken (None: any state).
ALLOWED_FROM: dict[Action, frozenset[str] | None] = {
    Action.ASSIGN: frozenset(OPEN_STATUSES),
    Action.ACCEPT: frozenset({S.ASSIGNED, S.REOPENED, S.ESCALATED}),
    Action.ARRIVE: frozenset({S.ACCEPTED}),
    Action.RESOLVE: frozenset({S.ON_SITE, S.ACCEPTED, S.NEEDS_CONSULTATION}),
    Action.DECLINE: frozenset({S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.ESCALATED, S.REOPENED}),
    Action.NEEDS_CONSULTATION: frozenset(OPEN_STATUSES) - {S.NEEDS_CONSULTATION},
    Action.ESCALATE: frozenset(OPEN_STATUSES),
    Action.MERGE: frozenset(OPEN_STATUSES),
    Action.REJECT: frozenset(OPEN_STATUSES),
    Action.SET_PRIORITY: frozenset(OPEN_STATUSES),
    Action.CALLBACK: frozenset({S.CLOSED}),
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


class SubmissionKeyConflict(Exception):
    """A submission key was replayed for a different place."""


CHANGED_AT_THE_SAME_MOMENT = _l("Someone else changed this report at the same moment. Here it "
                                "is as it is now; please check and try again.")


def _one_change_at_a_time(transition):
    """The version column makes a concurrent change fail when the report row is written:
    at _save's flush, or earlier when a query inside the transition flushes it. (Should it
    first fail at the unit of work's commit, that is a StaleWrite; the pages say the same.)
    The unit of work rolls back."""
    @wraps(transition)
    def run(*args, **kwargs):
        try:
            return transition(*args, **kwargs)
        except StaleDataError as exc:
            raise ReportChanged(CHANGED_AT_THE_SAME_MOMENT) from exc
    return run


@dataclass(frozen=True)
class ReportDraft:
    submission_key: str
    category_id: int
    description: str
    floor_room: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    care_card: bool = False
    channel: str = "qr"  # how it came in: "qr" (the door's code) or "open311"
    answers: tuple = ()  # questions.Answer for the category's extra questions

    def __post_init__(self):
        fit_fields(self, Report, "floor_room", "contact_name", "contact_phone")


# --- 点单: the resident reports ------------------------------------------------------------

def find_by_submission_key(key: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.submission_key_hash == digest(key)))


def find_by_tracking_link(token: str) -> Report | None:
    """The report behind a private link; None for any wrong token, well-formed or not."""
    return db.session.scalar(select(Report).where(Report.tracking_token_hash == digest(token)))


def submit_report(qr: QrCode | None, draft: ReportDraft, photos, upload_folder,
                  now: datetime | None = None, *, building: Building | None = None,
                  entrance_id: int | None = None, on_created=None, secret: str
                  ) -> tuple[Report, bool]:
    """File a report for the place bound to `qr`, or (Open311, no code) for `building` and
    `entrance_id`. A replay of the same submission key returns the report it already made;
    the bool says whether this call created it. `on_created(report)` may add rows of its own
    to the same transaction. `secret` makes the tracking link (tokens.link_token). The
    caller's unit of work commits; a replay that loses the race to the database is found
    there (an IntegrityError undoes only this savepoint)."""
    if qr is not None:
        building, entrance_id = qr.building, qr.entrance_id
    existing = find_by_submission_key(draft.submission_key)
    if existing is not None:
        return _same_place(existing, qr, building, entrance_id), False

    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    now = now or utcnow()
    care_card = draft.care_card or has_care_card(building.compound.community_id,
                                                 draft.contact_phone)
    report = Report(
        submission_key_hash=digest(draft.submission_key),
        tracking_token_hash=digest(tracking_token(draft.submission_key, secret)),
        community_id=building.compound.community_id,
        compound_id=building.compound_id,
        building_id=building.id,
        entrance_id=entrance_id,
        qr_code_id=qr.id if qr is not None else None,
        channel=draft.channel,
        category_id=draft.category_id,
        description=draft.description,
        floor_room=draft.floor_room,
        contact_name=draft.contact_name,
        contact_phone=draft.contact_phone,
        care_card=care_card,
        status=S.SUBMITTED,
        priority=1 if care_card else 0,
        created_at=now,
        updated_at=now,
    )
    try:
        with savepoint():
            db.session.add(report)
            db.session.flush()
            report.number = _report_number(report, building.compound.community.timezone)
            event = _record(report, "submitted", None, S.SUBMITTED, None, now=now)
            _attach_photos(report, event, photos, stored)
            sla.start(report, Milestone.ACCEPT, now)
            store_answers(report, draft.answers)
            if on_created is not None:
                on_created(report)
    except IntegrityError:
        # Another request with the same submission key won the race.
        photo_store.delete_photos(upload_folder, stored)
        existing = find_by_submission_key(draft.submission_key)
        if existing is None:
            raise
        return _same_place(existing, qr, building, entrance_id), False
    except Exception:
        photo_store.delete_photos(upload_folder, stored)
        raise
    return report, True


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


@_one_change_at_a_time
def add_information(report: Report, note: str, photos, upload_folder) -> ReportEvent:
    """The resident adds a note and/or photos to an open report."""
    check_resident_step(report, ResidentStep.ADD_INFORMATION)
    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    try:
        event = _record(report, "info_added", None, None, note or None)
        _attach_photos(report, event, photos, stored)
        _save(report)
    except Exception:
        photo_store.delete_photos(upload_folder, stored)
        raise
    return event


# --- 评单: the resident rates ----------------------------------------------------------------

@_one_change_at_a_time
def confirm_fixed(report: Report, rating: int, comment: str | None,
                  now: datetime | None = None) -> None:
    """The resident confirms the fix and rates it 1–5; the report closes."""
    check_resident_step(report, ResidentStep.CONFIRM)
    if not 1 <= rating <= 5:
        raise TransitionRefused(_l("Please choose a rating from 1 to 5 stars."))
    now = now or utcnow()
    _record(report, "rated", report.status, S.CLOSED, comment or None, now=now)
    report.status = S.CLOSED
    report.rating = rating
    report.rating_comment = comment or None
    report.closed_at = now
    _save(report, now)


@_one_change_at_a_time
def report_not_fixed(report: Report, reason: str, now: datetime | None = None) -> None:
    """The resident says it is not fixed: the report reopens with their reason and the
    clocks start again."""
    check_resident_step(report, ResidentStep.NOT_FIXED)
    if not reason.strip():
        raise TransitionRefused(_l("Please tell us what is still wrong."))
    now = now or utcnow()
    _record(report, "reopened", report.status, S.REOPENED, reason.strip(), now=now)
    report.status = S.REOPENED
    report.resolved_at = None
    sla.restart(report, now)
    _save(report, now)


# --- 派单: the dispatcher -------------------------------------------------------------------

@_one_change_at_a_time
def assign(report: Report, actor: User, org: Organization, person: User | None = None, *,
           version: int | None = None, now: datetime | None = None) -> None:
    now = _check(report, actor, Action.ASSIGN, version, now)
    if org is None or not org.active or org.community_id != report.community_id:
        raise TransitionRefused(_l("Choose an organisation of this community."))
    if person is not None and (person.organization_id != org.id or not person.active):
        raise TransitionRefused(_l("That person does not work for the chosen organisation."))
    accept_running = any(m.name == Milestone.ACCEPT for m in sla.open_milestones(report))
    _record(report, "assigned", report.status, S.ASSIGNED, org.name, actor=actor, now=now)
    report.status = S.ASSIGNED
    _hand_to(report, org, person)
    if not accept_running:
        sla.restart(report, now)
    _save(report, now)


@_one_change_at_a_time
def set_priority(report: Report, actor: User, priority: int, *, version=None, now=None) -> None:
    now = _check(report, actor, Action.SET_PRIORITY, version, now)
    if priority not in PRIORITIES:
        raise TransitionRefused(_l("Unknown priority."))
    _record(report, "priority", None, None, str(PRIORITIES[priority]), actor=actor,
            public=False, now=now)
    report.priority = priority
    _save(report, now)


@_one_change_at_a_time
def mark_needs_consultation(report: Report, actor: User, note: str, *, version=None,
                            now=None) -> None:
    """一事一议: a major job that needs the residents' decision and cost sharing."""
    now = _check(report, actor, Action.NEEDS_CONSULTATION, version, now)
    _record(report, "needs_consultation", report.status, S.NEEDS_CONSULTATION,
            _required(note), actor=actor, now=now)
    report.status = S.NEEDS_CONSULTATION
    sla.meet(report, Milestone.PLAN, now)
    _save(report, now)


@_one_change_at_a_time
def escalate(report: Report, actor: User, department: Organization, reason: str, *,
             version=None, now=None) -> None:
    """吹哨: pass the report to a city department, which answers (报到) by accepting it."""
    now = _check(report, actor, Action.ESCALATE, version, now)
    if department is None or department.kind != OrgKind.DEPARTMENT or \
            department.community_id != report.community_id:
        raise TransitionRefused(_l("Choose a department to escalate to."))
    reason = _required(reason)
    _record(report, "escalated", report.status, S.ESCALATED, department.name, actor=actor,
            now=now)
    _record(report, "note", None, None, reason, actor=actor, public=False, now=now)
    report.status = S.ESCALATED
    _hand_to(report, department)
    sla.restart(report, now)
    _save(report, now)


@_one_change_at_a_time
def merge_duplicate(report: Report, actor: User, original: Report | None, *, version=None,
                    now=None) -> None:
    """Close `report` as a duplicate of `original`, an open report of the same community,
    which carries the work from now on (its reporter's tracking page shows its progress)."""
    now = _check(report, actor, Action.MERGE, version, now)
    if original is None or original.community_id != report.community_id:
        raise TransitionRefused(_l("No report of this community has that number."))
    if original.id == report.id:
        raise TransitionRefused(_l("A report cannot be merged into itself."))
    if original.status in FINISHED_STATUSES:
        raise TransitionRefused(_l("Report %(number)s is “%(status)s”: merge only into a "
                                   "report that is still open.", number=original.number,
                                   status=STATUS_LABELS[original.status]))
    _record(report, "duplicate", report.status, S.DUPLICATE, original.number, actor=actor,
            now=now)
    report.status = S.DUPLICATE
    report.duplicate_of = original
    sla.cancel_open(report, now)
    _save(report, now)


@_one_change_at_a_time
def reject(report: Report, actor: User, reason: str, *, version=None, now=None) -> None:
    now = _check(report, actor, Action.REJECT, version, now)
    _record(report, "rejected", report.status, S.REJECTED, _required(reason), actor=actor,
            now=now)
    report.status = S.REJECTED
    sla.cancel_open(report, now)
    _save(report, now)


@_one_change_at_a_time
def add_internal_note(report: Report, actor: User, text: str, *, now=None) -> None:
    now = _check(report, actor, Action.INTERNAL_NOTE, None, now)
    _record(report, "note", None, None, _required(text), actor=actor, public=False, now=now)
    _save(report, now)


@_one_change_at_a_time
def public_reply(report: Report, actor: User, text: str, *, now=None) -> None:
    now = _check(report, actor, Action.PUBLIC_REPLY, None, now)
    _record(report, "reply", None, None, _required(text), actor=actor, now=now)
    _save(report, now)


@_one_change_at_a_time
def set_hidden_from_board(report: Report, actor: User, hidden: bool, *, now=None) -> None:
    now = _check(report, actor, Action.HIDE_FROM_BOARD, None, now)
    _record(report, "board_hidden" if hidden else "board_shown", None, None, None,
            actor=actor, public=False, now=now)
    report.hidden_from_board = hidden
    _save(report, now)


@_one_change_at_a_time
def set_photos_public(report: Report, actor: User, public: bool, *, now=None) -> None:
    """Publish the report's photos (Open311 then gives a public URL of the first) or take
    them back. Residents' photos are private until staff publish them."""
    now = _check(report, actor, Action.PUBLISH_PHOTOS, None, now)
    _record(report, "photos_published" if public else "photos_withdrawn", None, None, None,
            actor=actor, public=False, now=now)
    report.photos_public = public
    _save(report, now)


@_one_change_at_a_time
def record_callback(report: Report, actor: User, result: str, rating: int | None, *,
                    now=None) -> None:
    """回访: the dispatcher called the resident of a closed, unrated report."""
    now = _check(report, actor, Action.CALLBACK, None, now)
    if report.rating is not None:
        raise TransitionRefused(_l("The resident has already rated this report."))
    if rating is not None and not 1 <= rating <= 5:
        raise TransitionRefused(_l("Please choose a rating from 1 to 5 stars."))
    _record(report, "callback", None, None, _required(result), actor=actor, public=False,
            now=now)
    report.rating = rating
    report.callback_at = now
    _save(report, now)


# --- 接单: the handler ----------------------------------------------------------------------

@_one_change_at_a_time
def accept(report: Report, actor: User, *, version=None, now=None) -> None:
    now = _check(report, actor, Action.ACCEPT, version, now)
    _record(report, "accepted", report.status, S.ACCEPTED, None, actor=actor, now=now)
    report.status = S.ACCEPTED
    report.assigned_user = report.assigned_user or actor
    report.accepted_at = now
    sla.meet(report, Milestone.ACCEPT, now)
    sla.start(report, Milestone.PLAN if report.category.is_major else Milestone.ARRIVE, now)
    _save(report, now)


@_one_change_at_a_time
def arrive(report: Report, actor: User, *, version=None, now=None) -> None:
    now = _check(report, actor, Action.ARRIVE, version, now)
    _record(report, "arrived", report.status, S.ON_SITE, None, actor=actor, now=now)
    report.status = S.ON_SITE
    report.arrived_at = now
    sla.meet(report, Milestone.ARRIVE, now)
    if not report.category.is_major:
        sla.start(report, Milestone.RESOLVE, now)
    _save(report, now)


@_one_change_at_a_time
def resolve(report: Report, actor: User, note: str, photos=(), upload_folder=None, *,
            version=None, now=None) -> None:
    now = _check(report, actor, Action.RESOLVE, version, now)
    if not report.category.is_major and report.status != S.ON_SITE:
        raise TransitionRefused(_l("Mark yourself on site before resolving this job."))
    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    try:
        event = _record(report, "resolved", report.status, S.RESOLVED, _required(note),
                        actor=actor, now=now)
        _attach_photos(report, event, photos, stored)
        report.status = S.RESOLVED
        report.resolved_at = now
        sla.meet(report, Milestone.RESOLVE, now)
        sla.meet(report, Milestone.PLAN, now)
        sla.cancel_open(report, now)
        _save(report, now)
    except Exception:
        photo_store.delete_photos(upload_folder, stored)
        raise


@_one_change_at_a_time
def decline(report: Report, actor: User, reason: str, *, version=None, now=None) -> None:
    """The handler can't do it: back to the dispatcher with the reason."""
    now = _check(report, actor, Action.DECLINE, version, now)
    _record(report, "declined", report.status, S.SUBMITTED, _required(reason), actor=actor,
            public=False, now=now)
    report.status = S.SUBMITTED
    _hand_to(report, None)
    sla.restart(report, now)
    _save(report, now)


# --- the system -----------------------------------------------------------------------------

def auto_close_unrated(now: datetime, after_days: int) -> int:
    """Close resolved reports nobody confirmed within `after_days`. Idempotent."""
    cutoff = now - timedelta(days=after_days)
    reports = db.session.scalars(
        select(Report).where(Report.status == S.RESOLVED, Report.resolved_at <= cutoff)
    ).all()
    for report in reports:
        _record(report, "auto_closed", S.RESOLVED, S.CLOSED, None, actor_kind=SYSTEM, now=now)
        report.status = S.CLOSED
        report.closed_at = now
        report.updated_at = now
    return len(reports)


# --- reading --------------------------------------------------------------------------------

def public_events(report: Report) -> list[ReportEvent]:
    return [e for e in report.events if e.is_public]


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
    if Action.CALLBACK in allowed and report.rating is not None:
        allowed.discard(Action.CALLBACK)
    return allowed


def find_by_number(number: str, community_id: int) -> Report | None:
    return db.session.scalar(select(Report).where(Report.number == number.strip(),
                                                  Report.community_id == community_id))


def carried_by(report: Report) -> Report | None:
    """The report that carries a merged report's work: the end of its duplicate_of chain."""
    seen, target = {report.id}, report.duplicate_of if report.status == S.DUPLICATE else None
    while target is not None and target.status == S.DUPLICATE and \
            target.duplicate_of is not None and target.duplicate_of.id not in seen:
        seen.add(target.id)
        target = target.duplicate_of
    return target


@dataclass(frozen=True)
class ProgressLine:
    created_at: datetime
    kind: str
    note: str | None


def shared_progress(report: Report) -> list[ProgressLine]:
    """What another resident (one whose report was merged into this one) may see of it: its
    public steps with the community's notes, as public as Open311's status notes, never
    what its own reporter wrote or photographed."""
    return [ProgressLine(e.created_at, e.kind, e.note if e.actor_kind == STAFF else None)
            for e in report.events if e.is_public]


def upload_folder_for_reports(upload_root: str | Path) -> Path:
    return Path(upload_root) / "reports"


STRAY_PHOTO_GRACE = timedelta(hours=1)


def stray_photo_files(upload_root: str | Path, now: datetime) -> list[Path]:
    """Report photo files that no row names: a worker stopped between writing the file and
    committing the report. Only files older than the grace period count, so a report being
    saved right now keeps its photos."""
    folder = upload_folder_for_reports(upload_root)
    if not folder.is_dir():
        return []
    cutoff = (now - STRAY_PHOTO_GRACE).timestamp()
    old = [path for path in folder.iterdir()
           if path.is_file() and path.stat().st_mtime < cutoff]
    stray = [path for path in old if path.name.endswith(".part")]
    photos = [path for path in old if not path.name.endswith(".part")]
    for start in range(0, len(photos), 500):
        batch = {path.name: path for path in photos[start:start + 500]}
        named = set(db.session.scalars(
            select(ReportPhoto.stored_name).where(ReportPhoto.stored_name.in_(batch))))
        stray += [path for name, path in batch.items() if name not in named]
    return sorted(stray)


# --- internals ------------------------------------------------------------------------------

def _check(report: Report, actor: User, action: Action, version: int | None,
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


def _hand_to(report: Report, org: Organization | None, person: User | None = None) -> None:
    """A new owner starts from scratch: nobody has accepted or arrived yet."""
    report.assigned_org = org
    report.assigned_user = person
    report.accepted_at = report.arrived_at = None


def _required(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise MissingInput(_l("Please write a reason or a note."))
    return text


def _save(report: Report, now: datetime | None = None) -> None:
    """Write the change now, inside the guard: a concurrent change to the report fails here
    (its version moved on), not later at the commit."""
    report.updated_at = now or utcnow()
    db.session.flush()


def _same_place(report: Report, qr: QrCode | None, building: Building,
                entrance_id: int | None) -> Report:
    same = report.qr_code_id == qr.id if qr is not None else \
        (report.building_id, report.entrance_id) == (building.id, entrance_id)
    if not same:
        raise SubmissionKeyConflict(report.number)
    return report


def _report_number(report: Report, timezone: str) -> str:
    local = report.created_at.astimezone(ZoneInfo(timezone))
    return f"{local:%Y%m%d}-{report.id:04d}"


def _record(report, kind, from_status, to_status, note, *, actor: User | None = None,
            public=True, actor_kind=None, now=None) -> ReportEvent:
    event = ReportEvent(
        report=report,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        is_public=public,
        actor_kind=actor_kind or (STAFF if actor is not None else RESIDENT),
        actor_id=actor.id if actor is not None else None,
        actor_label=_actor_label(actor),
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event


def _actor_label(actor: User | None) -> str | None:
    if actor is None:
        return None
    return f"{actor.display_name}{ACTOR_SEPARATOR}{actor.organization.name}"


def _attach_photos(report, event, photos, stored_names) -> None:
    for photo, name in zip(photos, stored_names, strict=True):
        db.session.add(ReportPhoto(report=report, event=event, stored_name=name,
                                   width=photo.width, height=photo.height,
                                   byte_size=len(photo.jpeg)))


