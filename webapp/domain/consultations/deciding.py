"""At the deadline the rule decides, exactly once: the worker's periodic job and `flask
consultations close-due` call `close_due`; whichever moves a consultation from open to
decided (one conditional write) decides it, and the others find nothing to do. The result
goes into the event log and onto the linked report, which leaves `needs_consultation` to go
on where it was (its clocks run again) or is closed as declined. Then staff mark who paid."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from webapp.domain import DomainRefused
from webapp.domain.consultations import rules
from webapp.domain.consultations.ballots import member_of
from webapp.domain.consultations.history import record
from webapp.domain.consultations.tally import rule_of, voters_of
from webapp.domain.people.permissions import Action, can
from webapp.domain.reports import sla
from webapp.domain.reports.timeline import SYSTEM, record_event
from webapp.domain.reports.transitions import save_change
from webapp.extensions import db
from webapp.models import (
    Consultation,
    ConsultationStatus,
    Outcome,
    Report,
    ReportStatus,
    User,
)
from webapp.models.types import utcnow

S = ReportStatus


def close_due(now: datetime | None = None) -> int:
    """Decide every open consultation whose deadline has passed; how many this call decided."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Consultation.id).where(
        Consultation.status == ConsultationStatus.OPEN, Consultation.deadline <= now)
        .order_by(Consultation.deadline)))
    return sum(decide(consultation_id, now) for consultation_id in due)


def decide(consultation_id: int, now: datetime) -> bool:
    """Close one consultation past its deadline and apply its rule; False if another run (or
    nobody: not due) got there first."""
    closed = db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation_id,
               Consultation.status == ConsultationStatus.OPEN, Consultation.deadline <= now)
        .values(status=ConsultationStatus.DECIDED, decided_at=now,
                tally_version=Consultation.tally_version + 1)
        .execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        return False
    consultation = db.session.get(Consultation, consultation_id)
    db.session.refresh(consultation)
    kinds = [o.kind for o in consultation.options]
    result = rules.decide(rule_of(consultation), kinds, voters_of(consultation))
    consultation.outcome = Outcome.APPROVED if result.approved else Outcome.DECLINED
    consultation.winning_position = result.winner
    record(consultation, "closed", now=now, note=f"{result.voted}/{result.households}")
    record(consultation, "decided", now=now, note=consultation.outcome,
           option_id=consultation.options[result.winner].id if result.approved else None)
    if consultation.report is not None:
        report_moves_on(consultation.report, consultation, now)
    db.session.flush()
    return True


def summary(consultation: Consultation) -> str:
    """The result in the words the report's public timeline keeps (Chinese and English: the
    timeline's notes are stored once)."""
    if consultation.outcome == Outcome.APPROVED:
        won = consultation.options[consultation.winning_position]
        plan = f"：{won.label}" if won.label else ""
        return f"一事一议「{consultation.title}」居民表决通过{plan} · approved by the residents"
    return f"一事一议「{consultation.title}」未获居民表决通过 · declined by the residents"


def report_moves_on(report: Report, consultation: Consultation, now: datetime) -> None:
    """Approved: back to where it was before it waited on the residents, its clocks running
    again. Declined: closed, its clocks stopped. A report no longer waiting is only told."""
    note = summary(consultation)
    if report.status != S.NEEDS_CONSULTATION:
        record_event(report, "consultation_decided", None, None, note, actor_kind=SYSTEM,
                     now=now)
    elif consultation.outcome == Outcome.APPROVED:
        before = status_before_waiting(report)
        record_event(report, "consultation_approved", report.status, before, note,
                     actor_kind=SYSTEM, now=now)
        report.status = before
    else:
        record_event(report, "consultation_declined", report.status, S.CLOSED, note,
                     actor_kind=SYSTEM, now=now)
        report.status = S.CLOSED
        report.closed_at = now
        sla.cancel_open(report, now)
    save_change(report, now)


def status_before_waiting(report: Report) -> str:
    """The status the report had when it was marked for the residents' decision; a report
    that was with a department goes back to the dispatch desk's hands."""
    for event in reversed(report.events):
        if event.kind == "needs_consultation":
            before = event.from_status or S.SUBMITTED
            if before == S.ESCALATED:
                return S.ASSIGNED if report.assigned_org_id else S.SUBMITTED
            return before
    return S.SUBMITTED


def mark_paid(consultation: Consultation, household_id: int, paid: bool, actor: User,
              now: datetime | None = None) -> None:
    """筹措维修资金: staff mark a household's share paid, or take the mark back."""
    now = now or utcnow()
    if not can(actor, Action.MANAGE_CONSULTATIONS):
        raise DomainRefused(_l("You are not allowed to record payments."))
    if consultation.outcome != Outcome.APPROVED:
        raise DomainRefused(_l("Payments are collected once the residents have approved."))
    member = member_of(consultation, household_id)
    if (member.paid_at is not None) == paid:
        return
    member.paid_at = now if paid else None
    record(consultation, "paid_marked" if paid else "paid_unmarked", actor,
           household_id=household_id, note=str(member.share_cents), now=now)
    db.session.flush()
