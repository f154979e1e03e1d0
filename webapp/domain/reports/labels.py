"""How a report's states, priorities and actors are named to people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl

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
    "respond": _l("The department's answer"),
}

CLOCK_STATES = {
    "on_track": _l("On track"), "due_soon": _l("Due soon"), "overdue": _l("Overdue"),
    "met": _l("Met"), "met_late": _l("Met late"), "paused": _l("Paused"),
}
# Why the clocks stand still (sla.CONSULTATION, sla.DEPARTMENT), for staff and for residents.
PAUSES = {
    "consultation": _l("Clocks paused: waiting for the residents' decision (一事一议)."),
    "department": _l("Clocks paused: waiting for the department to report back (报到)."),
}
PAUSES_FOR_RESIDENTS = {
    "consultation": _l("The residents decide first (一事一议); our time limits start again "
                       "after the decision."),
    "department": _l("Passed to a city department; our time limits start again when it "
                     "answers."),
}


def target_label(minutes: int) -> str:
    """A target in the units people think in: minutes, hours, or working days from a day up
    (sla.DAY): "5 分钟", "1 小时", "2 个工作日", never "2880 分钟"."""
    if minutes >= 24 * 60:
        days = minutes / (24 * 60)
        if days == int(days):
            return str(_nl("%(num)d working day", "%(num)d working days", int(days)))
        return str(_l("%(n)s working days", n=f"{days:.1f}"))
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return str(_nl("%(num)d hour", "%(num)d hours", hours))
    if hours:
        return str(_l("%(h)d h %(m)d min", h=hours, m=rest))
    return str(_nl("%(num)d minute", "%(num)d minutes", minutes))


def actor_label(actor: User | None) -> str | None:
    if actor is None:
        return None
    return f"{actor.display_name}{ACTOR_SEPARATOR}{actor.organization.name}"
