"""Admin pages: staff accounts; category routing, SLA targets, canned replies and extra
questions."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community, requires
from webapp.admin import bp, confirm
from webapp.admin.forms import CategoryForm, QuestionForm, UserForm, target_in_units
from webapp.domain import unit_of_work
from webapp.domain.people import accounts
from webapp.domain.people.permissions import Action
from webapp.domain.reports import category_settings, questions, routing, sla
from webapp.models import COMMUNITY_ROLES, CategoryQuestion, Routing


def community_id() -> int:
    return current_user.organization.community_id


def community_orgs():
    return routing.organizations(community_id())


def render_users(problem=None, status=200):
    return render_template("admin/users.html", users=accounts.users_of(community_id()),
                           orgs=community_orgs(),
                           roles=list(COMMUNITY_ROLES), problem=problem, draft=request.form), status


@bp.get("/users")
@requires(Action.MANAGE_USERS)
def users():
    return render_users()


@bp.post("/users")
@requires(Action.MANAGE_USERS)
@refusals.answered_by(render_users)
def create_user():
    form = UserForm()
    accounts.create_user(form.username.data, form.display_name.data, form.password.data or "",
                         form.role.data, form.organization(community_orgs()),
                         form.phone.data or None)
    flash(_("Account created."), "success")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>")
@requires(Action.MANAGE_USERS)
@refusals.answered_by(render_users)
def update_user(user_id):
    user = accounts.user_of(community_id(), user_id)
    if user is None:
        return render_users(_("No such account."), 404)
    changes = UserForm().changes(community_orgs())
    if accounts.disables(user, changes, current_user) and not confirm.confirmed():
        return confirm.ask(
            _("Disable this account?"),
            [(_("Name"), user.display_name), (_("Username"), user.username)],
            _("They can no longer log in, from their next page on, until an admin sets the "
              "account active again."),
            _("Yes, disable the account"), url_for("admin.users"))
    accounts.update_user(user, changes, current_user)
    flash(_("Account saved."), "success")
    return redirect(url_for("admin.users"), code=303)


def render_categories(problem=None, status=200, draft_for=None):
    """`draft_for` names the question form ("add-<category id>" or "q-<question id>") whose
    typed values come back after a refusal."""
    here = community_id()
    rows = category_settings.categories()
    return render_template("admin/categories.html", categories=rows, routes=list(Routing),
                           targets={c.id: sla.targets_for(c, here) for c in rows},
                           urgent={c.id: category_settings.urgent_percent_of(c, here)
                                   for c in rows},
                           in_units=target_in_units,
                           routing={c.id: category_settings.routing_for(c, here) for c in rows},
                           private={c.id: category_settings.private_for(c, here) for c in rows},
                           problem=problem, canned=category_settings.canned_replies(here),
                           community_name=current_user.organization.community.name,
                           questions=questions.questions_by_category((c.id for c in rows),
                                                                     here),
                           datatypes=questions.DATATYPE_LABELS, values_text=questions.values_text,
                           draft_for=draft_for, draft=request.form), status


@bp.get("/categories")
@requires(Action.MANAGE_CATEGORIES)
def categories():
    return render_categories()


@bp.post("/categories/<int:category_id>")
@requires(Action.MANAGE_CATEGORIES)
@refusals.answered_by(render_categories)
def update_category(category_id):
    """This community's own routing, SLA targets and canned replies for a shared category."""
    category = category_settings.category(category_id)
    if category is None:
        return render_categories(_("No such category."), 404)
    form = CategoryForm()
    category_settings.save(category, community_id(), routing=form.routing.data or None,
                           targets=form.targets(sla.targets_for(category, community_id())),
                           canned=form.canned.data, private=form.private.data,
                           urgent_percent=form.urgent_percent.data)
    flash(_("Category saved."), "success")
    return redirect(url_for("admin.categories"), code=303)


def question_refused(problem, status):
    """The page again, with the typed values back in the question form they came from."""
    args = request.view_args
    draft_for = f"add-{args['category_id']}" if "category_id" in args else \
        f"q-{args['question_id']}"
    return render_categories(problem, status, draft_for)


@bp.post("/categories/<int:category_id>/questions")
@requires(Action.MANAGE_CATEGORIES)
@refusals.answered_by(question_refused)
def add_question(category_id):
    category = category_settings.category(category_id)
    if category is None:
        return render_categories(_("No such category."), 404)
    questions.save_question(category, community_id(), QuestionForm().draft())
    flash(_("Question added."), "success")
    return redirect(url_for("admin.categories", _anchor=f"category-{category_id}"), code=303)


@bp.post("/questions/<int:question_id>")
@requires(Action.MANAGE_CATEGORIES)
@refusals.answered_by(question_refused)
def update_question(question_id):
    question = in_my_community(CategoryQuestion, question_id)  # shared ones: nobody's here
    if question is None or not question.active:
        return render_categories(_("No such question."), 404)
    questions.save_question(question.category, question.community_id, QuestionForm().draft(),
                            question)
    flash(_("Question saved."), "success")
    return redirect(url_for("admin.categories", _anchor=f"category-{question.category_id}"),
                    code=303)


@bp.post("/questions/<int:question_id>/remove")
@requires(Action.MANAGE_CATEGORIES)
def remove_question(question_id):
    question = in_my_community(CategoryQuestion, question_id)
    if question is None:
        return render_categories(_("No such question."), 404)
    with unit_of_work():
        questions.remove_question(question)
    flash(_("Question removed from the forms; earlier answers keep it."), "success")
    return redirect(url_for("admin.categories", _anchor=f"category-{question.category_id}"),
                    code=303)
