"""How a report's states, priorities and actors are named to people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.models import ReportChannel, ReportStatus, User
from webapp.models.reports import ACTOR_SEPARATOR

S = ReportStatus
PRIORITIES = {0: _l("Normal"), 1: _l("High"), 2: _l("Urgent")}

STATUS_LABELS = {
    S.SUBMITTED: _l("Received"),
    S.ASSIGNED: _l("Assigned"),
    S.ACCEPTED: _l("Accepted"),
    S.ON_SITE: _l("On site"),
    S.RESOLVED: _l("Resolved — please confirm"),
    S.CLOSED: _l("Closed"),
    S.ESCALATED: _l("Passed to a department"),
    S.NEEDS_CONSULTATION: _l("Needs a residents' decision"),
    S.REJECTED: _l("Not accepted"),
    S.DUPLICATE: _l("Already reported"),
    S.REOPENED: _l("Reopened"),
}


CHANNEL_LABELS = {
    ReportChannel.QR: _l("Door code"),
    ReportChannel.OPEN311: _l("Open311 API"),
    ReportChannel.PHONE: _l("Phone call"),
    ReportChannel.VISIT: _l("Home visit"),
    ReportChannel.PATROL: _l("Grid patrol"),
    ReportChannel.MEETING: _l("Residents' meeting"),
}


def channel_label(channel: str):
    return CHANNEL_LABELS.get(channel, channel)


MILESTONE_LABELS = {
    "accept": _l("Accepting"),
    "arrive": _l("Arriving on site"),
    "resolve": _l("Resolving"),
    "plan": _l("The plan"),
}


def actor_label(actor: User | None) -> str | None:
    if actor is None:
        return None
    return f"{actor.display_name}{ACTOR_SEPARATOR}{actor.organization.name}"
