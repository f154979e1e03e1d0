"""Admin pages for services and slots, points and rewards, and care cards."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.access import in_my_community_or_404, requires
from webapp.admin import bp, confirm
from webapp.domain import booking, ledger
from webapp.domain.permissions import Action
from webapp.domain.phones import InvalidPhone, normalise_phone
from webapp.extensions import db
from webapp.i18n import current_language
from webapp.inputs import LARGEST_ID, whole_number
from webapp.models import (
    Building,
    CareCard,
    Compound,
    Entrance,
    Redemption,
    RedemptionStatus,
    Reward,
    Role,
    ServiceCategory,
    ServiceType,
    Slot,
    User,
)
from webapp.models.text import TextTooLong, fit, max_length, plain
from webapp.models.types import utcnow


def community_id() -> int:
    return current_user.organization.community_id


def form_text(name: str, column=None, label=None) -> str:
    """A field as typed, trimmed; TextTooLong when it does not fit `column`."""
    value = plain(request.form.get(name) or "").strip()
    return fit(column, value, label) if column is not None else value


def form_int(name: str, default: int | None = None) -> int | None:
    value = (request.form.get(name) or "").strip()
    number = whole_number(value, smallest=-LARGEST_ID)
    return default if number is None else number


# --- services and slots ---------------------------------------------------------------------

def render_services(problem=None, status=200):
    categories = db.session.scalars(select(ServiceCategory).where(
        ServiceCategory.community_id == community_id()).order_by(ServiceCategory.sort_order)
    ).all()
    slots = db.session.scalars(select(Slot).where(
        Slot.community_id == community_id(), Slot.starts_at > utcnow(),
        Slot.cancelled_at.is_(None)).order_by(Slot.starts_at).limit(100)).all()
    return render_template("admin/services.html", categories=categories, slots=slots,
                           problem=problem, draft=request.form), status


@bp.get("/services")
@requires(Action.MANAGE_SERVICES)
def services():
    return render_services()


@bp.post("/services")
@requires(Action.MANAGE_SERVICES)
def add_service():
    form = request.form
    category = db.session.get(ServiceCategory, form_int("category", 0))
    minutes, points = form_int("duration"), form_int("points")
    volunteers, cutoff = form_int("volunteers"), form_int("cutoff")
    if category is None or category.community_id != community_id():
        return render_services(_("Choose a category."), 422)
    try:
        name_zh, name_en = form_text("name_zh"), form_text("name_en")
        fee_note_zh = form_text("fee_note_zh", ServiceType.fee_note_zh, _("Fee note (Chinese)"))
        fee_note_en = form_text("fee_note_en", ServiceType.fee_note_en, _("Fee note (English)"))
    except TextTooLong as error:
        return render_services(str(error), 422)
    if not name_zh or not name_en or len(name_zh) > max_length(ServiceType.name_zh) or \
            len(name_en) > max_length(ServiceType.name_en):
        return render_services(_("Give the service a Chinese and an English name "
                                 "(at most %(max)d characters).",
                                 max=max_length(ServiceType.name_zh)), 422)
    numbers = (minutes, points, volunteers, cutoff)
    if None in numbers or not (5 <= minutes <= 24 * 60 and 0 <= points <= 1000
                               and 0 <= volunteers <= 20 and 0 <= cutoff <= 24 * 14):
        return render_services(_("Duration, points, volunteers and cut-off must be "
                                 "sensible whole numbers."), 422)
    db.session.add(ServiceType(
        category=category, name_zh=name_zh, name_en=name_en, duration_minutes=minutes,
        points=points, volunteers_needed=volunteers, cancel_cutoff_hours=cutoff,
        at_home=form.get("at_home") == "1", free_for_care_card=form.get("free") == "1",
        description_zh=(form.get("description_zh") or "").strip()[:1000] or None,
        description_en=(form.get("description_en") or "").strip()[:1000] or None,
        fee_note_zh=fee_note_zh or None, fee_note_en=fee_note_en or None))
    db.session.commit()
    flash(_("Service added."), "success")
    return redirect(url_for("admin.services"), code=303)


@bp.post("/service-categories")
@requires(Action.MANAGE_SERVICES)
def add_service_category():
    name_zh, name_en = form_text("name_zh"), form_text("name_en")
    if not name_zh or not name_en or len(name_zh) > max_length(ServiceCategory.name_zh) or \
            len(name_en) > max_length(ServiceCategory.name_en):
        return render_services(_("Give the category a Chinese and an English name "
                                 "(at most %(max)d characters).",
                                 max=max_length(ServiceCategory.name_zh)), 422)
    count = len(db.session.scalars(select(ServiceCategory.id).where(
        ServiceCategory.community_id == community_id())).all())
    db.session.add(ServiceCategory(community_id=community_id(), name_zh=name_zh,
                                   name_en=name_en, sort_order=count))
    db.session.commit()
    flash(_("Category added."), "success")
    return redirect(url_for("admin.services"), code=303)


@bp.post("/slots")
@requires(Action.MANAGE_SERVICES)
def publish_slots():
    service = db.session.get(ServiceType, form_int("service", 0))
    if service is None or service.category.community_id != community_id():
        return render_services(_("Choose a service."), 422)
    try:
        start = datetime.fromisoformat(request.form.get("start", "")).replace(
            tzinfo=ZoneInfo(current_user.organization.community.timezone))
    except ValueError:
        return render_services(_("Please give a start date and time."), 422)
    try:
        slots = booking.publish(
            service, community_id(), start, weeks=form_int("weeks", 1) or 1,
            capacity=form_int("capacity", 1), volunteer_capacity=form_int("volunteer_places"),
            location=request.form.get("location"), by=current_user)
    except booking.BookingRefused as refused:
        db.session.rollback()
        return render_services(str(refused), 422)
    flash(_("%(n)d slots published.", n=len(slots)), "success")
    return redirect(url_for("admin.services"), code=303)


@bp.post("/slots/<int:slot_id>/cancel")
@requires(Action.MANAGE_SERVICES)
def cancel_slot(slot_id):
    slot = in_my_community_or_404(Slot, slot_id)
    reason = request.form.get("reason", "")
    try:
        booking.check_cancel_slot(slot, reason)
        if not confirm.confirmed():
            return confirm.ask(
                _("Call off this slot?"),
                [(_("Service"), slot.service.name(current_language())),
                 (_("When"), format_datetime(slot.starts_at, "EEE yyyy-MM-dd HH:mm")),
                 (_("Booked"), _("%(n)d residents, %(v)d volunteers", n=slot.booked,
                                 v=slot.volunteers_booked)),
                 (_("Reason"), reason.strip())],
                _("Every booking and volunteer shift of this slot is cancelled at once, with "
                  "your reason on their pages. This cannot be undone."),
                _("Yes, call it off"), url_for("admin.services"))
        count = booking.cancel_slot(slot, reason)
    except booking.BookingRefused as refused:
        db.session.rollback()
        return render_services(str(refused), 422)
    flash(_("Slot cancelled; %(n)d bookings were cancelled with your reason.", n=count),
          "success")
    return redirect(url_for("admin.services"), code=303)


# --- points and rewards ---------------------------------------------------------------------

def volunteers():
    return db.session.scalars(select(User).join(User.organization).where(
        User.role == Role.VOLUNTEER, User.active).order_by(User.display_name)).all()


def render_points(problem=None, status=200):
    volunteers_here = [v for v in volunteers() if v.organization.community_id == community_id()]
    balances = {v.id: ledger.balance(ledger.passbook(v)) for v in volunteers_here}
    requests = db.session.scalars(select(Redemption).join(Reward).where(
        Reward.community_id == community_id(),
        Redemption.status == RedemptionStatus.REQUESTED).order_by(Redemption.id)).all()
    rewards = db.session.scalars(select(Reward).where(Reward.community_id == community_id())
                                 .order_by(Reward.cost)).all()
    db.session.commit()  # passbook accounts created on first sight
    return render_template("admin/points.html", volunteers=volunteers_here, balances=balances,
                           requests=requests, rewards=rewards, problem=problem,
                           draft=request.form), status


@bp.get("/points")
@requires(Action.MANAGE_POINTS)
def points():
    return render_points()


@bp.post("/points/adjust")
@requires(Action.MANAGE_POINTS)
def adjust_points():
    volunteer = db.session.get(User, form_int("volunteer", 0))
    amount = form_int("points")
    if volunteer is None or volunteer.organization.community_id != community_id() or \
            amount is None:
        return render_points(_("Choose a volunteer and a whole number of points."), 422)
    try:
        ledger.adjust(volunteer, amount, request.form.get("reason", ""), current_user)
    except ledger.LedgerRefused as refused:
        db.session.rollback()
        return render_points(str(refused), 422)
    flash(_("Points recorded."), "success")
    return redirect(url_for("admin.points"), code=303)


@bp.post("/redemptions/<int:redemption_id>/<decision>")
@requires(Action.MANAGE_POINTS)
def decide_redemption(redemption_id, decision):
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.reward.community_id != community_id() or \
            decision not in ("approve", "reject"):
        abort(404)
    try:
        if decision == "approve":
            ledger.approve(redemption, current_user)
        else:
            ledger.reject(redemption, current_user, request.form.get("note", ""))
    except ledger.LedgerRefused as refused:
        db.session.rollback()
        return render_points(str(refused), 409)
    flash(_("Decision recorded."), "success")
    return redirect(url_for("admin.points"), code=303)


@bp.post("/rewards")
@requires(Action.MANAGE_POINTS)
def add_reward():
    form = request.form
    try:
        name_zh = form_text("name_zh", Reward.name_zh, _("Name (Chinese)"))
        name_en = form_text("name_en", Reward.name_en, _("Name (English)"))
    except TextTooLong as error:
        return render_points(str(error), 422)
    cost, stock = form_int("cost"), form_int("stock")
    if form.get("kind") not in ("goods", "service", "fee_offset") or not name_zh or \
            not name_en or cost is None or stock is None or not 1 <= cost <= 100_000 or \
            not 0 <= stock <= 100_000:
        return render_points(_("Give the reward a kind, both names, a cost and a stock."), 422)
    db.session.add(Reward(community_id=community_id(), kind=form["kind"], name_zh=name_zh,
                          name_en=name_en, cost=cost, stock=stock))
    db.session.commit()
    flash(_("Reward added."), "success")
    return redirect(url_for("admin.points"), code=303)


# --- care cards -----------------------------------------------------------------------------

def community_entrances() -> list[Entrance]:
    return db.session.scalars(
        select(Entrance).join(Building).join(Compound)
        .where(Compound.community_id == community_id())
        .order_by(Compound.name, Building.sort_key, Entrance.sort_key)).all()


def render_care_cards(problem=None, status=200):
    cards = db.session.scalars(select(CareCard).where(CareCard.community_id == community_id())
                               .order_by(CareCard.active.desc(), CareCard.name)).all()
    return render_template("admin/care_cards.html", cards=cards, problem=problem,
                           entrances=community_entrances(), draft=request.form), status


@bp.get("/care-cards")
@requires(Action.MANAGE_CARE_CARDS)
def care_cards():
    return render_care_cards()


@bp.post("/care-cards")
@requires(Action.MANAGE_CARE_CARDS)
def add_care_card():
    try:
        name = form_text("name", CareCard.name, _("Name"))
        phone = form_text("phone", CareCard.phone, _("Phone"))
    except TextTooLong as error:
        return render_care_cards(str(error), 422)
    if not name:
        return render_care_cards(_("Please give the resident's name."), 422)
    try:
        phone = normalise_phone(phone)
    except InvalidPhone as invalid:
        return render_care_cards(str(invalid), 422)
    if phone is None:
        return render_care_cards(_("Please give the resident's phone number."), 422)
    entrance = next((e for e in community_entrances()
                     if str(e.id) == request.form.get("entrance")), None)
    db.session.add(CareCard(community_id=community_id(), name=name, phone=phone,
                            entrance=entrance, building=entrance.building if entrance else None))
    db.session.commit()
    flash(_("Care card registered."), "success")
    return redirect(url_for("admin.care_cards"), code=303)


@bp.post("/care-cards/<int:card_id>/end")
@requires(Action.MANAGE_CARE_CARDS)
def end_care_card(card_id):
    card = in_my_community_or_404(CareCard, card_id)
    if card.active and not confirm.confirmed():
        return confirm.ask(
            _("End this care card?"),
            [(_("Name"), card.name)] + (confirm.place_lines(
                card.building.compound.name, card.building.name,
                card.entrance.name if card.entrance else None) if card.building else []),
            _("Their reports no longer get priority, and services free for care-card holders "
              "are no longer free for them."),
            _("Yes, end the card"), url_for("admin.care_cards"))
    card.active = False
    db.session.commit()
    return redirect(url_for("admin.care_cards"), code=303)
