"""我也遇到了: a resident at a door follows a neighbour's open report instead of filing it
again, and gets a private page of their own with its public progress."""

from flask import abort, current_app, flash, make_response, render_template, url_for
from flask_babel import gettext as _

from webapp import ratelimits
from webapp.access import public
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.places.lookup import active_code
from webapp.domain.reports import categories, following, questions, timeline
from webapp.domain.shared.tokens import new_submission_key
from webapp.i18n import chosen_language, show_times_of
from webapp.resident import bp
from webapp.resident.forms import FollowForm, ReportForm
from webapp.resident.views import door_reports, render_unusable_code
from webapp.responses import see_other


@bp.post("/q/<token>/follow/<int:report_id>")
@public
@ratelimits.submission
def follow(token, report_id):
    """我也遇到了: follow a neighbour's open report instead of filing it again."""
    qr = active_code(token)
    if qr is None:
        return render_unusable_code(token)
    if not following.of_this_building(qr, report_id):
        abort(404)
    form = FollowForm(prefix=f"f{report_id}")
    if not form.validate():
        return render_door(qr, form, report_id, None, 422)
    key = form.submission_key.data
    draft = following.FollowDraft(submission_key=key, phone=form.phone.data,
                                  sms_updates=form.sms_updates.data,
                                  language=chosen_language())
    secret = current_app.config["SECRET_KEY"]
    try:
        with unit_of_work():
            _follower, created = following.follow(qr, report_id, draft, secret=secret)
    except DomainRefused as refused:
        field = getattr(form, refused.field or "", None)
        if field is not None:
            field.errors = [*field.errors, str(refused)]
        return render_door(qr, form, report_id, None if field else str(refused),
                           refused.status)
    if created:
        flash(_("Thank you. You are following this report; it is handled once for everyone."),
              "success")
    return see_other(url_for("resident.followed", token=following.follow_token(key, secret)))


def render_door(qr, failed, failed_id, problem, status):
    """The report form page again, with the follow that was refused."""
    choices = categories.offered(qr.building.compound.community_id)
    form = ReportForm(formdata=None, categories=choices)
    form.submission_key.data = new_submission_key()
    asked = questions.questions_by_category((c.id for c in choices),
                                            qr.building.compound.community_id)
    return render_template("resident/report_form.html", form=form, qr=qr, categories=choices,
                           kept=[], questions=asked, answered={}, answer_errors={},
                           **door_reports(qr, failed, failed_id, problem)), status


@bp.get("/f/<token>")
@public
@ratelimits.link_lookup
def followed(token):
    """A follower's private page: the report's public progress, never the reporter's link,
    words beyond the public excerpt, or details."""
    follower = following.find_follower(token)
    if follower is None:
        abort(404)
    report = follower.report
    show_times_of(report.community)
    carried_by = timeline.carried_by(report)
    response = make_response(render_template(
        "resident/following.html", report=report, carried_by=carried_by,
        excerpt=following.excerpt(report), follower=follower, token=token,
        progress=timeline.shared_progress(carried_by or report)))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
