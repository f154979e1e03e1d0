"""At the door: a volunteer who scanned a door code checks in for today's home services and
care visits there; care visits are taken like shifts and their outcome recorded."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import in_my_community_or_404, requires
from webapp.domain.people.permissions import Action
from webapp.domain.places.lookup import active_code
from webapp.domain.reports import care_visit_help, categories
from webapp.domain.services import attendance, care_visits
from webapp.domain.shared.tokens import new_submission_key
from webapp.i18n import chosen_language
from webapp.models import AttendanceKind, Booking, CareVisit
from webapp.models.types import utcnow
from webapp.refusals import answered_by
from webapp.volunteer import bp
from webapp.volunteer.forms import NeedsHelpForm
from webapp.volunteer.views import back, refused_at_home


def door_code(token):
    code = active_code(token)
    if code is None or code.building.compound.community_id != \
            current_user.organization.community_id:
        abort(404)
    return code


def render_door(token, problem=None, status=200):
    code, now = door_code(token), utcnow()
    bookings = attendance.bookings_at_door(current_user, code, now)
    visits = care_visits.visits_at_door(current_user, code, now)
    return render_template(
        "volunteer/door.html", code=code, problem=problem, bookings=bookings, visits=visits,
        checked_in=attendance.my_check_ins(current_user, now),
        visits_checked_in={v.id for v in visits if care_visits.checked_in(v)}), status


def refused_at_door(message, status):
    return render_door(request.view_args["token"], message, status)


@bp.get("/door/<token>")
@requires(Action.VOLUNTEER)
def door(token):
    """Where the scan page sends a volunteer with a home service or a visit at this door
    today. Checking in is a tap here, not the scan itself: a GET changes nothing."""
    return render_door(token)


@bp.post("/door/<token>/bookings/<int:booking_id>")
@requires(Action.VOLUNTEER)
@answered_by(refused_at_door)
def check_in(token, booking_id):
    found = in_my_community_or_404(Booking, booking_id)
    attendance.check_in(found, current_user, door_code(token))
    flash(_("Checked in. Thank you! Your points are in your passbook.")
          if found.status == "done" else
          _("Checked in. The service counts as done once its time has started."), "success")
    return redirect(url_for("volunteer.door", token=token), code=303)


@bp.post("/door/<token>/visits/<int:visit_id>")
@requires(Action.VOLUNTEER)
@answered_by(refused_at_door)
def check_in_visit(token, visit_id):
    visit = in_my_community_or_404(CareVisit, visit_id)
    care_visits.check_in(visit, current_user, door_code(token))
    return redirect(url_for("volunteer.visit", visit_id=visit_id), code=303)


@bp.post("/bookings/<int:booking_id>/not-home")
@requires(Action.VOLUNTEER)
@answered_by(refused_at_home)
def not_home(booking_id):
    attendance.not_home(in_my_community_or_404(Booking, booking_id), current_user)
    flash(_("Recorded: the resident was not at home."), "success")
    return back()


# --- care visits ----------------------------------------------------------------------------

@bp.post("/visits/<int:visit_id>/take")
@requires(Action.VOLUNTEER)
@answered_by(refused_at_home)
def take_visit(visit_id):
    care_visits.take(in_my_community_or_404(CareVisit, visit_id), current_user)
    flash(_("The visit is yours. Thank you!"), "success")
    return back()


@bp.post("/visits/<int:visit_id>/give-back")
@requires(Action.VOLUNTEER)
@answered_by(refused_at_home)
def give_back_visit(visit_id):
    care_visits.give_back(my_visit(visit_id), current_user)
    return back()


def my_visit(visit_id) -> CareVisit:
    """A visit the volunteer holds; any other is not found (its holder is nobody's business)."""
    visit = in_my_community_or_404(CareVisit, visit_id)
    if not care_visits.holds(current_user, visit):
        abort(404)
    return visit


def render_visit(visit_id, problem=None, status=200, form=None):
    visit = my_visit(visit_id)
    if form is None:
        form = NeedsHelpForm(formdata=None, submission_key=new_submission_key())
    return render_template(
        "volunteer/visit.html", visit=visit, problem=problem, form=form,
        checked_in=care_visits.checked_in(visit),
        categories=categories.offered(visit.community_id)), status


@bp.get("/visits/<int:visit_id>")
@requires(Action.VOLUNTEER)
def visit(visit_id):
    return render_visit(visit_id)


@bp.post("/visits/<int:visit_id>/<outcome>")
@requires(Action.VOLUNTEER)
@answered_by(lambda message, status: render_visit(
    request.view_args["visit_id"], message, status, NeedsHelpForm()))
def visit_outcome(visit_id, outcome):
    kinds = {"all-well": AttendanceKind.ALL_WELL, "needs-help": AttendanceKind.NEEDS_HELP}
    if outcome not in kinds:
        abort(404)
    visit, form = my_visit(visit_id), NeedsHelpForm()
    if outcome == "all-well":
        care_visits.record_outcome(visit, current_user, kinds[outcome])
    else:
        care_visit_help.needs_help(visit, current_user, form.draft(chosen_language()),
                                   upload_folder=current_app.config["UPLOAD_FOLDER"],
                                   secret=current_app.config["SECRET_KEY"])
    flash(_("Thank you! The visit is recorded and its points are in your passbook.")
          if outcome == "all-well" else
          _("Thank you! Report %(number)s was filed; the community office will help.",
            number=visit.report.number), "success")
    return back()
