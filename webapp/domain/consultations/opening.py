"""Opening a consultation: the proposal, its options and rule, the households that have a say
(the rooms of the place, fixed now, each with its share of the cost) and one ballot slip each.
Everything is checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.domain.consultations import rules
from webapp.domain.consultations.history import record
from webapp.domain.consultations.rooms import rooms_of
from webapp.domain.people.permissions import Action, can
from webapp.domain.reports.timeline import record_event
from webapp.domain.reports.transitions import save_change
from webapp.domain.shared import photos as photo_store
from webapp.domain.shared.tokens import ballot_token, digest, new_slip_nonce
from webapp.extensions import db
from webapp.models import (
    BallotSlip,
    Building,
    Compound,
    Consultation,
    ConsultationHousehold,
    ConsultationOption,
    ConsultationPhoto,
    ConsultationStatus,
    Entrance,
    Household,
    Report,
    ReportStatus,
    User,
)
from webapp.models.text import TextTooLong, fit
from webapp.models.types import utcnow

TEXT_MAX = 2000  # the proposal and the reason, each
MAX_COST_CENTS = 1_000_000_000  # ten million yuan
LONGEST = timedelta(days=180)
MIN_PLANS, MAX_PLANS = 2, 6


@dataclass(frozen=True)
class ConsultationDraft:
    title: str
    proposal: str
    reason: str
    cost_cents: int
    share_basis: str
    deadline: datetime  # aware UTC
    rule: rules.Rule
    plans: tuple[str, ...] = ()  # none: agree / disagree / abstain
    photos: tuple = field(default=())  # ProcessedPhoto


@dataclass(frozen=True)
class Place:
    compound: Compound
    building: Building | None = None
    entrance: Entrance | None = None

    def households(self) -> list[Household]:
        if self.building is not None:
            return rooms_of(self.building.id, self.entrance.id if self.entrance else None)
        return [h for b in self.compound.buildings for h in rooms_of(b.id)]


class ConsultationRefused(DomainRefused):
    pass


def check(draft: ConsultationDraft, place: Place, report: Report | None,
          now: datetime) -> list[Household]:
    """The households that will have a say; refused, with the reason, if anything is wrong."""
    def need(text, label, limit=None):
        value = (text or "").strip()
        if not value:
            raise ConsultationRefused(_l("Please fill in: %(what)s.", what=label))
        if limit and len(value) > limit:
            raise ConsultationRefused(_l("%(what)s: at most %(max)d characters.", what=label,
                                         max=limit))
        return value
    need(draft.title, _l("the title"))
    fits(Consultation.title, draft.title, _l("The title"))
    need(draft.proposal, _l("what will be done"), TEXT_MAX)
    need(draft.reason, _l("why"), TEXT_MAX)
    if not 0 <= draft.cost_cents <= MAX_COST_CENTS:
        raise ConsultationRefused(_l("The estimated cost must be from 0 to 10,000,000 yuan."),
                                  field="cost")
    if draft.share_basis not in (rules.EQUAL, rules.AREA):
        raise ConsultationRefused(_l("Choose how the cost is shared."), field="share_basis")
    if not now < draft.deadline <= now + LONGEST:
        raise ConsultationRefused(_l("The deadline must be in the future, within 180 days."),
                                  field="deadline")
    draft.rule.check()
    plans = [p.strip() for p in draft.plans if p.strip()]
    if draft.plans and not MIN_PLANS <= len(plans) <= MAX_PLANS:
        raise ConsultationRefused(_l("Give 2 to 6 plans to choose between, one a line."),
                                  field="plans")
    if len(set(plans)) != len(plans):
        raise ConsultationRefused(_l("Two plans have the same words."), field="plans")
    for plan in plans:
        fits(ConsultationOption.label, plan, _l("A plan"))
    households = place.households()
    if not households:
        raise ConsultationRefused(_l("This place has no rooms yet: list the building's rooms "
                                     "first, then open the consultation."), field="place")
    if (draft.rule.needs_area or draft.share_basis == rules.AREA) and \
            any(h.area_x100 is None for h in households):
        missing = ", ".join(h.room for h in households if h.area_x100 is None)[:200]
        raise ConsultationRefused(_l("Counting or sharing by area needs the area of every "
                                     "room; missing: %(rooms)s.", rooms=missing), field="place")
    if report is not None:
        if report.status != ReportStatus.NEEDS_CONSULTATION:
            raise ConsultationRefused(_l("Mark the report as needing a residents' decision "
                                         "first."))
        if db.session.scalar(select(Consultation.id).where(
                Consultation.report_id == report.id,
                Consultation.status == ConsultationStatus.OPEN)):
            raise ConsultationRefused(_l("This report has an open consultation already."))
    return households


def fits(attribute, value: str, label) -> None:
    try:
        fit(attribute, value.strip(), label)
    except TextTooLong as error:
        raise ConsultationRefused(str(error)) from error


def open_consultation(draft: ConsultationDraft, place: Place, actor: User, *, secret: str,
                      upload_folder, report: Report | None = None,
                      now: datetime | None = None) -> Consultation:
    now = now or utcnow()
    if not can(actor, Action.MANAGE_CONSULTATIONS):
        raise ConsultationRefused(_l("You are not allowed to open a consultation."))
    households = check(draft, place, report, now)
    rule = draft.rule
    consultation = Consultation(
        community_id=place.compound.community_id, compound_id=place.compound.id,
        building_id=place.building.id if place.building else None,
        entrance_id=place.entrance.id if place.entrance else None,
        report_id=report.id if report else None, title=draft.title.strip(),
        proposal=draft.proposal.strip(), reason=draft.reason.strip(),
        cost_cents=draft.cost_cents, share_basis=draft.share_basis,
        choice_kind=rules.PLANS if draft.plans else rules.YES_NO,
        rule_basis=rule.basis, rule_num=rule.num, rule_den=rule.den, rule_strict=rule.strict,
        deadline=draft.deadline, status=ConsultationStatus.OPEN, tally_version=0,
        opened_by_id=actor.id, created_at=now)
    db.session.add(consultation)
    kinds = [(rules.PLAN, p.strip()) for p in draft.plans if p.strip()] or \
        [(rules.AGREE, None), (rules.DISAGREE, None), (rules.ABSTAIN, None)]
    for position, (kind, label) in enumerate(kinds):
        db.session.add(ConsultationOption(consultation=consultation, position=position,
                                          kind=kind, label=label))
    shares = rules.shares(draft.cost_cents, [h.area_x100 for h in households],
                          draft.share_basis)
    for household, share in zip(households, shares, strict=True):
        db.session.add(ConsultationHousehold(consultation=consultation,
                                             household_id=household.id, share_cents=share))
        issue_slip(consultation, household, secret, now)
    record(consultation, "opened", actor, now=now, note=consultation.title)
    record(consultation, "slips_issued", actor, now=now, note=str(len(households)))
    if report is not None:
        record_event(report, "consultation_opened", None, None, consultation.title,
                     actor=actor, now=now)
        save_change(report, now)
    _store_photos(consultation, draft.photos, upload_folder)
    db.session.flush()
    return consultation


def issue_slip(consultation: Consultation, household: Household, secret: str,
               now: datetime) -> BallotSlip:
    nonce = new_slip_nonce()
    slip = BallotSlip(consultation=consultation, household_id=household.id, nonce=nonce,
                      token_hash=digest(ballot_token(nonce, secret)), issued_at=now)
    db.session.add(slip)
    return slip


def _store_photos(consultation: Consultation, photos, upload_folder) -> None:
    stored = []
    try:
        for photo in photos:
            name = photo_store.save_photo(upload_folder, photo)
            stored.append(name)
            consultation.photos.append(ConsultationPhoto(
                stored_name=name, width=photo.width, height=photo.height,
                byte_size=len(photo.jpeg)))
        db.session.flush()
    except Exception:
        photo_store.delete_photos(upload_folder, stored)
        raise


# --- the place picker: "c12" a compound, "b34" a building, "e56" an entrance ------------------

def place_choices(community_id: int) -> list[tuple[str, str]]:
    choices = []
    for compound in db.session.scalars(select(Compound).where(
            Compound.community_id == community_id).order_by(Compound.name)):
        choices.append((f"c{compound.id}", str(_l("%(compound)s (whole compound)",
                                                  compound=compound.name))))
        for building in compound.buildings:
            choices.append((f"b{building.id}", f"{compound.name} · {building.name}"))
            choices += [(f"e{e.id}", f"{compound.name} · {building.name} · {e.name}")
                        for e in building.entrances]
    return choices


def buildings_of(community_id: int) -> list[tuple[int, str]]:
    """(building id, "compound · building") of the community, for picking one's rooms."""
    return [(b.id, f"{c.name} · {b.name}") for c in db.session.scalars(
        select(Compound).where(Compound.community_id == community_id).order_by(Compound.name))
        for b in c.buildings]


def place_from_key(community_id: int, key: str | None) -> Place | None:
    """The place a picker value names, if it is one of the community's."""
    kind, number = (key or " ")[0], (key or " ")[1:]
    if kind not in "cbe" or not (number.isascii() and number.isdigit()) or len(number) > 18:
        return None
    model = {"c": Compound, "b": Building, "e": Entrance}[kind]
    found = db.session.get(model, int(number))
    if found is None:
        return None
    entrance = found if kind == "e" else None
    building = entrance.building if entrance else (found if kind == "b" else None)
    compound = building.compound if building else found
    if compound.community_id != community_id:
        return None
    return Place(compound, building, entrance)
