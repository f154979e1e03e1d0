"""点单: a report comes in (a door's code, Open311, or staff filing what a resident told them on
the phone, at home, on patrol or at a meeting), once per submission key however often it is
replayed, and is found again by its private link, its key or its number."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.domain import DomainRefused, savepoint
from webapp.domain.people.permissions import Action, can
from webapp.domain.reports import categories, sla
from webapp.domain.reports.labels import S
from webapp.domain.reports.questions import store_answers
from webapp.domain.reports.timeline import attach_photos, record_event
from webapp.domain.services.care_cards import has_care_card
from webapp.domain.shared import photos as photo_store
from webapp.domain.shared.phones import texting_number
from webapp.domain.shared.tokens import digest, seal, tracking_token
from webapp.extensions import db
from webapp.models import (
    STAFF_CHANNELS,
    Building,
    Category,
    Entrance,
    Milestone,
    QrCode,
    Report,
    ReportChannel,
    User,
)
from webapp.models.text import fit_fields
from webapp.models.types import utcnow


class SubmissionKeyConflict(Exception):
    """A submission key was replayed for a different place."""


class FilingRefused(DomainRefused):
    """This account may not file reports for residents of this community."""

    status = 403


@dataclass(frozen=True)
class ReportDraft:
    submission_key: str
    category_id: int
    description: str
    floor_room: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    care_card: bool = False
    channel: str = ReportChannel.QR  # how it came in (models.ReportChannel)
    answers: tuple = ()  # questions.Answer for the category's extra questions
    sms_updates: bool = False  # text the tracking link now and the outcome later
    language: str = "zh"  # of the messages the resident is sent
    # The staff member who filed it for a resident (a STAFF_CHANNELS channel), else None.
    filed_by: User | None = None
    # Filed by the volunteer of a care visit at the holder's door (services/care_visits
    # checks that they checked in there): a home visit, though volunteers file nothing else.
    on_care_visit: bool = False

    def __post_init__(self):
        fit_fields(self, Report, "floor_room", "contact_name", "contact_phone")


def tracking_path(token: str) -> str:
    """The resident's private page of a report (resident blueprint, /t/<token>)."""
    return f"/t/{token}"


def find_by_submission_key(key: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.submission_key_hash == digest(key)))


def find_by_tracking_link(token: str) -> Report | None:
    """The report behind a private link; None for any wrong token, well-formed or not."""
    return db.session.scalar(select(Report).where(Report.tracking_token_hash == digest(token)))


def find_by_number(number: str, community_id: int) -> Report | None:
    return db.session.scalar(select(Report).where(Report.number == number.strip(),
                                                  Report.community_id == community_id))


def submit_report(qr: QrCode | None, draft: ReportDraft, photos, upload_folder,
                  now: datetime | None = None, *, building: Building | None = None,
                  entrance_id: int | None = None, on_created=None, secret: str,
                  new_key: bool = False, offered: Category | None = None
                  ) -> tuple[Report, bool]:
    """File a report for the place bound to `qr`, or (Open311, no code) for `building` and
    `entrance_id`. A replay of the same submission key returns the report it already made;
    the bool says whether this call created it. `on_created(report)` may add rows of its own
    to the same transaction. `secret` makes the tracking link (tokens.link_token). The
    caller's unit of work commits; a replay that loses the race to the database is found
    there (an IntegrityError undoes only this savepoint). `new_key`: the caller made the
    submission key just now (Open311), so no report can hold it yet: neither the look-up
    nor the savepoint for a replay is needed. `offered`: the draft's category, when the
    caller has just read it as offered in this place's community (Open311's service
    look-up does), with its SLA targets: it is not read again.

    The report is written whole in one flush (its clock, due time, first event, photos and
    answers with it), then given its number, which needs its id: each statement is a round
    trip to the database, and filing is the busiest write."""
    if qr is not None:
        building, entrance_id = qr.building, qr.entrance_id
    if not new_key:
        existing = find_by_submission_key(draft.submission_key)
        if existing is not None:
            return _same_place(existing, qr, building, entrance_id), False

    compound = building.compound
    check_channel(draft, compound.community_id)
    # Every way in (door, staff filing, Open311) meets this: a retired category, or another
    # community's own, is not taken even when a stale form or a client still names it.
    category = offered if offered is not None and offered.id == draft.category_id else \
        categories.check_offered(draft.category_id, compound.community_id)
    if draft.sms_updates and texting_number(draft.contact_phone) is None:
        raise DomainRefused(_l("To be sent text messages, please give a mobile number."),
                            field="contact_phone")
    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    now = now or utcnow()
    token = tracking_token(draft.submission_key, secret)
    care_card = draft.care_card or has_care_card(compound.community_id, draft.contact_phone)
    report = Report(
        submission_key_hash=digest(draft.submission_key),
        tracking_token_hash=digest(token),
        community_id=compound.community_id,
        # The places and category as objects, not only ids: the clocks and the
        # notifications read them from the session instead of the database.
        compound=compound,
        building=building,
        entrance=db.session.get(Entrance, entrance_id) if entrance_id else None,
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
        sms_updates=draft.sms_updates,
        sealed_link=seal(tracking_path(token), secret) if draft.sms_updates else None,
        language=draft.language.split("_")[0],
        created_at=now,
        updated_at=now,
    )
    report.category = category
    # Read before anything is written: on SQLite a transaction that has read may not
    # start writing once another has written ("database is locked").
    clock = sla.clock_inputs(report, Milestone.ACCEPT)
    try:
        # No autoflush while the rows are made: the report is written whole, at once.
        with nullcontext() if new_key else savepoint(), db.session.no_autoflush:
            db.session.add(report)
            event = record_event(report, "submitted", None, S.SUBMITTED, None, now=now,
                                 actor=draft.filed_by)
            attach_photos(report, event, photos, stored)
            sla.start(report, Milestone.ACCEPT, now, inputs=clock)
            store_answers(report, draft.answers)
            db.session.flush()
            report.number = _report_number(report, compound.community.timezone)
            if on_created is not None:
                on_created(report)
    except IntegrityError:
        # Another request with the same submission key won the race.
        photo_store.delete_photos(upload_folder, stored)
        existing = None if new_key else find_by_submission_key(draft.submission_key)
        if existing is None:
            raise
        return _same_place(existing, qr, building, entrance_id), False
    except Exception:
        photo_store.delete_photos(upload_folder, stored)
        raise
    return report, True


def check_channel(draft: ReportDraft, community_id: int) -> None:
    """A resident's own report comes by the door's code or Open311; one that staff file
    (phone, visit, patrol, meeting) names them, and they may file for this community."""
    if draft.channel not in set(ReportChannel):
        raise DomainRefused(_l("Please choose how the report came in."), field="channel")
    filed_by = draft.filed_by
    if (filed_by is not None) != (draft.channel in STAFF_CHANNELS):
        raise DomainRefused(_l("A report taken by phone, on a home visit, on patrol or at a "
                               "meeting is filed by a staff member."), field="channel")
    may_file = can(filed_by, Action.FILE_FOR_RESIDENT) or (
        draft.on_care_visit and draft.channel == ReportChannel.VISIT)
    if filed_by is not None and not (may_file and
                                     filed_by.organization.community_id == community_id):
        raise FilingRefused(_l("You may not file reports for residents of this community."))


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
