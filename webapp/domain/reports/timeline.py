"""The timeline of a report: append-only events, the steps the public may see, and what a
merged report's reporter sees of the report that carries the work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from webapp.domain.reports.labels import S, actor_label
from webapp.extensions import db
from webapp.models import Report, ReportEvent, ReportPhoto, User
from webapp.models.types import utcnow

RESIDENT, STAFF, SYSTEM = "resident", "staff", "system"


def record_event(report, kind, from_status, to_status, note, *, actor: User | None = None,
                 public=True, actor_kind=None, now=None) -> ReportEvent:
    event = ReportEvent(
        report=report,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        is_public=public,
        actor_kind=actor_kind or (STAFF if actor is not None else RESIDENT),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label(actor),
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event


def attach_photos(report, event, photos, stored_names) -> None:
    for photo, name in zip(photos, stored_names, strict=True):
        db.session.add(ReportPhoto(report=report, event=event, stored_name=name,
                                   width=photo.width, height=photo.height,
                                   byte_size=len(photo.jpeg)))


def public_events(report: Report) -> list[ReportEvent]:
    return [e for e in report.events if e.is_public]


def latest_notes_for(user: User, report_ids: list[int]) -> dict[int, ReportEvent]:
    """The latest internal note on each report written by someone other than `user`: what the
    dispatcher told the handler about the job."""
    notes: dict[int, ReportEvent] = {}
    for event in db.session.scalars(select(ReportEvent).where(
            ReportEvent.report_id.in_(report_ids), ReportEvent.kind == "note",
            ReportEvent.is_public.is_(False),
            (ReportEvent.actor_id.is_(None)) | (ReportEvent.actor_id != user.id),
    ).order_by(ReportEvent.created_at, ReportEvent.id)):
        notes[event.report_id] = event
    return notes


def carried_by(report: Report) -> Report | None:
    """The report that carries a merged report's work: the end of its duplicate_of chain."""
    seen, target = {report.id}, report.duplicate_of if report.status == S.DUPLICATE else None
    while target is not None and target.status == S.DUPLICATE and \
            target.duplicate_of is not None and target.duplicate_of.id not in seen:
        seen.add(target.id)
        target = target.duplicate_of
    return target


@dataclass(frozen=True)
class ProgressLine:
    created_at: datetime
    kind: str
    note: str | None


def shared_progress(report: Report) -> list[ProgressLine]:
    """What another resident (one whose report was merged into this one) may see of it: its
    public steps with the community's notes, as public as Open311's status notes, never
    what its own reporter wrote or photographed."""
    return [ProgressLine(e.created_at, e.kind, e.note if e.actor_kind == STAFF else None)
            for e in report.events if e.is_public]


def escalation_of(report: Report) -> tuple[datetime | None, str]:
    """When the report was passed to a department, and the status it had before (the first
    of a chain of escalations: passing it on keeps where it came from)."""
    at, before = None, S.SUBMITTED
    for event in reversed(report.events):
        if event.kind != "escalated":
            continue
        at = at or event.created_at
        if event.from_status != S.ESCALATED:
            before = event.from_status or S.SUBMITTED
            break
    return at, before
