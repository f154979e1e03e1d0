"""我也遇到了: a QR code is an asset. A resident who opens the report form at a door where an
open report of the same place is recent sees it first and can follow it instead of filing the
same problem again. A follower gets a private link of their own (never the reporter's) to a
page with the report's public progress and, if they ask, its texts (SMS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, not_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.domain import DomainRefused, savepoint
from webapp.domain.reports.category_settings import report_is_private
from webapp.domain.reports.privacy import mask
from webapp.domain.reports.timeline import record_event
from webapp.domain.shared.phones import texting_number
from webapp.domain.shared.tokens import digest, link_token, seal
from webapp.extensions import db
from webapp.models import OPEN_STATUSES, Category, QrCode, Report, ReportFollower
from webapp.models.types import utcnow

RECENT = timedelta(days=30)
AT_MOST = 3  # shown at a door
EXCERPT = 40  # characters of the masked description


class FollowRefused(DomainRefused):
    """The report is no longer one to follow from this door (fixed, merged, rejected)."""

    status = 409


@dataclass(frozen=True)
class FollowDraft:
    submission_key: str
    phone: str | None = None  # in its stored spelling (the form normalised it)
    sms_updates: bool = False
    language: str = "zh"


def follower_path(token: str) -> str:
    """The follower's private page (resident blueprint, /f/<token>)."""
    return f"/f/{token}"


def follow_token(submission_key: str, secret: str) -> str:
    return link_token("follow", submission_key, secret)


def open_at_door(qr: QrCode, now: datetime | None = None) -> list[Report]:
    """The open, recent reports a resident at this door may follow: of the same building and,
    for an entrance's code, of that entrance or the whole building; never of a category this
    community keeps private, nor one staff hid from the board."""
    now = now or utcnow()
    conditions = [Report.building_id == qr.building_id, Report.status.in_(OPEN_STATUSES),
                  Report.created_at >= now - RECENT, Report.hidden_from_board.is_(False),
                  not_(report_is_private())]
    if qr.entrance_id is not None:
        conditions.append((Report.entrance_id == qr.entrance_id) | Report.entrance_id.is_(None))
    return list(db.session.scalars(
        select(Report).join(Category, Report.category_id == Category.id).where(*conditions)
        .order_by(Report.created_at.desc()).limit(AT_MOST)
        .options(joinedload(Report.category))))


def of_this_building(qr: QrCode, report_id: int) -> bool:
    """Whether the report is of the door's building at all (else there is nothing to say
    about it at this door, open or not)."""
    return db.session.scalar(select(Report.id).where(
        Report.id == report_id, Report.building_id == qr.building_id)) is not None


def excerpt(report: Report) -> str:
    """What a neighbour reads of the report: its words as the board shows them (phones, ids,
    rooms and the reporter's own details masked), cut short."""
    text = mask(report.description, [report.contact_name, report.contact_phone,
                                     report.floor_room]) or ""
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"


def followers_count(report: Report) -> int:
    return db.session.scalar(select(func.count(ReportFollower.id))
                             .where(ReportFollower.report_id == report.id))


def find_follower(token: str) -> ReportFollower | None:
    return db.session.scalar(select(ReportFollower)
                             .where(ReportFollower.link_token_hash == digest(token)))


def follow(qr: QrCode, report_id: int, draft: FollowDraft, *, secret: str,
           now: datetime | None = None) -> tuple[ReportFollower, bool]:
    """Add the resident at `qr` as a follower of report `report_id`, which must be one that
    door offers. A replay of the same submission key returns the follower it made; the bool
    says whether this call made it. The caller's unit of work commits."""
    existing = _by_key(draft.submission_key)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    report = next((r for r in open_at_door(qr, now) if r.id == report_id), None)
    if report is None:
        raise FollowRefused(_l("That report is no longer open. If you still have the problem, "
                               "please report it."))
    if draft.sms_updates and texting_number(draft.phone) is None:
        raise DomainRefused(_l("To be sent text messages, please give a mobile number."),
                            field="phone")
    token = follow_token(draft.submission_key, secret)
    follower = ReportFollower(
        report=report, submission_key_hash=digest(draft.submission_key),
        link_token_hash=digest(token), phone=draft.phone, sms_updates=draft.sms_updates,
        sealed_link=seal(follower_path(token), secret) if draft.sms_updates else None,
        language=draft.language.split("_")[0], created_at=now)
    try:
        with savepoint():
            db.session.add(follower)
            # Public, with no words: the reporter and staff see that a neighbour has it too.
            record_event(report, "followed", None, None, None, now=now)
            db.session.flush()
    except IntegrityError:  # the same key, sent twice at once: the other one won
        existing = _by_key(draft.submission_key)
        if existing is None:
            raise
        return existing, False
    return follower, True


def _by_key(submission_key: str) -> ReportFollower | None:
    return db.session.scalar(select(ReportFollower).where(
        ReportFollower.submission_key_hash == digest(submission_key)))
