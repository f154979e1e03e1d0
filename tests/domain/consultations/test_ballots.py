"""One ballot per household: by slip (changed until the deadline) or on paper; voided slips
refused; and the same household raced from several slips and a paper vote at once keeps one
ballot, on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import app_secret, at_the_same_moment
from tests.domain.consultations.conftest import DEADLINE, T0
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.consultations import ballots, tally
from webapp.extensions import db
from webapp.models import Ballot, BallotSlip, Consultation, ConsultationEvent, User

AGREE, DISAGREE, ABSTAIN = 0, 1, 2


def tokens(consultation):
    return {h.room: token for h, token in ballots.slips_to_print(consultation, app_secret())}


def ballot_count():
    return db.session.scalar(select(func.count(Ballot.id)))


def kinds():
    return db.session.scalars(select(ConsultationEvent.kind).order_by(ConsultationEvent.id)).all()


def test_a_household_votes_once_and_changes_its_vote_until_the_deadline(consultation):
    slip = ballots.slip_by_token(tokens(consultation)["101"])
    with unit_of_work():
        assert ballots.vote_by_slip(slip, AGREE, now=T0 + timedelta(hours=1)) is True
    with unit_of_work():
        assert ballots.vote_by_slip(slip, DISAGREE, now=T0 + timedelta(hours=2)) is False
    assert ballot_count() == 1
    assert [n for _, n in tally.tally(consultation).counts] == [0, 1, 0]
    assert kinds()[-2:] == ["vote_cast", "vote_changed"]
    with pytest.raises(ballots.BallotRefused), unit_of_work():
        ballots.vote_by_slip(slip, AGREE, now=DEADLINE)
    assert [n for _, n in tally.tally(consultation).counts] == [0, 1, 0]


def test_a_wrong_choice_is_refused(consultation):
    slip = ballots.slip_by_token(tokens(consultation)["101"])
    for choice in (None, 3, -1):
        with pytest.raises(DomainRefused), unit_of_work():
            ballots.vote_by_slip(slip, choice, now=T0)
    assert ballot_count() == 0


def test_a_voided_slip_is_refused_and_the_new_one_counts(consultation, users):
    old = tokens(consultation)["102"]
    with unit_of_work():
        ballots.vote_by_slip(ballots.slip_by_token(old), AGREE, now=T0)
        household_id = ballots.slip_by_token(old).household_id
        ballots.reissue_slip(consultation, household_id, users["dispatcher"],
                             secret=app_secret(), now=T0)
    new = tokens(consultation)["102"]
    assert new != old
    with pytest.raises(ballots.BallotRefused), unit_of_work():
        ballots.vote_by_slip(ballots.slip_by_token(old), DISAGREE, now=T0)
    with unit_of_work():
        assert ballots.vote_by_slip(ballots.slip_by_token(new), ABSTAIN, now=T0) is False
    assert [n for _, n in tally.tally(consultation).counts] == [0, 0, 1]
    assert kinds()[-4:] == ["vote_cast", "slip_voided", "slip_issued", "vote_changed"]


def test_staff_record_a_paper_vote_for_a_household(consultation, users):
    member = consultation.members[3]
    with unit_of_work():
        assert ballots.record_paper_vote(consultation, member.household_id, AGREE,
                                         users["dispatcher"], now=T0) is True
    with pytest.raises(DomainRefused), unit_of_work():
        ballots.record_paper_vote(consultation, member.household_id, AGREE, users["mateng"],
                                  now=T0)
    with pytest.raises(DomainRefused), unit_of_work():
        ballots.record_paper_vote(consultation, 10**9, AGREE, users["dispatcher"], now=T0)
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.channel == "paper" and kinds()[-1] == "paper_vote"


def test_two_slips_and_a_paper_vote_at_the_same_moment_leave_one_ballot(app, consultation,
                                                                        users):
    """Two copies of one household's slip (a photocopy, two phones) and the 单元长 entering
    its paper vote, all at once: one ballot, counted once; the others change it."""
    token = tokens(consultation)["201"]
    consultation_id, dispatcher_id = consultation.id, users["dispatcher"].id
    household_id = ballots.slip_by_token(token).household_id

    def vote(i):
        if i == 3:
            ballots.record_paper_vote(db.session.get(Consultation, consultation_id),
                                      household_id, AGREE, db.session.get(User, dispatcher_id),
                                      now=T0)
        else:
            ballots.vote_by_slip(ballots.slip_by_token(token), i % 3, now=T0)

    outcomes = at_the_same_moment(app, 4, vote, (ballots.BallotRefused,))
    assert outcomes == ["ok"] * 4, outcomes
    db.session.expire_all()
    assert ballot_count() == 1
    firsts = [k for k in kinds() if k in ("vote_cast", "paper_vote")]
    changes = [k for k in kinds() if k in ("vote_changed", "paper_vote_changed")]
    assert len(firsts) == 1 and len(changes) == 3
    assert tally.tally(db.session.get(Consultation, consultation_id)).voted == 1
    assert db.session.get(Consultation, consultation_id).tally_version == 4


def test_a_slip_voided_at_the_moment_it_votes_counts_before_or_not_at_all(app, consultation,
                                                                         users):
    token = tokens(consultation)["202"]
    consultation_id, dispatcher_id = consultation.id, users["dispatcher"].id
    household_id = ballots.slip_by_token(token).household_id

    def act(i):
        if i == 0:
            ballots.vote_by_slip(ballots.slip_by_token(token), AGREE, now=T0)
        else:
            ballots.reissue_slip(db.session.get(Consultation, consultation_id), household_id,
                                 db.session.get(User, dispatcher_id), secret=app_secret(),
                                 now=T0)

    outcomes = at_the_same_moment(app, 2, act, (ballots.BallotRefused,))
    db.session.expire_all()
    assert set(outcomes) <= {"ok", "refused"}, outcomes
    voided = db.session.scalars(select(BallotSlip).where(
        BallotSlip.household_id == household_id, BallotSlip.voided_at.is_not(None))).all()
    assert len(voided) == 1
    counted = ballot_count()
    assert counted == outcomes.count("ok") - 1  # the reissue always succeeds
    if counted:  # it voted before the voiding: its slip was used before it was voided
        assert voided[0].used_at <= voided[0].voided_at
