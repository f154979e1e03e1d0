"""What a consultation shows: its tally (counts only, never who chose what), the rule in
words, the shares and what has been paid; and which consultations a door's scan page shows,
read so cheaply that the page's cache key can hold them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select

from webapp.domain.consultations import rules
from webapp.domain.consultations.rooms import room_order
from webapp.extensions import db
from webapp.models import (
    Ballot,
    BallotSlip,
    Building,
    Consultation,
    ConsultationHousehold,
    ConsultationOption,
    ConsultationStatus,
    Household,
    QrCode,
)

# A decided consultation stays on its doors' scan pages this long.
SHOWN_AFTER_DECISION = timedelta(days=14)
OPTION_LABELS = {rules.AGREE: _l("Agree"), rules.DISAGREE: _l("Disagree"),
                 rules.ABSTAIN: _l("Abstain")}
BASIS_WORDS = {rules.HOUSEHOLDS: _l("of all households"),
               rules.AREA: _l("of the floor area of all households"),
               rules.BOTH: _l("of all households and of their floor area")}


EVENT_LABELS = {
    "opened": _l("Opened"), "slips_issued": _l("Ballot slips issued"),
    "slip_issued": _l("New slip issued"), "slip_voided": _l("Slip voided"),
    "vote_cast": _l("Voted by slip"), "vote_changed": _l("Vote changed by slip"),
    "paper_vote": _l("Paper vote recorded"), "paper_vote_changed": _l("Paper vote changed"),
    "closed": _l("Closed at the deadline"), "decided": _l("Decided by the rule"),
    "paid_marked": _l("Marked paid"), "paid_unmarked": _l("Payment mark taken back"),
}


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def option_label(option: ConsultationOption) -> str:
    return option.label or str(OPTION_LABELS.get(option.kind, option.kind))


def rule_of(consultation: Consultation) -> rules.Rule:
    return rules.Rule(consultation.rule_basis, consultation.rule_num, consultation.rule_den,
                      consultation.rule_strict)


def rule_words(consultation: Consultation) -> str:
    """E.g. "At least 2/3 of all households agree"."""
    rule = rule_of(consultation)
    text = _l("More than %(share)s %(basis)s must agree.") if rule.strict else \
        _l("At least %(share)s %(basis)s must agree.")
    return str(text % {"share": f"{rule.num}/{rule.den}", "basis": BASIS_WORDS[rule.basis]})


def voters_of(consultation: Consultation) -> list[rules.Voter]:
    positions = {o.id: o.position for o in consultation.options}
    rows = db.session.execute(
        select(Household.area_x100, Ballot.option_id)
        .select_from(ConsultationHousehold)
        .join(Household, Household.id == ConsultationHousehold.household_id)
        .outerjoin(Ballot, and_(Ballot.consultation_id == ConsultationHousehold.consultation_id,
                                Ballot.household_id == ConsultationHousehold.household_id))
        .where(ConsultationHousehold.consultation_id == consultation.id))
    return [rules.Voter(area, positions.get(option_id)) for area, option_id in rows]


@dataclass(frozen=True)
class Tally:
    counts: tuple[tuple[str, int], ...]  # (option label, households) by position
    voted: int
    households: int


def tally(consultation: Consultation) -> Tally:
    counted = dict(db.session.execute(
        select(Ballot.option_id, func.count()).where(Ballot.consultation_id == consultation.id)
        .group_by(Ballot.option_id)).all())
    households = db.session.scalar(select(func.count()).where(
        ConsultationHousehold.consultation_id == consultation.id))
    counts = tuple((option_label(o), counted.get(o.id, 0)) for o in consultation.options)
    return Tally(counts, sum(n for _, n in counts), households or 0)


@dataclass(frozen=True)
class Share:
    household_id: int
    room: str
    share_cents: int
    paid: bool


def shares_of(consultation: Consultation) -> list[Share]:
    found = [Share(m.household_id, m.household.room, m.share_cents, m.paid_at is not None)
             for m in consultation.members]
    return sorted(found, key=lambda s: room_order(s.room))


def raised_cents(consultation: Consultation) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(ConsultationHousehold.share_cents),
                                                  0)).where(
        ConsultationHousehold.consultation_id == consultation.id,
        ConsultationHousehold.paid_at.is_not(None))) or 0


def yuan(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def of_community(community_id: int) -> list[Consultation]:
    """Open ones first (nearest deadline first), then the decided, latest first."""
    found = list(db.session.scalars(select(Consultation).where(
        Consultation.community_id == community_id).order_by(Consultation.id.desc()).limit(200)))
    return sorted(found, key=lambda c: (c.status != ConsultationStatus.OPEN,
                                        c.deadline if c.status == ConsultationStatus.OPEN
                                        else -c.decided_at.timestamp()))


def of_report(report_id: int) -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).where(
        Consultation.report_id == report_id).order_by(Consultation.id)))


# --- the scan page ----------------------------------------------------------------------------

def _at_door_query():
    """The consultations a door's code shows: its compound's, its building's, and its
    entrance's (a building's own code shows every entrance's), open or lately decided."""
    door = QrCode.__table__.alias("door")
    return (
        select(Consultation.id, Consultation.tally_version, Consultation.status,
               Consultation.deadline)
        .join(door, door.c.token == bindparam("token"))
        .join(Building, Building.id == door.c.building_id)
        .where(Consultation.compound_id == Building.compound_id,
               or_(Consultation.building_id.is_(None),
                   Consultation.building_id == door.c.building_id),
               or_(Consultation.entrance_id.is_(None), door.c.entrance_id.is_(None),
                   Consultation.entrance_id == door.c.entrance_id),
               or_(Consultation.status == ConsultationStatus.OPEN,
                   Consultation.decided_at > bindparam("since")))
        .order_by(Consultation.deadline))


