"""Volunteer pages (on a phone): open shifts, my shifts and their residents, the passbook."""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import in_my_community, in_my_community_or_404, public, requires
from webapp.domain.notify import preferences
from webapp.domain.people.permissions import Action
from webapp.domain.services import (
    attendance,
    booking,
    calendar,
    care_visits,
    catalogue,
    ledger,
    shifts,
)
from webapp.models import Reward, ServiceType, Slot, VolunteerShift
from webapp.models.types import utcnow
from webapp.refusals import answered_by
from webapp.volunteer import bp
from webapp.volunteer.forms import LeaveForm, OfferForm


def back(problem=None, status=200):
    if problem:
        return render_home(problem, status)
    return redirect(url_for("volunteer.home"), code=303)


def render_home(problem=None, status=200, feed_url=None):
    """`feed_url`: a calendar address just made, shown this once (only its digest is kept)."""
    now = utcnow()
    response = make_response(render_template(
        "volunteer/home.html", now=now, problem=problem,
        shifts=booking.my_shifts(current_user, now),
        open_slots=booking.open_shifts(current_user, now),
        my_visits=care_visits.my_visits(current_user, now),
        open_visits=care_visits.open_visits(current_user, now),
        check_ins=attendance.my_check_ins(current_user, now),
        services=catalogue.active_services(current_user.organization.community_id),
        feed_url=feed_url, has_feed=current_user.feed_token_hash is not None), status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def refused_at_home(message, _status):
    """A shift or booking refused (full, too late, not yours): its state is in the way, 409."""
    return render_home(message, 409)


@bp.get("/")
@requires(Action.VOLUNTEER)
def home():
    return render_home()


@bp.post("/slots/<int:slot_id>/sign-up")
@requires(Action.VOLUNTEER)
@answered_by(refused_at_home)
def sign_up(slot_id):
    booking.sign_up(in_my_community_or_404(Slot, slot_id), current_user)
    flash(_("You are signed up. Thank you!"), "success")
    return back()


def render_leave(shift, problem=None, status=200):
    """Asks first, and for a reason; says at once when it is too late, with the office's
    phone number."""
    try:
        shifts.check_can_leave(shift.slot, utcnow())
        too_late = None
    except shifts.ShiftRefused as refusal:
        too_late = str(refusal)
    return render_template("volunteer/leave.html", shift=shift, problem=problem,
                           too_late=too_late, reason=LeaveForm().reason.data or ""), status


@bp.get("/shifts/<int:shift_id>/leave")
@requires(Action.VOLUNTEER)
def ask_to_leave(shift_id):
    shift = in_my_community_or_404(VolunteerShift, shift_id)
    if shift.user_id != current_user.id or shift.cancelled_at is not None:
        abort(404)
    return render_leave(shift)


def refused_leaving(message, status):
    shift = in_my_community_or_404(VolunteerShift, request.view_args["shift_id"])
    return render_leave(shift, message, status)


@bp.post("/shifts/<int:shift_id>/leave")
@requires(Action.VOLUNTEER)
@answered_by(refused_leaving)
def leave(shift_id):
    booking.leave(in_my_community_or_404(VolunteerShift, shift_id), current_user,
                  LeaveForm().reason.data)
    flash(_("You left the shift. The office and the residents booked are told."), "success")
    return back()


@bp.post("/availability")
@requires(Action.VOLUNTEER)
@answered_by(render_home)
def offer():
    """A volunteer publishes their own availability for a service."""
    form = OfferForm()
    service = in_my_community(ServiceType, form.service.data)
    places = form.places_offered()
    start = form.start_in(current_user.organization.community.timezone)
    if start is None or places is None:
        return back(_("Please give a date, a time and a number of places."), 422)
    if service is None:
        return back(_("Please choose a service."), 422)
    booking.offer_availability(current_user, service, start, capacity=places,
                               location=form.location.data)
    flash(_("Your time is published; residents can book it now."), "success")
    return back()


@bp.post("/feed")
@requires(Action.VOLUNTEER)
@answered_by(render_home)
def new_feed():
    """Make a new calendar address (the old one stops working) and show it once."""
    token = calendar.new_feed_token(current_user)
    return render_home(feed_url=url_for("volunteer.feed", token=token, _external=True))


@bp.get("/feed/<token>.ics")
@public
def feed(token):
    """The private iCalendar feed of a volunteer's shifts (the token is the key)."""
    user = calendar.feed_owner(token)
    if user is None:
        abort(404)
    now = utcnow()
    shifts = calendar.feed_shifts(user, now, booking.my_shifts(user, now))
    body = calendar.shifts_ics(shifts, user.display_name, preferences.get(user).language,
                               url_for("volunteer.home", _external=True))
    return current_app.response_class(body, mimetype="text/calendar")


@bp.get("/passbook")
@requires(Action.VOLUNTEER)
def passbook(problem=None, status=200):
    account = ledger.passbook(current_user)
    balance, available = ledger.balance(account), ledger.available(account)
    return render_template(
        "volunteer/passbook.html", balance=balance, available=available,
        held=balance - available, movements=ledger.movements(account), problem=problem,
        rewards=ledger.offered_rewards(current_user.organization.community_id),
        requests=ledger.recent_requests(current_user)), status


@bp.post("/rewards/<int:reward_id>/redeem")
@requires(Action.VOLUNTEER)
@answered_by(lambda message, _status: passbook(message, 409))
def redeem(reward_id):
    ledger.request_redemption(current_user, in_my_community_or_404(Reward, reward_id))
    flash(_("Requested. The community office will confirm it."), "success")
    return redirect(url_for("volunteer.passbook"), code=303)
