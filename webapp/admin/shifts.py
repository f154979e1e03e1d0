"""Admin page for volunteer shifts: when a week's shifts open for sign-up, how late a
volunteer may leave one online, and who left which shift and why."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import requires
from webapp.admin import bp
from webapp.admin.forms import LeaveCutoffForm, SignupWindowForm
from webapp.domain import DomainRefused
from webapp.domain.people.permissions import Action
from webapp.domain.services import shifts
from webapp.models.types import utcnow


def render_shifts(problem=None, status=200):
    community = current_user.organization.community
    return render_template("admin/shifts.html", community=community, problem=problem,
                           windows=shifts.windows(community.id, utcnow()),
                           left=shifts.recently_left(community.id), draft=request.form), status


@bp.get("/shifts")
@requires(Action.MANAGE_SERVICES)
def volunteer_shifts():
    return render_shifts()


@bp.post("/shifts/signup-window")
@requires(Action.MANAGE_SERVICES)
@refusals.answered_by(render_shifts)
def open_signup():
    form, community = SignupWindowForm(), current_user.organization.community
    opens_at, readable = form.opens_at_in(community.timezone)
    if not readable:
        raise DomainRefused(_("Please give a date and a time."), field="opens_at")
    count = shifts.open_week(community, form.monday(), opens_at, utcnow())
    flash(_("Sign-up time set for %(n)d shifts.", n=count), "success")
    return redirect(url_for("admin.volunteer_shifts"), code=303)


@bp.post("/shifts/leave-cutoff")
@requires(Action.MANAGE_SERVICES)
@refusals.answered_by(render_shifts)
def leave_cutoff():
    shifts.set_leave_cutoff(current_user.organization.community, LeaveCutoffForm().hours.data)
    flash(_("Saved."), "success")
    return redirect(url_for("admin.volunteer_shifts"), code=303)