_at_door = None


def door_key(token: str, now: datetime) -> tuple:
    """What the scan page of `token` shows of consultations, as a key that changes with every
    vote (tally_version), with the decision, and when the deadline passes: one indexed query
    on a plain connection (the scan page is the app's hottest read)."""
    global _at_door
    if _at_door is None:
        _at_door = _at_door_query()
    with db.engine.connect() as connection:
        rows = connection.execute(_at_door, {"token": token,
                                             "since": now - SHOWN_AFTER_DECISION}).all()
    return tuple((cid, version, status, deadline <= now)
                 for cid, version, status, deadline in rows)


def for_door(key: tuple) -> list[tuple[Consultation, Tally]]:
    """The consultations of a door_key, each with its tally, for rendering."""
    found = []
    for consultation_id, *_ in key:
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is not None:
            found.append((consultation, tally(consultation)))
    return found


@dataclass(frozen=True)
class StaffRow:
    """One household on the staff page: whether it voted and how (slip or paper), never what
    it chose (that is in the event log, for disputes), its slip, its share, whether it paid."""

    household_id: int
    room: str
    channel: str | None
    slip_used: bool
    share_cents: int
    paid: bool


def staff_rows(consultation: Consultation) -> list[StaffRow]:
    ballots = dict(db.session.execute(select(Ballot.household_id, Ballot.channel).where(
        Ballot.consultation_id == consultation.id)).all())
    used = set(db.session.scalars(select(BallotSlip.household_id).where(
        BallotSlip.consultation_id == consultation.id, BallotSlip.voided_at.is_(None),
        BallotSlip.used_at.is_not(None))))
    rows = [StaffRow(m.household_id, m.household.room, ballots.get(m.household_id),
                     m.household_id in used, m.share_cents, m.paid_at is not None)
            for m in consultation.members]
    return sorted(rows, key=lambda r: room_order(r.room))


@dataclass(frozen=True)
class Decided:
    """A decided consultation as the public board shows it: counts only, never who voted."""

    consultation: Consultation
    tally: Tally
    winner: str | None  # the winning option's label, when approved


def decided_between(community_id: int, start: datetime, end: datetime,
                    compound_id: int | None = None, limit: int = 10) -> list[Decided]:
    """The community's (or compound's) consultations decided in [start, end), latest first."""
    query = select(Consultation).where(
        Consultation.community_id == community_id,
        Consultation.status == ConsultationStatus.DECIDED,
        Consultation.decided_at >= start, Consultation.decided_at < end)
    if compound_id is not None:
        query = query.where(Consultation.compound_id == compound_id)
    found = db.session.scalars(query.order_by(Consultation.decided_at.desc()).limit(limit))
    return [Decided(c, tally(c), option_label(c.options[c.winning_position])
                    if c.outcome == "approved" and c.winning_position is not None else None)
            for c in found]
