"""Care visits (敲门行动): volunteers knock on the doors of care-card holders on a rhythm
staff set (daily, weekly, every N days). Visits are made AHEAD_DAYS ahead for volunteers to
take like shifts; the volunteer checks in by scanning the holder's door code (the same check
as a home service's, attendance.at_place) and records "all well" or "needs help", which
files a care-card report (domain/reports/care_visit_help.py). A visit not made by the end
of its day alerts staff once (the worker). A made visit earns its points once
(ledger.award_for_visit).

Nothing about a holder — name, phone, address — is shown to anyone but staff and the
volunteer who holds the visit: the visits on offer name only the compound and the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from webapp.domain import DomainRefused
from webapp.domain.services import ledger
from webapp.domain.services.attendance import (
    AttendanceRefused,
    at_place,
    local_day,
    record,
    record_once,
)
from webapp.extensions import db
from webapp.models import (
    AttendanceEvent,
    AttendanceKind,
    CareCard,
    CareVisit,
    CareVisitPlan,
    QrCode,
    Report,
    User,
)
from webapp.models.types import utcnow

K = AttendanceKind
AHEAD_DAYS = 7
MAX_EVERY_DAYS = 90
MAX_POINTS = 1000
OUTCOMES = (K.ALL_WELL, K.NEEDS_HELP)


class VisitRefused(AttendanceRefused):
    """str() is a message for the volunteer or the staff member."""


@dataclass(frozen=True)
class RhythmDraft:
    """As typed; None where the form had no number or date."""

    every_days: int | None
    points: int | None
    starts_on: date | None


# --- staff set the rhythm -------------------------------------------------------------------

def plan_of(card: CareCard) -> CareVisitPlan | None:
    return db.session.scalar(select(CareVisitPlan).where(CareVisitPlan.care_card_id == card.id))


def set_rhythm(card: CareCard, draft: RhythmDraft, by: User,
               now: datetime | None = None) -> CareVisitPlan:
    """Visits every `every_days` days from `starts_on`: the visits nobody took yet are made
    anew from it; those taken stay."""
    now = now or utcnow()
    if not card.active:
        raise DomainRefused(_l("This care card has ended."))
    if card.building_id is None:
        raise DomainRefused(_l("Say where the resident lives first: volunteers check in at "
                               "their door."))
    if draft.every_days is None or not 1 <= draft.every_days <= MAX_EVERY_DAYS:
        raise DomainRefused(_l("Visit every 1 to %(n)d days.", n=MAX_EVERY_DAYS),
                            field="every_days")
    if draft.points is None or not 0 <= draft.points <= MAX_POINTS:
        raise DomainRefused(_l("Give 0 to %(n)d points per visit.", n=MAX_POINTS),
                            field="points")
    today = local_day(now, card.community_id)
    starts_on = draft.starts_on or today
    if starts_on < today:
        raise DomainRefused(_l("Start today or later."), field="starts_on")
    plan = plan_of(card) or CareVisitPlan(care_card=card)
    plan.every_days, plan.points, plan.starts_on = draft.every_days, draft.points, starts_on
    plan.set_by_id, plan.set_at = by.id, now
    db.session.add(plan)
    _drop_untaken(card, today)
    db.session.flush()
    make_visits(plan, today)
    return plan


def stop_visits(card: CareCard, now: datetime | None = None) -> None:
    """No more visits: the rhythm goes, and the visits nobody took yet."""
    plan = plan_of(card)
    if plan is not None:
        db.session.delete(plan)
    _drop_untaken(card, local_day(now or utcnow(), card.community_id))


def _drop_untaken(card: CareCard, today: date) -> None:
    db.session.execute(delete(CareVisit).where(
        CareVisit.care_card_id == card.id, CareVisit.due_on >= today,
        CareVisit.volunteer_id.is_(None), CareVisit.done_at.is_(None))
        .execution_options(synchronize_session=False))


def make_visits(plan: CareVisitPlan, today: date) -> int:
    """The plan's visits due from today to AHEAD_DAYS on that are not there yet."""
    card = plan.care_card
    have = set(db.session.scalars(select(CareVisit.due_on).where(
        CareVisit.care_card_id == card.id, CareVisit.due_on >= today)))
    made = 0
    for ahead in range(AHEAD_DAYS + 1):
        day = today + timedelta(days=ahead)
        if day >= plan.starts_on and (day - plan.starts_on).days % plan.every_days == 0 \
                and day not in have:
            db.session.add(CareVisit(community_id=card.community_id, care_card=card,
                                     due_on=day, points=plan.points))
            made += 1
    return made


def history(card: CareCard, limit: int = 60) -> list[CareVisit]:
    return list(db.session.scalars(select(CareVisit).where(CareVisit.care_card_id == card.id)
                                   .order_by(CareVisit.due_on.desc()).limit(limit)))


# --- volunteers take visits -----------------------------------------------------------------

def open_visits(volunteer: User, now: datetime) -> list[CareVisit]:
    """Visits of the volunteer's community nobody took yet, from today on."""
    community_id = volunteer.organization.community_id
    today = local_day(now, community_id)
    return list(db.session.scalars(
        select(CareVisit).join(CareCard).where(
            CareVisit.community_id == community_id, CareVisit.volunteer_id.is_(None),
            CareVisit.done_at.is_(None), CareVisit.due_on >= today, CareCard.active)
        .order_by(CareVisit.due_on, CareVisit.id)))


