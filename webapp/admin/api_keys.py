"""Admin page for Open311 API keys: one per client application, shown once, revocable."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community_or_404, requires
from webapp.admin import bp, confirm
from webapp.admin.forms import ApiKeyForm
from webapp.domain import unit_of_work
from webapp.domain.people import api_clients
from webapp.domain.people.permissions import Action
from webapp.models import ApiKey


def render_keys(new_key=None, problem=None, status=200):
    community = current_user.organization.community
    keys = api_clients.keys_of(community.id)
    response = make_response(render_template(
        "admin/api_keys.html", keys=keys, counts=api_clients.report_counts([k.id for k in keys]),
        new_key=new_key, problem=problem, draft=request.form, community=community), status)
    # The page may show a key: never kept by a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/api-keys")
@requires(Action.MANAGE_API_KEYS)
def api_keys():
    return render_keys()


def refused(problem, status):
    return render_keys(problem=problem, status=status)


@bp.post("/api-keys")
@requires(Action.MANAGE_API_KEYS)
@refusals.answered_by(refused)
def create_api_key():
    key, raw = api_clients.issue_key(current_user.organization.community,
                                     ApiKeyForm().client_name.data, current_user)
    return render_keys(new_key=(key, raw))


@bp.post("/api-keys/<int:key_id>/revoke")
@requires(Action.MANAGE_API_KEYS)
def revoke_api_key(key_id):
    key = in_my_community_or_404(ApiKey, key_id)
    if key.revoked_at is None and not confirm.confirmed():
        return confirm.ask(
            _("Revoke this key?"),
            [(_("Client application"), key.client_name), (_("API key"), key.key_prefix + "…")],
            _("The application can no longer file or read reports with this key, from the "
              "next request on. This cannot be undone: it would need a new key."),
            _("Yes, revoke the key"), url_for("admin.api_keys"))
    with unit_of_work():
        api_clients.revoke_key(key)
    flash(_("The key of %(name)s no longer works.", name=key.client_name), "success")
    return redirect(url_for("admin.api_keys"), code=303)
