"""At the deadline the rule decides, exactly once; the report moves on; payments are marked."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import app_secret, at_the_same_moment
from tests.domain.consultations.conftest import DEADLINE, T0
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.consultations import ballots, deciding, tally
from webapp.domain.reports import sla
from webapp.extensions import db
from webapp.models import Consultation, ConsultationEvent, ReportEvent

AGREE, DISAGREE = 0, 1


def vote(consultation, rooms_and_choices):
    slips = {h.room: t for h, t in ballots.slips_to_print(consultation, app_secret())}
    for room, choice in rooms_and_choices.items():
        with unit_of_work():
            ballots.vote_by_slip(ballots.slip_by_token(slips[room]), choice, now=T0)


def close(at):
    with unit_of_work():
        return deciding.close_due(at)


def test_the_rule_decides_at_the_deadline_and_the_report_goes_on(consultation,
                                                                   waiting_report):
    vote(consultation, {"101": AGREE, "102": AGREE, "201": AGREE, "202": AGREE,
                        "301": DISAGREE})
    assert close(DEADLINE - timedelta(seconds=1)) == 0  # not yet
    assert consultation.status == "open"
    assert close(DEADLINE) == 1
    db.session.refresh(consultation)
    assert (consultation.status, consultation.outcome) == ("decided", "approved")
    assert consultation.winning_position == AGREE
    assert close(DEADLINE + timedelta(hours=1)) == 0  # exactly once
    db.session.refresh(waiting_report)
    assert waiting_report.status == "assigned"  # where it was before it waited
    last = waiting_report.events[-1]
    assert last.kind == "consultation_approved" and last.is_public and "通过" in last.note
    assert not any(m.paused_at for m in sla.open_milestones(waiting_report))


def test_too_few_agree_and_the_report_closes_as_declined(consultation, waiting_report):
    vote(consultation, {"101": AGREE, "102": AGREE, "201": AGREE, "202": DISAGREE})
    assert close(DEADLINE) == 1  # 3 of 6 agree: two thirds not reached
    db.session.refresh(consultation)
    db.session.refresh(waiting_report)
    assert consultation.outcome == "declined"
    assert waiting_report.status == "closed" and waiting_report.closed_at == DEADLINE
    assert waiting_report.events[-1].kind == "consultation_declined"
    assert sla.open_milestones(waiting_report) == []


def test_two_closers_at_the_same_moment_decide_once(app, consultation, waiting_report):
    outcomes = at_the_same_moment(app, 3, lambda i: deciding.close_due(DEADLINE))
    assert outcomes == ["ok"] * 3, outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ConsultationEvent.id)).where(
        ConsultationEvent.kind == "decided")) == 1
    assert db.session.scalar(select(func.count(ReportEvent.id)).where(
        ReportEvent.kind == "consultation_declined")) == 1


def test_a_vote_after_the_decision_counts_nothing(consultation):
    assert close(DEADLINE) == 1
    slip = ballots.slip_by_token(dict((h.room, t) for h, t in ballots.slips_to_print(
        consultation, app_secret()))["101"])
    with pytest.raises(ballots.BallotRefused), unit_of_work():
        ballots.vote_by_slip(slip, AGREE, now=T0)  # a clock behind: the status still says no
    assert tally.tally(consultation).voted == 0


def test_payments_are_marked_per_household_with_a_total(consultation, users):
    vote(consultation, {r: AGREE for r in ("101", "102", "201", "202")})
    member = consultation.members[0]
    with pytest.raises(DomainRefused), unit_of_work():  # not approved yet
        deciding.mark_paid(consultation, member.household_id, True, users["dispatcher"])
    close(DEADLINE)
    db.session.refresh(consultation)
    with unit_of_work():
        deciding.mark_paid(consultation, member.household_id, True, users["dispatcher"])
        deciding.mark_paid(consultation, consultation.members[1].household_id, True,
                           users["dispatcher"])
        deciding.mark_paid(consultation, member.household_id, True, users["dispatcher"])
    assert tally.raised_cents(consultation) == 20_000_00
    with unit_of_work():
        deciding.mark_paid(consultation, member.household_id, False, users["dispatcher"])
    assert tally.raised_cents(consultation) == 10_000_00
    assert [e.kind for e in db.session.scalars(select(ConsultationEvent).where(
        ConsultationEvent.kind.like("paid%")))] == ["paid_marked", "paid_marked",
                                                    "paid_unmarked"]
    with pytest.raises(DomainRefused), unit_of_work():
        deciding.mark_paid(consultation, member.household_id, True, users["mateng"])


def test_a_report_handled_meanwhile_is_only_told(consultation, waiting_report, users):
    waiting_report.status = "accepted"
    db.session.commit()
    close(DEADLINE)
    db.session.refresh(waiting_report)
    assert waiting_report.status == "accepted"
    assert waiting_report.events[-1].kind == "consultation_decided"
    assert db.session.get(Consultation, consultation.id).outcome == "declined"
