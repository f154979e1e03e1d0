"""The setup checklist (/admin/setup): what a new community has and still lacks, each with
the page that does it; and the community's own details (name, hotlines)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import requires
from webapp.admin import bp
from webapp.admin.forms import CommunityForm
from webapp.domain.people.permissions import Action
from webapp.domain.places import communities
from webapp.domain.reports import setup_checklist

# Where each step is done.
PAGES = {"details": ("admin.community_details", {}),
         "organizations": ("admin.organizations", {}), "places": ("admin.places", {}),
         "routing": ("admin.routing_table", {"missing": "any"}),
         "categories": ("admin.categories", {}), "users": ("admin.users", {}),
         "codes": ("staff.print_codes", {})}


@bp.get("/setup")
@requires(Action.MANAGE_PLACES)
def setup():
    steps = setup_checklist.checklist(current_user.organization.community)
    return render_template("admin/setup.html", steps=steps, pages=PAGES,
                           missing=sum(not s.done for s in steps))


def render_details(problem=None, status=200):
    return render_template("admin/community.html", community=current_user.organization
                           .community, problem=problem, form=CommunityForm()), status


@bp.get("/community")
@requires(Action.MANAGE_PLACES)
def community_details():
    return render_details()


@bp.post("/community")
@requires(Action.MANAGE_PLACES)
@refusals.answered_by(render_details)
def save_community_details():
    form = CommunityForm()
    communities.update_details(current_user.organization.community, form.name.data,
                               form.hotline.data, form.hotline_24h.data)
    flash(_("Community details saved."), "success")
    return redirect(url_for("admin.setup"), code=303)


@bp.app_context_processor
def setup_steps_missing():
    """For the admin nav: how many steps of the checklist are missing, asked only where
    the nav is drawn."""
    def missing():
        return setup_checklist.missing(current_user.organization.community)
    return {"setup_missing": missing}