def my_visits(volunteer: User, now: datetime) -> list[CareVisit]:
    """The visits the volunteer holds: those still to make, and those made today."""
    community_id = volunteer.organization.community_id
    today = local_day(now, community_id)
    return list(db.session.scalars(
        select(CareVisit).where(
            CareVisit.volunteer_id == volunteer.id, CareVisit.community_id == community_id,
            CareVisit.due_on >= today - timedelta(days=1),
            CareVisit.done_at.is_(None) | (CareVisit.due_on == today))
        .order_by(CareVisit.due_on, CareVisit.id)))


def holds(volunteer: User, visit: CareVisit) -> bool:
    return visit.volunteer_id == volunteer.id


def take(visit: CareVisit, volunteer: User, now: datetime | None = None) -> None:
    """One conditional update: two volunteers taking the same visit, one gets it."""
    now = now or utcnow()
    today = local_day(now, visit.community_id)
    taken = db.session.execute(
        update(CareVisit).where(CareVisit.id == visit.id, CareVisit.volunteer_id.is_(None),
                                CareVisit.done_at.is_(None), CareVisit.due_on >= today)
        .values(volunteer_id=volunteer.id, taken_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire(visit, ["volunteer_id", "taken_at"])
    if not taken:
        raise VisitRefused(_l("Another volunteer has taken this visit."))


def give_back(visit: CareVisit, volunteer: User) -> None:
    if not holds(volunteer, visit) or visit.done_at is not None or checked_in(visit):
        raise VisitRefused(_l("This visit cannot be given back now."))
    visit.volunteer_id, visit.taken_at = None, None


# --- at the holder's door -------------------------------------------------------------------

def visits_at_door(volunteer: User, code: QrCode, now: datetime) -> list[CareVisit]:
    """The volunteer's visits due today at the scanned door."""
    community_id = volunteer.organization.community_id
    mine = db.session.scalars(select(CareVisit).join(CareCard).where(
        CareVisit.volunteer_id == volunteer.id, CareVisit.community_id == community_id,
        CareVisit.due_on == local_day(now, community_id), CareCard.active,
        CareCard.building_id == code.building_id).order_by(CareVisit.id))
    return [v for v in mine if at_place(v.care_card.building_id, v.care_card.entrance_id, code)]


def checked_in(visit: CareVisit) -> bool:
    return db.session.scalar(select(AttendanceEvent.id).where(
        AttendanceEvent.care_visit_id == visit.id, AttendanceEvent.kind == K.CHECK_IN,
        AttendanceEvent.volunteer_id == visit.volunteer_id)) is not None


def check_in(visit: CareVisit, volunteer: User, code: QrCode | None,
             now: datetime | None = None) -> None:
    now = now or utcnow()
    card = visit.care_card
    if not holds(volunteer, visit) or not card.active:
        raise VisitRefused(_l("This is not one of your visits."))
    if visit.done_at is not None:
        raise VisitRefused(_l("This visit is already made."))
    if visit.due_on != local_day(now, visit.community_id):
        raise VisitRefused(_l("This visit is due on %(day)s: check in on that day.",
                              day=visit.due_on.isoformat()))
    if code is None or not at_place(card.building_id, card.entrance_id, code):
        raise VisitRefused(_l("This is not the resident's door: scan the code at their "
                              "building or entrance."))
    record_once(K.CHECK_IN, visit.community_id, now, _l("You have already checked in here."),
                care_visit_id=visit.id, volunteer_id=volunteer.id, actor_id=volunteer.id,
                qr_code_id=code.id)


def check_outcome(visit: CareVisit, volunteer: User, outcome: str) -> None:
    """Refuses an outcome that cannot be recorded now (before anything is filed for it)."""
    if outcome not in OUTCOMES:
        raise VisitRefused(_l("Choose all well or needs help."))
    if not holds(volunteer, visit) or not checked_in(visit):
        raise VisitRefused(_l("Check in at the door first, by scanning its code."))
    if visit.done_at is not None:
        raise VisitRefused(_l("This visit is already made."))


def record_outcome(visit: CareVisit, volunteer: User, outcome: str,
                   now: datetime | None = None, report: Report | None = None) -> None:
    """All well, or needs help with the report filed for the holder (reports/care_visit_help
    files it). Either makes the visit, and its points are the volunteer's."""
    now = now or utcnow()
    check_outcome(visit, volunteer, outcome)
    if (outcome == K.NEEDS_HELP) != (report is not None):
        raise ValueError("needs help comes with the report filed for it, all well without")
    visit.report = report
    visit.outcome, visit.done_at = outcome, now
    record(outcome, visit.community_id, now, care_visit_id=visit.id,
           volunteer_id=volunteer.id, actor_id=volunteer.id,
           note=report.number if report else None)
    ledger.award_for_visit(visit, volunteer, now=now)


# --- the worker -----------------------------------------------------------------------------

def sweep(now: datetime) -> list[CareVisit]:
    """Make the coming days' visits of every plan; mark the visits not made by the end of
    their day as missed, once each. Returns the visits newly missed (rules tell staff)."""
    for plan in db.session.scalars(select(CareVisitPlan).join(CareCard).where(CareCard.active)):
        make_visits(plan, local_day(now, plan.care_card.community_id))
    missed = []
    # Past their day in some time zone (UTC's day after is a bound for every zone east of
    # it); each one's own community's day decides below.
    overdue = db.session.scalars(select(CareVisit).join(CareCard).where(
        CareVisit.done_at.is_(None), CareVisit.missed_at.is_(None), CareCard.active,
        CareVisit.due_on <= now.date() + timedelta(days=1)))
    for visit in overdue:
        if visit.due_on < local_day(now, visit.community_id):
            visit.missed_at = now
            record(K.MISSED, visit.community_id, now, care_visit_id=visit.id,
                   volunteer_id=visit.volunteer_id)
            missed.append(visit)
    return missed
