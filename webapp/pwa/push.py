"""Web Push for the pages' script (static/js/push.js): the site's public key, and
subscribing or ending a browser's subscription. JSON in and out; a refusal is
{"error": "<message in the visitor's language>"} with its status.

A signed-in user subscribes their account; anyone with a report's or a booking's private
link subscribes that one report or booking ("for": {"kind", "token"})."""

from flask import current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp import ratelimits
from webapp.access import public
from webapp.channels import webpush
from webapp.domain import DomainRefused
from webapp.domain.notify import subscriptions
from webapp.domain.reports import intake
from webapp.domain.services import booking
from webapp.pwa import bp
from webapp.refusals import answered_by

KEY_MAX_AGE = 3600
NOT_JSON = _l("Please send the subscription as JSON. Reload the page and try again.")
WHOSE = _l("Sign in, or open your report's or booking's private page, to get notifications.")
FOR_WHAT = _l("Say which report or booking to be notified about.")
UNKNOWN_LINK = _l("This private link is not known. Please check the address.")
NOTHING_TO_END = _l("This browser has no notifications here to turn off.")
ENDED_BY_OWNER = "turned off on the device"


def refused(message, status: int) -> DomainRefused:
    refusal = DomainRefused(message)
    refusal.status = status
    return refusal


json_answered = answered_by(lambda message, status: (jsonify(error=message), status))


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise refused(NOT_JSON, 400)
    return body


def owner_of(body: dict) -> tuple[subscriptions.Owner, str | None]:
    """Whom the request speaks for, and (for a resident) the private page a push opens."""
    wanted = body.get("for")
    if wanted is None:
        if not current_user.is_authenticated:
            raise refused(WHOSE, 401)
        return subscriptions.of_user(current_user), None
    kind = wanted.get("kind") if isinstance(wanted, dict) else None
    token = wanted.get("token") if isinstance(wanted, dict) else None
    if kind not in ("report", "booking") or not isinstance(token, str) or not token:
        raise refused(FOR_WHAT, 400)
    if kind == "report":
        found = intake.find_by_tracking_link(token)
        owner = subscriptions.of_report(found) if found else None
        path = url_for("resident.tracking", tracking=token)
    else:
        found = booking.find_by_link(token)
        owner = subscriptions.of_booking(found) if found else None
        path = url_for("resident.booking_page", token=token)
    if owner is None:
        raise refused(UNKNOWN_LINK, 404)
    return owner, path


@bp.get("/push/key")
@public
def push_key():
    response = jsonify(publicKey=webpush.application_server_key(current_app.config))
    response.headers["Cache-Control"] = f"public, max-age={KEY_MAX_AGE}"
    return response


@bp.post("/push/subscriptions")
@public
@ratelimits.link_lookup
@json_answered
def push_subscribe():
    body = json_body()
    owner, path = owner_of(body)
    _row, created = subscriptions.subscribe(
        owner, body.get("subscription"), allow_http=current_app.config["PUSH_ALLOW_HTTP"],
        page_path=path, secret=current_app.config["SECRET_KEY"])
    return jsonify(subscribed=True), 201 if created else 200


@bp.delete("/push/subscriptions")
@public
@ratelimits.link_lookup
@json_answered
def push_unsubscribe():
    body = json_body()
    owner, _path = owner_of(body)
    if subscriptions.end(body.get("endpoint"), owner, ENDED_BY_OWNER) is None:
        raise refused(NOTHING_TO_END, 404)
    return "", 204
