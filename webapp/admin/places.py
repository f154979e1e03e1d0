"""Admin pages for places: compounds → buildings → entrances, CSV import, replacing codes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community_or_404, requires
from webapp.admin import bp, confirm
from webapp.admin.forms import PlaceForm, PlaceImportForm
from webapp.domain.people.organizations import KIND_LABELS
from webapp.domain.people.permissions import Action
from webapp.domain.places import editing
from webapp.domain.reports import pairing
from webapp.models import Building, Community, Compound, Entrance, QrCode

KINDS = {"compound": Compound, "building": Building, "entrance": Entrance}
# What each change does, by (kind, change); "remove" is asked about first.
CHANGES = {
    **{(kind, "rename"): lambda place, form: editing.rename(place, form.name.data)
       for kind in KINDS},
    **{(kind, "remove"): lambda place, form: editing.remove(place) for kind in KINDS},
    ("compound", "add"): lambda place, form: editing.add_building(place, form.name.data),
    ("building", "add"): lambda place, form: editing.add_entrance(place, form.name.data),
    ("building", "coordinates"): lambda place, form: editing.set_coordinates(
        place, form.latitude.data, form.longitude.data),
}


def community() -> Community:
    return current_user.organization.community


def compound_of(place) -> Compound:
    return {Compound: lambda p: p, Building: lambda p: p.compound,
            Entrance: lambda p: p.building.compound}[type(place)](place)


def place_names(place) -> tuple:
    """(compound, building, entrance) names; building None for a compound, entrance None
    for a building."""
    if isinstance(place, Compound):
        return (place.name,)
    if isinstance(place, Building):
        return place.compound.name, place.name, None
    return place.building.compound.name, place.building.name, place.name


def place_or_404(kind: str, place_id: int):
    if kind not in KINDS:
        abort(404)
    return in_my_community_or_404(KINDS[kind], place_id)


def render_places(problem=None, status=200, import_result=None, csv_text=None):
    return render_template("admin/places.html", compounds=editing.compounds_of(
        community().id), reports=editing.report_counts(), problem=problem,
        result=import_result, csv_text=csv_text, org_kinds=KIND_LABELS), status


def render_compound(compound, problem=None, status=200):
    return render_template("admin/compound.html", compound=compound, problem=problem,
                           codes=editing.active_codes(compound)), status


def compound_refused(problem, status):
    """The compound's page again, for the place or code the refused request named."""
    args = request.view_args
    place = in_my_community_or_404(QrCode, args["code_id"]).building if "code_id" in args \
        else place_or_404(args["kind"], args["place_id"])
    return render_compound(compound_of(place), problem, status)


@bp.get("/places")
@requires(Action.MANAGE_PLACES)
def places():
    return render_places()


@bp.post("/places")
@requires(Action.MANAGE_PLACES)
@refusals.answered_by(render_places)
def add_compound():
    compound = editing.add_compound(community(), PlaceForm().name.data)
    return redirect(url_for("admin.compound", compound_id=compound.id), code=303)


@bp.get("/places/<int:compound_id>")
@requires(Action.MANAGE_PLACES)
def compound(compound_id):
    return render_compound(place_or_404("compound", compound_id))


@bp.post("/places/<kind>/<int:place_id>/<change>")
@requires(Action.MANAGE_PLACES)
@refusals.answered_by(compound_refused)
def change_place(kind, place_id, change):
    """add (a building to a compound, an entrance to a building), rename or remove."""
    place = place_or_404(kind, place_id)
    compound = compound_of(place)
    if (kind, change) not in CHANGES:
        abort(404)
    if change == "remove":
        editing.check_removable(place)
        if not confirm.confirmed():
            return confirm.ask(
                _("Remove this place?"), confirm.place_lines(*place_names(place)),
                _("Its codes stop working at once: printed posters and labels for it "
                  "will say the code is unknown. This cannot be undone."),
                _("Yes, remove it"), url_for("admin.compound", compound_id=compound.id))
    CHANGES[kind, change](place, PlaceForm())
    flash(_("Saved."), "success")
    if kind == "compound" and change == "remove":
        return redirect(url_for("admin.places"), code=303)
    return redirect(url_for("admin.compound", compound_id=compound.id), code=303)


@bp.post("/codes/<int:code_id>/replace")
@requires(Action.MANAGE_PLACES)
@refusals.answered_by(compound_refused)
def replace_code(code_id):
    code = in_my_community_or_404(QrCode, code_id)
    compound = code.building.compound
    if code.revoked_at is None and not confirm.confirmed():
        return confirm.ask(
            _("Replace this code?"),
            confirm.place_lines(compound.name, code.building.name,
                                code.entrance.name if code.entrance else None)
            + [(_("Code"), code.token)],
            _("Printed posters and labels with this code stop working at once: scanning them "
              "shows “this code was replaced”. Print the new code and put it up."),
            _("Yes, replace the code"), url_for("admin.compound", compound_id=compound.id))
    editing.replace_code(code)
    flash(_("A new code was issued; the old poster now says it was replaced. "
            "Print the new one from “Print codes”."), "success")
    return redirect(url_for("admin.compound", compound_id=compound.id), code=303)


@bp.post("/places/import")
@requires(Action.MANAGE_PLACES)
@refusals.answered_by(render_places)
def import_places():
    """Upload → preview with each row's problem; confirm → all-or-nothing import. The
    confirmation carries the file's text, so nothing is kept on the server in between."""
    form = PlaceImportForm()
    text = form.text()
    result = pairing.import_places(community(), text, apply=form.confirm.data)
    if result.problems:
        return render_places(_("Nothing was imported: fix these lines and upload again."), 422,
                             result)
    if not form.confirm.data:
        return render_places(import_result=result, csv_text=text)
    flash(_("Imported: %(c)d compounds, %(b)d buildings, %(e)d entrances, %(q)d new codes.",
            c=result.new_compounds, b=result.new_buildings, e=result.new_entrances,
            q=result.new_codes), "success")
    if result.new_organizations or result.routing_changes:
        flash(_("Routing changes for %(n)d compounds; organisations added: %(names)s.",
                n=result.routing_changes,
                names=_(", ").join(name for _kind, name in result.new_organizations) or "—"),
              "success")
    return redirect(url_for("admin.places"), code=303)
