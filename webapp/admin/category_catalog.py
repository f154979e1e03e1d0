"""Admin pages: a community's own report categories (add, rename, icon) and retiring or
bringing back any category it sees, for itself (domain/reports/categories.py)."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import requires
from webapp.admin import bp
from webapp.admin.forms import CategoryNameForm
from webapp.admin.views import render_categories
from webapp.domain.people.permissions import Action
from webapp.domain.reports import categories


def here() -> int:
    return current_user.organization.community_id


def add_refused(problem, status):
    """The page again, the typed names and icon back in the form they came from."""
    return render_categories(problem, status, "category-add")


def names_refused(problem, status):
    return render_categories(problem, status, f"names-{request.view_args['category_id']}")


def back_to(category_id: int):
    return redirect(url_for("admin.categories", _anchor=f"category-{category_id}"), code=303)


@bp.post("/categories")
@requires(Action.MANAGE_CATEGORIES)
@refusals.answered_by(add_refused)
def add_category():
    made = categories.add(here(), CategoryNameForm().draft())
    flash(_("Category added. Set where it goes and its targets below."), "success")
    return back_to(made.id)


@bp.post("/categories/<int:category_id>/names")
@requires(Action.MANAGE_CATEGORIES)
@refusals.answered_by(names_refused)
def rename_category(category_id):
    category = categories.of_community(here(), category_id)
    if category is None:
        return render_categories(_("No such category."), 404)
    categories.edit(category, here(), CategoryNameForm().draft(category.is_major))
    flash(_("Category saved."), "success")
    return back_to(category_id)


@bp.post("/categories/<int:category_id>/retire")
@requires(Action.MANAGE_CATEGORIES)
@refusals.answered_by(render_categories)
def retire_category(category_id):
    category = categories.of_community(here(), category_id)
    if category is None:
        return render_categories(_("No such category."), 404)
    categories.retire(category, here())
    flash(_("Category retired: no longer offered for new reports; old reports keep it."),
          "success")
    return back_to(category_id)


@bp.post("/categories/<int:category_id>/bring-back")
@requires(Action.MANAGE_CATEGORIES)
@refusals.answered_by(render_categories)
def bring_back_category(category_id):
    category = categories.of_community(here(), category_id)
    if category is None:
        return render_categories(_("No such category."), 404)
    categories.bring_back(category, here())
    flash(_("The category is offered again."), "success")
    return back_to(category_id)
