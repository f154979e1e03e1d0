"""Admin pages: staff accounts; category routing, SLA targets, canned replies and extra
questions."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.access import in_my_community, requires
from webapp.admin import bp, confirm
from webapp.domain import accounts, category_settings, questions, routing, sla
from webapp.domain.permissions import Action
from webapp.extensions import db
from webapp.inputs import whole_number
from webapp.models import Category, CategoryQuestion, Role, Routing, User


def community_orgs():
    return routing.organizations(current_user.organization.community_id)


def community_users():
    org_ids = [o.id for o in community_orgs()]
    return db.session.scalars(select(User).where(User.organization_id.in_(org_ids))
                              .order_by(User.role, User.username)).all()


def render_users(problem=None, status=200):
    return render_template("admin/users.html", users=community_users(), orgs=community_orgs(),
                           roles=list(Role), problem=problem, draft=request.form), status


@bp.get("/users")
@requires(Action.MANAGE_USERS)
def users():
    return render_users()


@bp.post("/users")
@requires(Action.MANAGE_USERS)
def create_user():
    form = request.form
    org = next((o for o in community_orgs() if str(o.id) == form.get("org")), None)
    if org is None:
        return render_users(_("Choose an organisation."), 422)
    try:
        accounts.create_user(form.get("username", ""), form.get("display_name", ""),
                             form.get("password", ""), form.get("role", ""), org,
                             form.get("phone") or None)
    except accounts.AccountError as error:
        db.session.rollback()
        return render_users(str(error), 422)
    flash(_("Account created."), "success")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>")
@requires(Action.MANAGE_USERS)
def update_user(user_id):
    user = next((u for u in community_users() if u.id == user_id), None)
    if user is None:
        return render_users(_("No such account."), 404)
    form = request.form
    deactivating = user.active and user.id != current_user.id and form.get("active") != "1"
    if deactivating and not confirm.confirmed():
        return confirm.ask(
            _("Disable this account?"),
            [(_("Name"), user.display_name), (_("Username"), user.username)],
            _("They can no longer log in, from their next page on, until an admin sets the "
              "account active again."),
            _("Yes, disable the account"), url_for("admin.users"))
    if form.get("role") in set(Role):
        user.role = form["role"]
    org = next((o for o in community_orgs() if str(o.id) == form.get("org")), None)
    if org is not None:
        user.organization = org
    if user.id != current_user.id:  # nobody locks themselves out
        user.active = form.get("active") == "1"
    if form.get("password"):
        try:
            accounts.set_password(user, form["password"])
        except accounts.AccountError as error:
            db.session.rollback()
            return render_users(str(error), 422)
    db.session.commit()
    flash(_("Account saved."), "success")
    return redirect(url_for("admin.users"), code=303)


def render_categories(problem=None, status=200, draft_for=None):
    """`draft_for` names the question form ("add-<category id>" or "q-<question id>") whose
    typed values come back after a refusal."""
    here = current_user.organization.community_id
    rows = db.session.scalars(select(Category).order_by(Category.sort_order)).all()
    return render_template("admin/categories.html", categories=rows, routes=list(Routing),
                           targets={c.id: sla.targets_for(c, here) for c in rows},
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
def update_category(category_id):
    """This community's own routing, SLA targets and canned replies for a shared category."""
    category = db.session.get(Category, category_id)
    if category is None:
        return render_categories(_("No such category."), 404)
    here = current_user.organization.community_id
    form = request.form
    targets = {name: whole_number(form.get(f"target_{name}", ""), smallest=1)
               for name in sla.targets_for(category, here)}
    try:
        category_settings.save(category, here, routing=form.get("routing") or None,
                               targets=targets, canned=form.get("canned"),
                               private=form.get("private") == "1")
    except category_settings.SettingRefused as refused:
        db.session.rollback()
        return render_categories(str(refused), 422)
    flash(_("Category saved."), "success")
    return redirect(url_for("admin.categories"), code=303)


@bp.post("/categories/<int:category_id>/questions")
@requires(Action.MANAGE_CATEGORIES)
def add_question(category_id):
    category = db.session.get(Category, category_id)
    if category is None:
        return render_categories(_("No such category."), 404)
    try:
        questions.save_question(category, current_user.organization.community_id,
                                request.form)
    except questions.QuestionError as error:
        db.session.rollback()
        return render_categories(str(error), 422, f"add-{category_id}")
    flash(_("Question added."), "success")
    return redirect(url_for("admin.categories", _anchor=f"category-{category_id}"), code=303)


@bp.post("/questions/<int:question_id>")
@requires(Action.MANAGE_CATEGORIES)
def update_question(question_id):
    question = in_my_community(CategoryQuestion, question_id)  # shared ones: nobody's here
    if question is None or not question.active:
        return render_categories(_("No such question."), 404)
    try:
        questions.save_question(question.category, question.community_id, request.form,
                                question)
    except questions.QuestionError as error:
        db.session.rollback()
        return render_categories(str(error), 422, f"q-{question_id}")
    flash(_("Question saved."), "success")
    return redirect(url_for("admin.categories", _anchor=f"category-{question.category_id}"),
                    code=303)


@bp.post("/questions/<int:question_id>/remove")
@requires(Action.MANAGE_CATEGORIES)
def remove_question(question_id):
    question = in_my_community(CategoryQuestion, question_id)
    if question is None:
        return render_categories(_("No such question."), 404)
    questions.remove_question(question)
    flash(_("Question removed from the forms; earlier answers keep it."), "success")
    return redirect(url_for("admin.categories", _anchor=f"category-{question.category_id}"),
                    code=303)
