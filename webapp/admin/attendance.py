"""Staff mark who was at a service: a service point's residents and volunteers, a home
service nobody scanned for; and they see the no-shows."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community, in_my_community_or_404, requires
from webapp.admin import bp
from webapp.domain.people.permissions import Action
from webapp.domain.services import attendance, attendance_sheet
from webapp.models import Booking, Slot, User
from webapp.models.types import utcnow


def render_attendance(problem=None, status=200):
    community_id, now = current_user.organization.community_id, utcnow()
    return render_template("admin/attendance.html", now=now, problem=problem,
                           slots=attendance_sheet.recent_slots(community_id, now),
                           no_shows=attendance_sheet.no_shows(community_id, now),
                           flagged=attendance_sheet.repeated_no_shows(community_id, now),
                           repeated=attendance_sheet.REPEATED_NO_SHOWS), status


def marked():
    flash(_("Attendance recorded."), "success")
    return redirect(url_for("admin.attendance_page"), code=303)


@bp.get("/attendance", endpoint="attendance_page")
@requires(Action.MARK_ATTENDANCE)
def attendance_page():
    return render_attendance()


@bp.post("/attendance/bookings/<int:booking_id>/<outcome>")
@requires(Action.MARK_ATTENDANCE)
@refusals.answered_by(render_attendance)
def mark_booking(booking_id, outcome):
    found = in_my_community_or_404(Booking, booking_id)
    if outcome == "done":
        attendance.confirm_done(found, current_user)
    elif outcome == "absent":
        attendance.mark_absent(found, current_user)
    else:
        abort(404)
    return marked()


@bp.post("/attendance/slots/<int:slot_id>/volunteers/<int:user_id>/<outcome>")
@requires(Action.MARK_ATTENDANCE)
@refusals.answered_by(render_attendance)
def mark_volunteer(slot_id, user_id, outcome):
    slot, volunteer = in_my_community_or_404(Slot, slot_id), in_my_community(User, user_id)
    if outcome == "present":
        attendance.mark_present(slot, volunteer, current_user)
    elif outcome == "no-show":
        attendance.mark_no_show(slot, volunteer, current_user)
    else:
        abort(404)
    return marked()
