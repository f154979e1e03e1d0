"""Staff pages of 一事一议: a building's rooms, opening a consultation (from a report waiting on
the residents, or on its own), its slips, paper votes, the result and the payments."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qr_sheets import PRESETS
from webapp.access import in_my_community_or_404, requires
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.consultations import ballots, deciding, history, opening, printing, rooms
from webapp.domain.consultations import tally as tallies
from webapp.domain.people.permissions import Action
from webapp.domain.shared.photos import upload_folder_for_consultations
from webapp.inputs import whole_number
from webapp.models import Building, Consultation, Household, Report
from webapp.models.types import utcnow
from webapp.refusals import answered_by
from webapp.staff import bp
from webapp.staff.consultation_forms import (
    ConsultationForm,
    PaidForm,
    PaperVoteForm,
    RoomsForm,
    SlipPrintForm,
)


@bp.app_context_processor
def consultation_helpers():
    # The report page lists a report's consultations (staff/_consultations_of_report.html).
    return {"consultations_of": tallies.of_report,
            "consultation_event_label": tallies.event_label}


def community_id() -> int:
    return current_user.organization.community_id


@bp.get("/consultations")
@requires(Action.MANAGE_CONSULTATIONS)
def consultations():
    listed = tallies.of_community(community_id())
    return render_template("staff/consultations.html", listed=listed, tally=tallies.tally,
                           buildings=opening.buildings_of(community_id()))


def render_new(form, report, problem=None, status=200):
    form.place.choices = opening.place_choices(community_id())
    return render_template("staff/consultation_new.html", form=form, report=report,
                           problem=problem), status


@bp.route("/consultations/new", methods=["GET", "POST"])
@requires(Action.MANAGE_CONSULTATIONS)
def new_consultation():
    form = ConsultationForm()
    report_id = form.report.data or whole_number(request.args.get("report"))
    report = in_my_community_or_404(Report, report_id) if report_id else None
    if request.method == "GET":
        form.report.data = report_id
        if report is not None:
            form.place.data = f"b{report.building_id}"
        return render_new(form, report)
    if not form.validate():
        return render_new(form, report, status=422)
    community = current_user.organization.community
    draft = form.draft(community.timezone)
    place = opening.place_from_key(community.id, form.place.data)
    if draft is None or place is None:
        if place is None:
            form.place.errors = [_("Please choose the place.")]
        return render_new(form, report, status=422)
    try:
        with unit_of_work():
            consultation = opening.open_consultation(
                draft, place, current_user, secret=current_app.config["SECRET_KEY"],
                upload_folder=upload_folder_for_consultations(
                    current_app.config["UPLOAD_FOLDER"]),
                report=report)
    except DomainRefused as refused:
        return render_new(form, report, *on_the_field(form, refused), status=refused.status)
    flash(_("The consultation is open. Print the ballot slips and hand them out."), "success")
    return redirect(url_for("staff.consultation", consultation_id=consultation.id), code=303)


def on_the_field(form, refused) -> tuple:
    """A refusal about one field is shown at that field; any other above the form."""
    field = getattr(form, refused.field or "", None)
    if field is None:
        return (str(refused),)
    field.errors = [*field.errors, str(refused)] if isinstance(field.errors, list) \
        else [str(refused)]
    return (None,)


def my_consultation(consultation_id: int) -> Consultation:
    return in_my_community_or_404(Consultation, consultation_id)


def render_consultation(consultation, problem=None, status=200):
    return render_template(
        "staff/consultation.html", c=consultation, tally=tallies.tally(consultation),
        rows=tallies.staff_rows(consultation), events=history.events_of(consultation),
        rule_words=tallies.rule_words(consultation), raised=tallies.raised_cents(consultation),
        option_label=tallies.option_label, yuan=tallies.yuan, problem=problem,
        voting=ballots.voting_open(consultation, utcnow()), presets=PRESETS), status


def render_refused(message, status):
    return render_consultation(my_consultation(request.view_args["consultation_id"]),
                               message, status)


@bp.get("/consultations/<int:consultation_id>")
@requires(Action.MANAGE_CONSULTATIONS)
def consultation(consultation_id):
    return render_consultation(my_consultation(consultation_id))


@bp.get("/consultations/<int:consultation_id>/slips.pdf")
@requires(Action.MANAGE_CONSULTATIONS)
def slips(consultation_id):
    consultation = my_consultation(consultation_id)
    form = SlipPrintForm(request.args)
    try:
        pdf, name = printing.slip_sheet(
            consultation, base_url=current_app.config["BASE_URL"],
            secret=current_app.config["SECRET_KEY"], layout=form.layout.data or "A5",
            preset=form.preset.data or "3x8", skip=form.skip.data or 0,
            household_id=form.household.data, font_path=current_app.config.get("QR_FONT"))
    except DomainRefused as refused:
        return render_consultation(consultation, str(refused), 422)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename={name}"})


def household_step(consultation_id, household_id):
    consultation = my_consultation(consultation_id)
    ballots.member_of(consultation, household_id)
    return consultation


@bp.post("/consultations/<int:consultation_id>/households/<int:household_id>/reissue")
@requires(Action.MANAGE_CONSULTATIONS)
@answered_by(render_refused)
def reissue(consultation_id, household_id):
    consultation = household_step(consultation_id, household_id)
    ballots.reissue_slip(consultation, household_id, current_user,
                         secret=current_app.config["SECRET_KEY"])
    flash(_("The old slip is void. Print the new one and hand it to the household."),
          "success")
    return redirect(url_for("staff.consultation", consultation_id=consultation_id,
                            reissued=household_id, _anchor="households"), code=303)


@bp.post("/consultations/<int:consultation_id>/households/<int:household_id>/vote")
@requires(Action.MANAGE_CONSULTATIONS)
@answered_by(render_refused)
def paper_vote(consultation_id, household_id):
    consultation = household_step(consultation_id, household_id)
    form = PaperVoteForm()
    ballots.record_paper_vote(consultation, household_id, form.choice.data, current_user)
    flash(_("The paper vote is recorded."), "success")
    return redirect(url_for("staff.consultation", consultation_id=consultation_id,
                            _anchor="households"), code=303)


@bp.post("/consultations/<int:consultation_id>/households/<int:household_id>/paid")
@requires(Action.MANAGE_CONSULTATIONS)
@answered_by(render_refused)
def paid(consultation_id, household_id):
    consultation = household_step(consultation_id, household_id)
    deciding.mark_paid(consultation, household_id, PaidForm().paid.data, current_user)
    return redirect(url_for("staff.consultation", consultation_id=consultation_id,
                            _anchor="households"), code=303)


# --- a building's rooms ------------------------------------------------------------------------

def render_rooms(building, form=None, problem=None, status=200):
    return render_template("staff/rooms.html", building=building,
                           rooms=rooms.rooms_of(building.id), form=form or RoomsForm(),
                           problem=problem), status


def rooms_refused(message, status):
    building = in_my_community_or_404(Building, request.view_args["building_id"])
    return render_rooms(building, RoomsForm(), message, status)


@bp.get("/rooms")
@requires(Action.MANAGE_CONSULTATIONS)
def rooms_pick():
    """The building picked on the consultations page: its rooms page (none picked: back to
    the page to pick one)."""
    if not request.args.get("building"):
        return redirect(url_for("staff.consultations"))
    building = in_my_community_or_404(Building, whole_number(request.args.get("building")))
    return redirect(url_for("staff.building_rooms", building_id=building.id))


@bp.route("/buildings/<int:building_id>/rooms", methods=["GET", "POST"])
@requires(Action.MANAGE_CONSULTATIONS)
def building_rooms(building_id):
    building = in_my_community_or_404(Building, building_id)
    form = RoomsForm()
    if request.method == "GET":
        return render_rooms(building, form)
    if not form.validate():
        return render_rooms(building, form, status=422)
    try:
        with unit_of_work():
            added, updated = rooms.save_rooms(building, form.rooms.data)
    except DomainRefused as refused:  # kept as typed, each wrong line named
        return render_rooms(building, form, str(refused), refused.status)
    flash(_("%(added)d rooms added, %(updated)d updated.", added=added, updated=updated),
          "success")
    return redirect(url_for("staff.building_rooms", building_id=building_id), code=303)


@bp.post("/buildings/<int:building_id>/rooms/<int:household_id>/remove")
@requires(Action.MANAGE_CONSULTATIONS)
@answered_by(rooms_refused)
def remove_room(building_id, household_id):
    building = in_my_community_or_404(Building, building_id)
    household = in_my_community_or_404(Household, household_id)
    if household.building_id != building.id:
        abort(404)
    rooms.remove_room(household)
    flash(_("Room %(room)s removed.", room=household.room), "success")
    return redirect(url_for("staff.building_rooms", building_id=building_id), code=303)

