"""Every endpoint says who may open it: @public, or @requires(Action). The guard refuses an
endpoint that says nothing, so no new route can appear unprotected."""

from flask import abort, redirect, request, session, url_for
from flask_login import LoginManager, current_user

from webapp.caching import personal_cookies
from webapp.domain.people.permissions import Action, can
from webapp.extensions import db
from webapp.inputs import whole_number
from webapp.models import (
    Booking,
    Building,
    Entrance,
    Household,
    QrCode,
    Redemption,
    ServiceType,
    Transfer,
    User,
    VolunteerShift,
)

PUBLIC = "public"
# Opened by another application with its own key (the Open311 API): no login, no session;
# the view checks the key and answers 403 in the API's own format.
API_CLIENT = "api_client"


class _LoginManager(LoginManager):
    def _load_user(self):
        # Nothing in the session and no remember cookie: nobody, as Flask-Login would find,
        # but without session protection hashing the visitor's address and browser first
        # (a tenth of a kept public page).
        if not session and personal_cookies()[1] not in request.cookies:
            return self._update_request_context_with_user()
        return super()._load_user()


login_manager = _LoginManager()


# How a record that keeps no community_id of its own reaches its community.
COMMUNITY_OF = {
    Booking: lambda found: found.slot.community_id,
    VolunteerShift: lambda shift: shift.slot.community_id,
    ServiceType: lambda service: service.category.community_id,
    Redemption: lambda redemption: redemption.reward.community_id,
    Transfer: lambda transfer: transfer.entries[0].account.community_id,
    Building: lambda building: building.compound.community_id,
    Entrance: lambda entrance: entrance.building.compound.community_id,
    QrCode: lambda code: code.building.compound.community_id,
    Household: lambda household: household.building.compound.community_id,
    User: lambda user: user.organization.community_id if user.organization else None,
}


def in_my_community(model, record_id: int | None):
    """The record of this id if it belongs to the signed-in user's community, else None:
    another community's record is treated exactly like a missing one."""
    record = db.session.get(model, record_id) if record_id else None
    if record is None:
        return None
    community_of = COMMUNITY_OF.get(model, lambda found: found.community_id)
    return record if community_of(record) == current_user.organization.community_id else None


def in_my_community_or_404(model, record_id: int):
    record = in_my_community(model, record_id)
    if record is None:
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

    @app.context_processor
    def permissions():
        # Templates offer a link only to whom it would open for: may("file_for_resident").
        return {"may": lambda action: can(current_user, Action(action))}

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
