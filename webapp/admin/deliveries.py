"""The admins' delivery log (every outbox message of the community: channel, recipient,
status, attempts, last error) and, with the log SMS provider of the demo, the texts and robot
posts as the phone or the group shows them."""

from flask import current_app, render_template, request
from flask_login import current_user

from webapp.access import requires
from webapp.admin import bp
from webapp.admin.forms import DeliveryFilterForm
from webapp.domain.notify import deliveries
from webapp.domain.people.permissions import Action
from webapp.inputs import whole_number

PRIVATE = {"Cache-Control": "private, no-store"}


def community_id() -> int:
    return current_user.organization.community_id


@bp.get("/deliveries")
@requires(Action.VIEW_DELIVERIES)
def deliveries_log():
    f = DeliveryFilterForm(request.args).filter()
    return render_template(
        "admin/deliveries.html", f=f, page=deliveries.delivery_log(community_id(), f),
        statuses=deliveries.STATUSES, channels=deliveries.CHANNELS), 200, PRIVATE


def log_provider() -> bool:
    return current_app.config.get("SMS_PROVIDER", "log") == "log"


@bp.get("/sent-messages")
@requires(Action.VIEW_DELIVERIES)
def sent_messages():
    shown = log_provider()
    page = deliveries.sent_messages(community_id(), whole_number(request.args.get("page", "1"))
                                    or 1) if shown else None
    config = current_app.config

    def link(message):
        return deliveries.link_of(message, base_url=config["BASE_URL"],
                                  secret=config["SECRET_KEY"], reveal_sealed=shown)
    return render_template("admin/sent_messages.html", page=page, link=link), 200, PRIVATE
