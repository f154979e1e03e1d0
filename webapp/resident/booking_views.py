"""Resident booking: from the scan page to a service, a time, and a booking page reached by
its private link."""

from flask import abort, current_app, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _

from webapp import ratelimits
from webapp.access import public
from webapp.domain.places.lookup import active_code
from webapp.domain.services import booking, calendar, catalogue, waitlist
from webapp.domain.shared.tokens import booking_token, new_submission_key
from webapp.i18n import chosen_language, current_language, show_times_of
from webapp.models import Booking, Slot
from webapp.models.types import utcnow
from webapp.refusals import answered_by
from webapp.resident import bp
from webapp.resident.forms import BookingForm, CancelForm, LeaveWaitlistForm
from webapp.resident.views import render_unusable_code
from webapp.responses import see_other


def code_or_error(token):
    code = active_code(token)
    if code is not None:
        show_times_of(code.building.compound.community)
    return code, (render_unusable_code(token) if code is None else None)


@bp.get("/q/<token>/services")
@public
def services(token):
    code, error = code_or_error(token)
    if error:
        return error
    community = code.building.compound.community
    return render_template("resident/services.html", qr=code,
                           categories=catalogue.categories_of(community.id),
                           open_times=catalogue.bookable_counts(community.id, utcnow()),
                           office_phone=catalogue.office_phone(community))


@bp.get("/q/<token>/services/<int:service_id>")
@public
def service(token, service_id):
    code, error = code_or_error(token)
    if error:
        return error
    item = catalogue.active_service(service_id, code.building.compound.community_id)
    if item is None:
        abort(404)
    slots = booking.upcoming(item, utcnow())
    return render_template("resident/service.html", qr=code, service=item, slots=slots,
                           open_ids=waitlist.open_slots(slots),
                           office_phone=catalogue.office_phone(code.building.compound.community))


def bookable_slot(code, slot_id) -> Slot:
    slot = catalogue.slot_of(slot_id, code.building.compound.community_id)
    if slot is None:
        abort(404)
    return slot


def render_book_form(code, slot, form, problem=None, status=200):
    return render_template("resident/book.html", qr=code, slot=slot, form=form,
                           problem=problem, bookable_now=bool(waitlist.open_slots([slot]))), status


def render_book_refused(message, _status):
    """The booking form again, the slot as it is now, with what they typed (a full slot
    offers its waiting list). A booking refused here is always the slot's state in the way
    (full, gone, a booking already made): 409."""
    code = active_code(request.view_args["token"])
    return render_book_form(code, bookable_slot(code, request.view_args["slot_id"]),
                            BookingForm(), message, 409)


def draft_of(form: BookingForm) -> booking.BookingDraft:
    return booking.BookingDraft(submission_key=form.submission_key.data,
                                name=form.name.data, phone=form.phone.data,
                                floor_room=form.floor_room.data or None,
                                note=form.note.data or None,
                                sms_updates=form.sms_updates.data, language=chosen_language())


def private_page(submission_key: str):
    return see_other(url_for("resident.booking_page", token=booking_token(
        submission_key, current_app.config["SECRET_KEY"])))


@bp.route("/q/<token>/slots/<int:slot_id>/book", methods=["GET", "POST"])
@public
@ratelimits.submission
@answered_by(render_book_refused)
def book(token, slot_id):
    code, error = code_or_error(token)
    if error:
        return error
    slot = bookable_slot(code, slot_id)
    form = BookingForm()
    if request.method == "GET":
        form.submission_key.data = new_submission_key()
        return render_book_form(code, slot, form)
    if not form.validate():
        return render_book_form(code, slot, form, status=422)
    draft = draft_of(form)
    _made, created = booking.book(slot, code, draft, secret=current_app.config["SECRET_KEY"])
    if created:
        flash(_("Booked. Keep this page's link to see or cancel your booking."), "success")
    return private_page(draft.submission_key)


