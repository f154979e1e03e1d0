"""Admin page of recent failed logins, and clearing a username's login throttle.

Shown: failed logins for the usernames of the admin's own community, and for names that
match no account anywhere (guessing shows up there); another community's users are its own
admins' business."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import requires
from webapp.admin import bp
from webapp.admin.forms import ClearThrottleForm
from webapp.domain import unit_of_work
from webapp.domain.people import login_throttle
from webapp.domain.people.permissions import Action
from webapp.models.types import utcnow


def community_id() -> int:
    return current_user.organization.community_id


@bp.get("/failed-logins")
@requires(Action.MANAGE_USERS)
def failed_logins():
    response = render_template(
        "admin/failed_logins.html", attempts=login_throttle.recent_failures(community_id()),
        slowed=login_throttle.slowed_usernames(community_id(), utcnow()))
    return response, 200, {"Cache-Control": "private, no-store"}


@bp.post("/failed-logins/clear")
@requires(Action.MANAGE_USERS)
def clear_login_throttle():
    username = ClearThrottleForm().name
    if not login_throttle.is_community_username(community_id(), username):
        abort(404)
    with unit_of_work():
        login_throttle.clear(username, utcnow())
    flash(_("%(name)s can log in again without waiting.", name=username), "success")
    return redirect(url_for("admin.failed_logins"), code=303)
