"""Every endpoint says who may open it: @public, or @requires(Action). The guard refuses an
endpoint that says nothing, so no new route can appear unprotected."""

from flask import abort, redirect, request, url_for
from flask_login import LoginManager, current_user

from webapp.domain.permissions import Action, can
from webapp.extensions import db
from webapp.inputs import whole_number
from webapp.models import User

PUBLIC = "public"
# Opened by another application with its own key (the Open311 API): no login, no session;
# the view checks the key and answers 403 in the API's own format.
API_CLIENT = "api_client"
login_manager = LoginManager()


def in_my_community_or_404(model, record_id: int):
    """The record of this id in the signed-in staff member's community. Another community's
    record answers 404, exactly like a missing one."""
    record = db.session.get(model, record_id)
    if record is None or record.community_id != current_user.organization.community_id:
        abort(404)
    return record


def public(view):
    view.access = PUBLIC
    return view


def api_client(view):
    view.access = API_CLIENT
    return view


def requires(action: Action):
    def mark(view):
        view.access = action
        return view
    return mark


def access_of(app, endpoint: str):
    if endpoint == "static":
        return PUBLIC
    return getattr(app.view_functions.get(endpoint), "access", None)


def login_redirect():
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.htmx:
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        number = whole_number(user_id)
        user = db.session.get(User, number) if number is not None else None
        return user if user is not None and user.active else None

    @app.before_request
    def guard():
        if request.endpoint is None:  # no route: the 404 handler answers
            return None
        access = access_of(app, request.endpoint)
        if access in (PUBLIC, API_CLIENT):
            return None
        if access is None:
            abort(403)
        if not current_user.is_authenticated:
            return login_redirect()
        if not can(current_user, access):
            abort(403)
        return None
