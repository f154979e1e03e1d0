"""One ballot per household: cast by scanning its slip (and changed until the deadline), or
recorded by staff from a paper or meeting vote; a lost slip is voided and a new one issued.

Nothing here trusts what was read before the write. Each vote is three conditional writes in
one transaction: the slip is still in force (its `used_at`), the consultation still open and
before its deadline (its `tally_version`, which also moves the scan page's cache key on), and
the ballot — inserted under the unique (consultation, household), or, when that household
has one already (another slip copy or a paper vote at the same moment), changed in place. So
two slips raced at once leave one ballot, and a vote that lost to the deadline, the
decision or the voiding counts nothing."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.domain import DomainRefused, savepoint
from webapp.domain.consultations.history import record
from webapp.domain.consultations.opening import issue_slip
from webapp.domain.consultations.rooms import room_order
from webapp.domain.people.permissions import Action, can
from webapp.domain.shared.tokens import ballot_token, digest
from webapp.extensions import db
from webapp.models import (
    Ballot,
    BallotSlip,
    Consultation,
    ConsultationHousehold,
    ConsultationOption,
    ConsultationStatus,
    Household,
    User,
)
from webapp.models.types import utcnow

SLIP, PAPER = "slip", "paper"


class BallotRefused(DomainRefused):
    status = 409


VOTING_ENDED = _l("Voting has ended: the deadline has passed.")
SLIP_VOIDED = _l("This ballot slip was voided (a new one was issued for your home). Please use "
                 "the new slip, or ask the community office.")


def slip_by_token(token: str) -> BallotSlip | None:
    return db.session.scalar(select(BallotSlip).where(BallotSlip.token_hash == digest(token)))


def slip_in_force(consultation: Consultation, household_id: int) -> BallotSlip | None:
    return db.session.scalar(select(BallotSlip).where(
        BallotSlip.consultation_id == consultation.id, BallotSlip.household_id == household_id,
        BallotSlip.voided_at.is_(None)))


def ballot_of(consultation_id: int, household_id: int) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(Ballot.consultation_id == consultation_id,
                                                  Ballot.household_id == household_id))


def voting_open(consultation: Consultation, now: datetime) -> bool:
    return consultation.status == ConsultationStatus.OPEN and now < consultation.deadline


def option_at(consultation: Consultation, position: int | None) -> ConsultationOption:
    option = next((o for o in consultation.options if o.position == position), None)
    if option is None:
        raise DomainRefused(_l("Please choose one of the options."), field="choice")
    return option


def vote_by_slip(slip: BallotSlip, position: int | None, now: datetime | None = None) -> bool:
    """The household of `slip` votes; True for its first ballot, False for a change."""
    now = now or utcnow()
    if slip.voided_at is not None:
        raise BallotRefused(SLIP_VOIDED)
    option = option_at(slip.consultation, position)
    used = db.session.execute(
        update(BallotSlip).where(BallotSlip.id == slip.id, BallotSlip.voided_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        raise BallotRefused(SLIP_VOIDED)
    return _cast(slip.consultation, slip.household_id, option, SLIP, None, now)


def record_paper_vote(consultation: Consultation, household_id: int, position: int | None,
                      actor: User, now: datetime | None = None) -> bool:
    """Staff record a household's paper or meeting vote (it replaces a slip's vote)."""
    now = now or utcnow()
    if not can(actor, Action.MANAGE_CONSULTATIONS):
        raise DomainRefused(_l("You are not allowed to record votes."))
    member_of(consultation, household_id)
    return _cast(consultation, household_id, option_at(consultation, position), PAPER, actor,
                 now)


def _cast(consultation: Consultation, household_id: int, option: ConsultationOption,
          channel: str, actor: User | None, now: datetime) -> bool:
    still_open = db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation.id,
               Consultation.status == ConsultationStatus.OPEN, Consultation.deadline > now)
        .values(tally_version=Consultation.tally_version + 1)
        .execution_options(synchronize_session=False))
    if still_open.rowcount != 1:
        raise BallotRefused(VOTING_ENDED)
    db.session.expire(consultation, ["tally_version"])
    try:
        with savepoint():
            db.session.add(Ballot(consultation_id=consultation.id, household_id=household_id,
                                  option_id=option.id, channel=channel, cast_at=now))
            db.session.flush()
        first = True
    except IntegrityError:  # the household has a ballot: this vote changes it
        db.session.execute(
            update(Ballot).where(Ballot.consultation_id == consultation.id,
                                 Ballot.household_id == household_id)
            .values(option_id=option.id, channel=channel, changed_at=now)
            .execution_options(synchronize_session=False))
        first = False
    kind = {(SLIP, True): "vote_cast", (SLIP, False): "vote_changed",
            (PAPER, True): "paper_vote", (PAPER, False): "paper_vote_changed"}[channel, first]
    record(consultation, kind, actor, household_id=household_id, option_id=option.id, now=now)
    db.session.flush()
    return first


def member_of(consultation: Consultation, household_id: int | None) -> ConsultationHousehold:
    member = db.session.scalar(select(ConsultationHousehold).where(
        ConsultationHousehold.consultation_id == consultation.id,
        ConsultationHousehold.household_id == household_id)) if household_id else None
    if member is None:
        raise DomainRefused(_l("This household has no say in this consultation."))
    return member


def reissue_slip(consultation: Consultation, household_id: int, actor: User, *, secret: str,
                 now: datetime | None = None) -> BallotSlip:
    """A lost slip: void the one in force and issue a new one (a new link). A vote already
    cast through the old slip stands; the new slip can change it."""
    now = now or utcnow()
    if not can(actor, Action.MANAGE_CONSULTATIONS):
        raise DomainRefused(_l("You are not allowed to reissue slips."))
    if not voting_open(consultation, now):
        raise BallotRefused(VOTING_ENDED)
    household = member_of(consultation, household_id).household
    voided = db.session.execute(
        update(BallotSlip).where(BallotSlip.consultation_id == consultation.id,
                                 BallotSlip.household_id == household_id,
                                 BallotSlip.voided_at.is_(None))
        .values(voided_at=now).execution_options(synchronize_session=False))
    if voided.rowcount:
        record(consultation, "slip_voided", actor, household_id=household_id, now=now)
    try:
        with savepoint():
            slip = issue_slip(consultation, household, secret, now)
            db.session.flush()
    except IntegrityError as error:
        raise BallotRefused(_l("Someone else issued a new slip for this home at the same "
                               "moment. Print that one.")) from error
    record(consultation, "slip_issued", actor, household_id=household_id, now=now)
    return slip


def slips_to_print(consultation: Consultation, secret: str,
                   household_id: int | None = None) -> list[tuple[Household, str]]:
    """(household, slip token) of every slip in force, in room order, or of one household's."""
    query = select(BallotSlip).where(BallotSlip.consultation_id == consultation.id,
                                     BallotSlip.voided_at.is_(None))
    if household_id is not None:
        query = query.where(BallotSlip.household_id == household_id)
    slips = list(db.session.scalars(query))
    pairs = [(slip.household, ballot_token(slip.nonce, secret)) for slip in slips]
    return sorted(pairs, key=lambda pair: room_order(pair[0].room))