@bp.post("/q/<token>/slots/<int:slot_id>/wait")
@public
@ratelimits.submission
@answered_by(render_book_refused)
def join_waitlist(token, slot_id):
    code, error = code_or_error(token)
    if error:
        return error
    slot = bookable_slot(code, slot_id)
    form = BookingForm()
    if not form.validate():
        return render_book_form(code, slot, form, status=422)
    draft = draft_of(form)
    _entry, created = waitlist.join(slot, code, draft, secret=current_app.config["SECRET_KEY"])
    if created:
        flash(_("You are on the waiting list. Keep this page's link: it shows your place in "
                "the line, and your booking once a place frees up."), "success")
    return private_page(draft.submission_key)


def booking_for(token) -> Booking:
    found = booking.find_by_link(token)
    if found is None:
        abort(404)
    show_times_of(found.slot.community)
    return found


def render_booking(found, token, form=None, problem=None, status=200):
    show_times_of(found.slot.community)
    return private_response(render_template(
        "resident/booking.html", booking=found, token=token, form=form or CancelForm(),
        problem=problem, link=url_for("resident.booking_page", token=token, _external=True),
        from_waitlist=waitlist.promoted_from(found) is not None), status)


def render_waiting(entry, token, problem=None, status=200):
    """A waiting list entry's page: its place in the line, and a way off the list."""
    show_times_of(entry.slot.community)
    return private_response(render_template(
        "resident/waiting.html", entry=entry, token=token, form=LeaveWaitlistForm(),
        standing=waitlist.standing(entry, utcnow()), problem=problem, ordinal=ordinal,
        link=url_for("resident.booking_page", token=token, _external=True)), status)


def ordinal(n: int) -> str:
    """The place in the line: "3rd", "第3位"."""
    if current_language() == "zh_CN":
        return f"第{n}位"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def private_response(body, status):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/b/<token>")
@public
@ratelimits.link_lookup
def booking_page(token):
    """The booking, or while it is none yet, the waiting list entry of the same link."""
    found = booking.find_by_link(token)
    if found is not None:
        return render_booking(found, token)
    entry = waitlist.find_by_link(token)
    if entry is None:
        abort(404)
    return render_waiting(entry, token)


def render_leave_refused(message, status):
    token = request.view_args["token"]
    entry = waitlist.find_by_link(token)
    if entry is None:
        abort(404)
    return render_waiting(entry, token, message, 409)


@bp.post("/b/<token>/leave-waitlist")
@public
@ratelimits.link_change
@answered_by(render_leave_refused)
def leave_waitlist(token):
    entry = waitlist.find_by_link(token)
    if entry is None:
        abort(404)
    if not LeaveWaitlistForm().validate():
        return render_waiting(entry, token, status=422)
    waitlist.leave(entry)
    flash(_("You have left the waiting list."), "success")
    return see_other(url_for("resident.booking_page", token=token))


@bp.get("/b/<token>/calendar.ics")
@public
@ratelimits.link_lookup
def booking_calendar(token):
    found = booking_for(token)
    body = calendar.booking_ics(found, url_for("resident.booking_page", token=token,
                                               _external=True))
    return current_app.response_class(body, mimetype="text/calendar", headers={
        "Content-Disposition": "attachment; filename=mashang-booking.ics"})


def render_cancel_refused(message, _status):
    """A cancellation refused (too late, already cancelled): the booking as it is, 409."""
    token = request.view_args["token"]
    return render_booking(booking_for(token), token, CancelForm(), message, 409)


@bp.post("/b/<token>/cancel")
@public
@ratelimits.link_change
@answered_by(render_cancel_refused)
def cancel_booking(token):
    found = booking_for(token)
    form = CancelForm()
    if not form.validate():
        return render_booking(found, token, form, status=422)
    booking.cancel(found, form.reason.data)
    flash(_("Your booking is cancelled."), "success")
    return see_other(url_for("resident.booking_page", token=token))
