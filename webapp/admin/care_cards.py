"""Admin pages for care cards (爱心联系卡)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community_or_404, requires
from webapp.admin import bp, confirm
from webapp.admin.forms import CareCardForm, VisitRhythmForm
from webapp.domain import unit_of_work
from webapp.domain.people.permissions import Action
from webapp.domain.services import care_cards, care_visits
from webapp.models import CareCard


def community_id() -> int:
    return current_user.organization.community_id


def render_care_cards(problem=None, status=200):
    return render_template("admin/care_cards.html", cards=care_cards.cards_of(community_id()),
                           entrances=care_cards.entrances_of(community_id()), problem=problem,
                           draft=request.form), status


@bp.get("/care-cards", endpoint="care_cards")
@requires(Action.MANAGE_CARE_CARDS)
def care_cards_page():
    return render_care_cards()


@bp.post("/care-cards")
@requires(Action.MANAGE_CARE_CARDS)
@refusals.answered_by(render_care_cards)
def add_care_card():
    care_cards.register(community_id(), CareCardForm().draft())
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
    with unit_of_work():
        care_cards.end(card)
    return redirect(url_for("admin.care_cards"), code=303)


# --- care visits (敲门行动) -------------------------------------------------------------------

def render_holder(card_id, problem=None, status=200):
    card = in_my_community_or_404(CareCard, card_id)
    return render_template("admin/care_card.html", card=card, problem=problem,
                           plan=care_visits.plan_of(card), visits=care_visits.history(card),
                           draft=request.form), status


@bp.get("/care-cards/<int:card_id>")
@requires(Action.MANAGE_CARE_CARDS)
def care_card(card_id):
    """The holder's page: the visit rhythm and the history of visits."""
    return render_holder(card_id)


@bp.post("/care-cards/<int:card_id>/rhythm")
@requires(Action.MANAGE_CARE_CARDS)
@refusals.answered_by(lambda message, status: render_holder(
    request.view_args["card_id"], message, status))
def set_visit_rhythm(card_id):
    form = VisitRhythmForm()
    draft = form.draft()
    if form.starts_on.data and draft.starts_on is None:
        return render_holder(card_id, _("Please give the first day as a date."), 422)
    care_visits.set_rhythm(in_my_community_or_404(CareCard, card_id), draft, current_user)
    flash(_("Visits planned."), "success")
    return redirect(url_for("admin.care_card", card_id=card_id), code=303)


@bp.post("/care-cards/<int:card_id>/stop-visits")
@requires(Action.MANAGE_CARE_CARDS)
def stop_visits(card_id):
    card = in_my_community_or_404(CareCard, card_id)
    with unit_of_work():
        care_visits.stop_visits(card)
    flash(_("No more visits are planned."), "success")
    return redirect(url_for("admin.care_card", card_id=card_id), code=303)
