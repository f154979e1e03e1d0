"""Admin page for the working-day calendar: China's holidays and make-up working days as they
come, and the community's own overrides (a local holiday, a worked weekend)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community_or_404, requires
from webapp.admin import bp
from webapp.admin.forms import WorkingDayForm
from webapp.domain import unit_of_work
from webapp.domain.people.permissions import Action
from webapp.domain.reports import calendar
from webapp.i18n import current_language
from webapp.models import WorkingDayOverride
from webapp.models.types import utcnow

AHEAD_DAYS = 120  # how far ahead the page lists the days that differ from their weekday


def community_id() -> int:
    return current_user.organization.community_id


def render_calendar(problem=None, status=200):
    community = current_user.organization.community
    today = utcnow().astimezone(ZoneInfo(community.timezone)).date()
    cal = calendar.for_community(community.id)
    return render_template(
        "admin/calendar.html", community_name=community.name, problem=problem,
        draft=request.form,
        overrides=calendar.overrides_of(community.id), today=today,
        special=cal.special_days(today, today + timedelta(days=AHEAD_DAYS),
                                 current_language()),
        note_max=calendar.NOTE_MAX), status


@bp.get("/calendar", endpoint="calendar")
@requires(Action.MANAGE_CATEGORIES)
def calendar_page():
    return render_calendar()


@bp.post("/calendar")
@requires(Action.MANAGE_CATEGORIES)
@refusals.answered_by(render_calendar)
def add_working_day():
    form = WorkingDayForm()
    calendar.set_override(community_id(), form.day_date(), form.working_choice(),
                          form.note.data)
    flash(_("Calendar saved."), "success")
    return redirect(url_for("admin.calendar"), code=303)


@bp.post("/calendar/<int:override_id>/remove")
@requires(Action.MANAGE_CATEGORIES)
def remove_working_day(override_id):
    override = in_my_community_or_404(WorkingDayOverride, override_id)
    with unit_of_work():
        calendar.remove_override(override)
    flash(_("Calendar saved."), "success")
    return redirect(url_for("admin.calendar"), code=303)
