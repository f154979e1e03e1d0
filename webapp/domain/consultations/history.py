"""A consultation's event log: everything that happened to it, for staff. Append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Consultation, ConsultationEvent, User
from webapp.models.types import utcnow


def record(consultation: Consultation, kind: str, actor: User | None = None, *,
           household_id: int | None = None, option_id: int | None = None,
           note: str | None = None, now: datetime | None = None) -> ConsultationEvent:
    event = ConsultationEvent(consultation=consultation, kind=kind,
                              actor_id=actor.id if actor is not None else None,
                              household_id=household_id, option_id=option_id, note=note,
                              created_at=now or utcnow())
    db.session.add(event)
    return event


def events_of(consultation: Consultation) -> list[ConsultationEvent]:
    return list(db.session.scalars(select(ConsultationEvent).where(
        ConsultationEvent.consultation_id == consultation.id).order_by(ConsultationEvent.id)))
