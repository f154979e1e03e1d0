"""The report workflow (五单闭环). Each transition checks who may make it, records a
ReportEvent and moves the report. Staff transitions arrive with the dispatch issue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.domain import photos as photo_store
from webapp.domain.tokens import new_tracking_token
from webapp.extensions import db
from webapp.models import QrCode, Report, ReportEvent, ReportPhoto, ReportStatus
from webapp.models.types import utcnow

RESIDENT = "resident"
CLOSED_FOR_RESIDENT = {ReportStatus.CLOSED, ReportStatus.REJECTED, ReportStatus.DUPLICATE}


class TransitionRefused(Exception):
    """The change is not allowed now; str() says why, for the person who asked."""


class SubmissionKeyConflict(Exception):
    """A submission key was replayed for a different place."""


@dataclass(frozen=True)
class ReportDraft:
    submission_key: str
    category_id: int
    description: str
    floor_room: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    care_card: bool = False


def find_by_submission_key(key: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.submission_key == key))


def submit_report(qr: QrCode, draft: ReportDraft, photos, upload_folder) -> tuple[Report, bool]:
    """点单: file a report for the place bound to `qr`. A replay of the same submission key
    returns the report it already made; the bool says whether this call created it."""
    existing = find_by_submission_key(draft.submission_key)
    if existing is not None:
        return _same_place(existing, qr), False

    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    building = qr.building
    now = utcnow()
    report = Report(
        submission_key=draft.submission_key,
        tracking_token=new_tracking_token(),
        community_id=building.compound.community_id,
        compound_id=building.compound_id,
        building_id=building.id,
        entrance_id=qr.entrance_id,
        qr_code_id=qr.id,
        category_id=draft.category_id,
        description=draft.description,
        floor_room=draft.floor_room,
        contact_name=draft.contact_name,
        contact_phone=draft.contact_phone,
        care_card=draft.care_card,
        status=ReportStatus.SUBMITTED,
        created_at=now,
        updated_at=now,
    )
    try:
        db.session.add(report)
        db.session.flush()
        report.number = _report_number(report, building.compound.community.timezone)
        event = _record(report, "submitted", None, ReportStatus.SUBMITTED, None)
        _attach_photos(report, event, photos, stored)
        db.session.commit()
    except IntegrityError:
        # Another request with the same submission key won the race.
        db.session.rollback()
        photo_store.delete_photos(upload_folder, stored)
        existing = find_by_submission_key(draft.submission_key)
        if existing is None:
            raise
        return _same_place(existing, qr), False
    except Exception:
        db.session.rollback()
        photo_store.delete_photos(upload_folder, stored)
        raise
    return report, True


def add_information(report: Report, note: str, photos, upload_folder) -> ReportEvent:
    """The resident adds a note and/or photos to an open report."""
    if report.status in CLOSED_FOR_RESIDENT:
        raise TransitionRefused(_l("This report is closed; please file a new one."))
    stored = [photo_store.save_photo(upload_folder, p) for p in photos]
    try:
        event = _record(report, "info_added", None, None, note or None)
        _attach_photos(report, event, photos, stored)
        report.updated_at = utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        photo_store.delete_photos(upload_folder, stored)
        raise
    return event


def confirm_fixed(report: Report, rating: int, comment: str | None) -> None:
    """评单: the resident confirms the fix and rates it 1–5; the report closes."""
    if report.status != ReportStatus.RESOLVED:
        raise TransitionRefused(_l("You can rate a report once it has been marked as resolved."))
    if not 1 <= rating <= 5:
        raise TransitionRefused(_l("Please choose a rating from 1 to 5 stars."))
    now = utcnow()
    _record(report, "rated", report.status, ReportStatus.CLOSED, comment or None)
    report.status = ReportStatus.CLOSED
    report.rating = rating
    report.rating_comment = comment or None
    report.closed_at = now
    report.updated_at = now
    db.session.commit()


def report_not_fixed(report: Report, reason: str) -> None:
    """The resident says it is not fixed: the report reopens with their reason."""
    if report.status != ReportStatus.RESOLVED:
        raise TransitionRefused(_l("Only a report marked as resolved can be reopened."))
    if not reason.strip():
        raise TransitionRefused(_l("Please tell us what is still wrong."))
    _record(report, "reopened", report.status, ReportStatus.REOPENED, reason.strip())
    report.status = ReportStatus.REOPENED
    report.resolved_at = None
    report.updated_at = utcnow()
    db.session.commit()


def public_events(report: Report) -> list[ReportEvent]:
    return [e for e in report.events if e.is_public]


def _same_place(report: Report, qr: QrCode) -> Report:
    if report.qr_code_id != qr.id:
        raise SubmissionKeyConflict(report.submission_key)
    return report


def _report_number(report: Report, timezone: str) -> str:
    local = report.created_at.astimezone(ZoneInfo(timezone))
    return f"{local:%Y%m%d}-{report.id:04d}"


def _record(report, kind, from_status, to_status, note, *, is_public=True, actor_kind=RESIDENT):
    event = ReportEvent(
        report=report,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        is_public=is_public,
        actor_kind=actor_kind,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event


def _attach_photos(report, event, photos, stored_names) -> None:
    for photo, name in zip(photos, stored_names, strict=True):
        db.session.add(
            ReportPhoto(
                report=report,
                event=event,
                stored_name=name,
                width=photo.width,
                height=photo.height,
                byte_size=len(photo.jpeg),
            )
        )


def upload_folder_for_reports(upload_root: str | Path) -> Path:
    return Path(upload_root) / "reports"
