"""Admin pages for routing (1+N): every compound's partner company and grid in one table,
saved at once, as CSV out and back in; and a compound's own exceptions per category."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community_or_404, requires
from webapp.admin import bp
from webapp.admin.forms import PlaceImportForm, RoutingFilterForm, RoutingTableForm
from webapp.domain.people.organizations import KIND_LABELS
from webapp.domain.people.permissions import Action
from webapp.domain.reports import category_settings, pairing, routing
from webapp.domain.shared import spreadsheet
from webapp.models import Compound, OrgKind


def community():
    return current_user.organization.community


def render_routing(problem=None, status=200, import_result=None, csv_text=None):
    f = RoutingFilterForm(request.args)
    here = community()
    table = pairing.table(here.id, f.name.data or "", f.missing.data or "")
    categories = routing.active_categories(here.id)
    return render_template(
        "admin/routing.html", table=table, f=f, problem=problem, draft=request.form,
        companies=routing.organizations(here.id, [OrgKind.PROPERTY]),
        grids=routing.organizations(here.id, [OrgKind.GRID]), usable=routing.usable,
        effect=routing.effect(table.compounds, categories, here.id),
        result=import_result, csv_text=csv_text, org_kinds=KIND_LABELS), status


@bp.get("/routing")
@requires(Action.MANAGE_PLACES)
def routing_table():
    return render_routing()


@bp.post("/routing")
@requires(Action.MANAGE_PLACES)
@refusals.answered_by(render_routing)
def save_routing():
    changed = pairing.save_table(community(), RoutingTableForm().choices())
    flash(_("Routing saved: %(n)d compounds changed.", n=changed), "success")
    return redirect(url_for("admin.routing_table", **request.args), code=303)


@bp.get("/routing.csv")
@requires(Action.MANAGE_PLACES)
def routing_csv():
    return Response(spreadsheet.csv_text(pairing.table_rows(community().id)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=mashang-routing.csv"})


@bp.post("/routing/import")
@requires(Action.MANAGE_PLACES)
@refusals.answered_by(render_routing)
def import_routing():
    """Upload → preview; confirm → all or nothing, as the place import."""
    form = PlaceImportForm()
    text = form.text()
    result = pairing.import_table(community(), text, apply=form.confirm.data)
    if result.problems:
        return render_routing(_("Nothing was imported: fix these lines and upload again."),
                              422, result)
    if not form.confirm.data:
        return render_routing(import_result=result, csv_text=text)
    flash(_("Routing imported: %(n)d compounds changed, %(o)d organisations added.",
            n=result.routing_changes, o=len(result.new_organizations)), "success")
    return redirect(url_for("admin.routing_table"), code=303)


def render_exceptions(compound, problem=None, status=200):
    here = community()
    categories = routing.active_categories(here.id)
    return render_template(
        "admin/routing_compound.html", compound=compound, categories=categories,
        problem=problem, exceptions=routing.exceptions_of([compound.id]),
        routes={c.id: category_settings.routing_for(c, here.id) for c in categories},
        effect=dict((c.id, org) for org, cats in routing.effect(
            [compound], categories, here.id)[compound.id] for c in cats),
        teams=routing.organizations(here.id, [OrgKind.OFFICE, OrgKind.PROPERTY,
                                              OrgKind.GRID])), status


@bp.get("/routing/<int:compound_id>")
@requires(Action.MANAGE_PLACES)
def compound_routing(compound_id):
    return render_exceptions(in_my_community_or_404(Compound, compound_id))


def exceptions_refused(problem, status):
    return render_exceptions(in_my_community_or_404(Compound, request.view_args["compound_id"]),
                             problem, status)


@bp.post("/routing/<int:compound_id>")
@requires(Action.MANAGE_PLACES)
@refusals.answered_by(exceptions_refused)
def save_compound_routing(compound_id):
    compound = in_my_community_or_404(Compound, compound_id)
    ids = [c.id for c in routing.active_categories(compound.community_id)]
    routing.set_exceptions(compound, RoutingTableForm().exceptions(ids))
    flash(_("Routing of %(name)s saved.", name=compound.name), "success")
    return redirect(url_for("admin.compound_routing", compound_id=compound.id), code=303)
