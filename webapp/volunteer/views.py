"""Volunteer pages (on a phone): open shifts, my shifts and their residents, the passbook."""

from datetime import datetime
from zoneinfo import ZoneInfo

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
from sqlalchemy import select

from webapp.access import in_my_community, in_my_community_or_404, public, requires
from webapp.domain import booking, calendar, ledger
from webapp.domain.permissions import Action
from webapp.extensions import db
from webapp.inputs import whole_number
from webapp.models import (
    Booking,
    Redemption,
    Reward,
    ServiceCategory,
    ServiceType,
    Slot,
    VolunteerShift,
)
from webapp.models.types import utcnow
from webapp.volunteer import bp


def back(problem=None, status=200):
    if problem:
        return render_home(problem, status)
    return redirect(url_for("volunteer.home"), code=303)


def render_home(problem=None, status=200, feed_url=None):
    """`feed_url`: a calendar address just made, shown this once (only its digest is kept)."""
    now = utcnow()
    services = db.session.scalars(select(ServiceType).join(ServiceCategory).where(
        ServiceCategory.community_id == current_user.organization.community_id,
        ServiceType.active).order_by(ServiceCategory.sort_order, ServiceType.sort_order)).all()
    response = make_response(render_template(
        "volunteer/home.html", now=now, problem=problem,
        shifts=booking.my_shifts(current_user, now),
        open_slots=booking.open_shifts(current_user, now), services=services,
        feed_url=feed_url, has_feed=current_user.feed_token_hash is not None), status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/")
@requires(Action.VOLUNTEER)
def home():
    return render_home()


@bp.post("/slots/<int:slot_id>/sign-up")
@requires(Action.VOLUNTEER)
def sign_up(slot_id):
    try:
        booking.sign_up(in_my_community_or_404(Slot, slot_id), current_user)
    except booking.BookingRefused as refused:
        db.session.rollback()
        return back(str(refused), 409)
    flash(_("You are signed up. Thank you!"), "success")
    return back()


@bp.post("/shifts/<int:shift_id>/leave")
@requires(Action.VOLUNTEER)
def leave(shift_id):
    shift = in_my_community_or_404(VolunteerShift, shift_id)
    try:
        booking.leave(shift, current_user)
    except booking.BookingRefused as refused:
        db.session.rollback()
        return back(str(refused), 409)
    return back()


@bp.post("/bookings/<int:booking_id>/<outcome>")
@requires(Action.VOLUNTEER)
def mark(booking_id, outcome):
    found = in_my_community_or_404(Booking, booking_id)
    if outcome not in ("done", "no-show"):
        abort(404)
    try:
        booking.mark(found, current_user, done=outcome == "done")
    except booking.BookingRefused as refused:
        db.session.rollback()
        return back(str(refused), 409)
    flash(_("Thank you! Your points are in your passbook.") if outcome == "done"
          else _("Marked as missed."), "success")
    return back()


@bp.post("/availability")
@requires(Action.VOLUNTEER)
def offer():
    """A volunteer publishes their own availability for a service."""
    service_id = whole_number(request.form.get("service", ""))
    service = in_my_community(ServiceType, service_id)
    places = whole_number(request.form.get("places", "1"), smallest=1)
    try:
        start = datetime.fromisoformat(request.form.get("start", "")).replace(
            tzinfo=ZoneInfo(current_user.organization.community.timezone))
    except ValueError:
        start = None
    if start is None or places is None:
        return back(_("Please give a date, a time and a number of places."), 422)
    if service is None:
        return back(_("Please choose a service."), 422)
    try:
        booking.offer_availability(current_user, service, start, capacity=places,
                                   location=request.form.get("location"))
    except booking.BookingRefused as refused:
        db.session.rollback()
        return back(str(refused), 422)
    flash(_("Your time is published; residents can book it now."), "success")
    return back()


@bp.post("/feed")
@requires(Action.VOLUNTEER)
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
    body = calendar.shifts_ics(booking.my_shifts(user, utcnow()), user.display_name)
    return current_app.response_class(body, mimetype="text/calendar")


@bp.get("/passbook")
@requires(Action.VOLUNTEER)
def passbook(problem=None, status=200):
    account = ledger.passbook(current_user)
    rewards = db.session.scalars(select(Reward).where(
        Reward.community_id == current_user.organization.community_id, Reward.active)
        .order_by(Reward.cost)).all()
    requests = db.session.scalars(select(Redemption).where(
        Redemption.user_id == current_user.id).order_by(Redemption.id.desc()).limit(20)).all()
    return render_template("volunteer/passbook.html", balance=ledger.balance(account),
                           movements=ledger.movements(account), rewards=rewards,
                           requests=requests, problem=problem), status


@bp.post("/rewards/<int:reward_id>/redeem")
@requires(Action.VOLUNTEER)
def redeem(reward_id):
    try:
        ledger.request_redemption(current_user, in_my_community_or_404(Reward, reward_id))
    except ledger.LedgerRefused as refused:
        db.session.rollback()
        return passbook(str(refused), 409)
    flash(_("Requested. The community office will confirm it."), "success")
    return redirect(url_for("volunteer.passbook"), code=303)
