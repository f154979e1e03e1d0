"""Admin pages for places: compounds → buildings → entrances, CSV import, replacing codes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from webapp.access import requires
from webapp.admin import bp, confirm
from webapp.domain import place_admin
from webapp.domain.permissions import Action
from webapp.extensions import db
from webapp.models import Building, Community, Compound, Entrance, QrCode, Report

KINDS = {"compound": Compound, "building": Building, "entrance": Entrance}


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
    model = KINDS.get(kind)
    place = db.session.get(model, place_id) if model else None
    if place is None or compound_of(place).community_id != community().id:
        abort(404)
    return place


def render_places(problem=None, status=200, import_result=None, csv_text=None):
    compounds = db.session.scalars(select(Compound).where(
        Compound.community_id == community().id).order_by(Compound.name)).all()
    reports = dict(db.session.execute(select(Report.compound_id, func.count(Report.id))
                                      .group_by(Report.compound_id)).all())
    return render_template("admin/places.html", compounds=compounds, reports=reports,
                           problem=problem, result=import_result, csv_text=csv_text), status


def render_compound(compound, problem=None, status=200):
    codes = {(c.building_id, c.entrance_id): c for c in db.session.scalars(
        select(QrCode).join(Building).where(Building.compound_id == compound.id,
                                            QrCode.revoked_at.is_(None)))}
    return render_template("admin/compound.html", compound=compound, codes=codes,
                           problem=problem), status


@bp.get("/places")
@requires(Action.MANAGE_PLACES)
def places():
    return render_places()


@bp.post("/places")
@requires(Action.MANAGE_PLACES)
def add_compound():
    try:
        compound = place_admin.add_compound(community(), request.form.get("name", ""))
    except place_admin.PlaceError as error:
        db.session.rollback()
        return render_places(str(error), 422)
    return redirect(url_for("admin.compound", compound_id=compound.id), code=303)


@bp.get("/places/<int:compound_id>")
@requires(Action.MANAGE_PLACES)
def compound(compound_id):
    return render_compound(place_or_404("compound", compound_id))


@bp.post("/places/<kind>/<int:place_id>/<change>")
@requires(Action.MANAGE_PLACES)
def change_place(kind, place_id, change):
    """add (a building to a compound, an entrance to a building), rename or remove."""
    place = place_or_404(kind, place_id)
    compound = compound_of(place)
    name = request.form.get("name", "")
    try:
        if change == "rename":
            place_admin.rename(place, name)
        elif change == "remove":
            place_admin.check_removable(place)
            if not confirm.confirmed():
                return confirm.ask(
                    _("Remove this place?"), confirm.place_lines(*place_names(place)),
                    _("Its codes stop working at once: printed posters and labels for it "
                      "will say the code is unknown. This cannot be undone."),
                    _("Yes, remove it"), url_for("admin.compound", compound_id=compound.id))
            place_admin.remove(place)
        elif change == "add" and kind == "compound":
            place_admin.add_building(place, name)
        elif change == "add" and kind == "building":
            place_admin.add_entrance(place, name)
        elif change == "coordinates" and kind == "building":
            place_admin.set_coordinates(place, request.form.get("latitude", ""),
                                        request.form.get("longitude", ""))
        else:
            abort(404)
    except place_admin.PlaceError as error:
        db.session.rollback()
        return render_compound(compound, str(error), 409 if change == "remove" else 422)
    flash(_("Saved."), "success")
    if kind == "compound" and change == "remove":
        return redirect(url_for("admin.places"), code=303)
    return redirect(url_for("admin.compound", compound_id=compound.id), code=303)


@bp.post("/codes/<int:code_id>/replace")
@requires(Action.MANAGE_PLACES)
def replace_code(code_id):
    code = db.session.get(QrCode, code_id)
    if code is None or code.building.compound.community_id != community().id:
        abort(404)
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
    try:
        place_admin.replace_code(code)
    except place_admin.PlaceError as error:
        db.session.rollback()
        return render_compound(compound, str(error), 409)
    flash(_("A new code was issued; the old poster now says it was replaced. "
            "Print the new one from “Print codes”."), "success")
    return redirect(url_for("admin.compound", compound_id=compound.id), code=303)


@bp.post("/places/import")
@requires(Action.MANAGE_PLACES)
def import_places():
    """Upload → preview with each row's problem; confirm → all-or-nothing import. The
    confirmation carries the file's text, so nothing is kept on the server in between."""
    upload = request.files.get("file")
    try:
        text = place_admin.decode_csv(upload.read()) if upload and upload.filename else \
            request.form.get("csv_text", "")
    except place_admin.PlaceError as error:
        return render_places(str(error), 422)
    confirm = request.form.get("confirm") == "1"
    result = place_admin.import_places(community(), text, apply=confirm)
    if result.problems:
        return render_places(_("Nothing was imported: fix these lines and upload again."), 422,
                             result)
    if not confirm:
        return render_places(import_result=result, csv_text=text)
    flash(_("Imported: %(c)d compounds, %(b)d buildings, %(e)d entrances, %(q)d new codes.",
            c=result.new_compounds, b=result.new_buildings, e=result.new_entrances,
            q=result.new_codes), "success")
    return redirect(url_for("admin.places"), code=303)
