"""The bell page, opening an item, the live numbers staff pages poll, and the settings."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

from webapp.access import requires
from webapp.domain import unit_of_work
from webapp.domain.notify import bell, preferences
from webapp.domain.people.permissions import Action, can
from webapp.domain.reports import queue
from webapp.i18n import safe_next, select_timezone
from webapp.inputs import whole_number
from webapp.notifications import bp
from webapp.notifications.forms import SettingsForm
from webapp.refusals import answered_by

PRIVATE = {"Cache-Control": "private, no-store"}


@bp.app_context_processor
def bell_helpers():
    def bell_state() -> dict:
        """What the bell in the staff bar shows and live.js needs, for the signed-in user."""
        unread, newest = bell.state(current_user)
        choices = preferences.get(current_user)
        return {"unread": unread, "newest": newest, "desktop": choices.desktop,
                "sound": choices.sound, "poll": current_app.config["LIVE_POLL_SECONDS"]}
    return {"bell_state": bell_state}


@bp.app_template_filter("local_time")
def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) time in the page's time zone (i18n.select_timezone)."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(select_timezone())).strftime(fmt)


@bp.get("")
@requires(Action.NOTIFICATIONS)
def index():
    items = bell.recent(current_user)
    if request.htmx and not request.htmx.boosted:  # live.js: the list alone
        return render_block("notifications/index.html", "bell_items", items=items), 200, PRIVATE
    return render_template("notifications/index.html", items=items), 200, PRIVATE


@bp.post("/<int:notification_id>/open")
@requires(Action.NOTIFICATIONS)
def open_item(notification_id):
    """Read, then to its page: only ever a path on this site."""
    with unit_of_work():
        item = bell.mark_read(current_user, notification_id)
        if item is None:
            abort(404)
        target = item.url
    return redirect(safe_next(target), code=303)


@bp.post("/read")
@requires(Action.NOTIFICATIONS)
def read_all():
    with unit_of_work():
        bell.mark_all_read(current_user)
    flash(_("All notifications marked as read."), "success")
    return redirect(url_for("notifications.index"), code=303)


@bp.get("/live")
@requires(Action.NOTIFICATIONS)
def live():
    """{"unread", "waiting" (reports waiting for dispatch, for those who dispatch), "latest",
    "items" newer than ?after=<id>}: polled by static/js/live.js."""
    after = request.args.get("after")
    after_id = whole_number(after) if after is not None else None
    if after is not None and after_id is None:
        return jsonify(error=_("after must be a notification id.")), 400, PRIVATE
    unread, latest = bell.state(current_user)
    items = bell.new_since(current_user, after_id) if after_id is not None else []
    waiting = queue.waiting_count(current_user.organization.community_id) \
        if can(current_user, Action.VIEW_QUEUE) else None
    return jsonify(unread=unread, waiting=waiting, latest=latest, items=[
        {"id": n.id, "title": n.title, "body": n.body, "url": safe_next(n.url),
         "urgent": n.urgent} for n in items]), 200, PRIVATE


def render_settings(form: SettingsForm, problem=None, status=200):
    return render_template("notifications/settings.html", form=form, problem=problem,
                           can_text=preferences.can_text(current_user)), status, PRIVATE


@bp.get("/settings")
@requires(Action.NOTIFICATIONS)
def settings():
    return render_settings(SettingsForm.of(preferences.get(current_user)))


def refused_settings(message, status):
    """What was chosen stays chosen, with the reason it was not saved."""
    return render_settings(SettingsForm(), message, status)


@bp.post("/settings")
@requires(Action.NOTIFICATIONS)
@answered_by(refused_settings)
def save_settings():
    preferences.save(current_user, SettingsForm().choices())
    flash(_("Saved."), "success")
    return redirect(url_for("notifications.settings"), code=303)
