"""多元点单: staff file a report for a resident (told on the phone, on a home visit, seen on a
grid patrol, raised at a residents' meeting) at a place they pick step by step, or at the door
whose code they scanned."""

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

from webapp import filing
from webapp.access import requires
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.people.permissions import Action
from webapp.domain.reports import categories, intake, questions
from webapp.domain.shared import photos
from webapp.domain.shared.tokens import new_submission_key, tracking_token
from webapp.staff import bp
from webapp.staff.forms import FileReportForm, PlaceForm


@bp.route("/file", methods=["GET", "POST"])
@requires(Action.FILE_FOR_RESIDENT)
def file_for_resident():
    community = current_user.organization.community
    found = PlaceForm(request.args).picked(community.id)
    if found is None:  # a code that is not an active one of this community
        abort(404)
    picked, code = found
    choices = categories.offered(community.id)
    asked = questions.questions_by_category((c.id for c in choices), community.id)
    form = FileReportForm(categories=choices)
    page = dict(picked=picked, code=code, categories=choices, questions=asked)
    if request.method == "GET":
        form.submission_key.data = new_submission_key()
        return render_file_page(form, page)
    if not picked.complete:
        return render_file_page(form, page, problem=_("Please choose the place first.")), 422
    checked = filing.check_report_form(form, asked, community.timezone)
    if not checked.ok:
        return render_file_page(form, page, checked.kept, checked.answer_errors), 422
    draft = filing.draft_of(form, checked.answers, channel=form.channel.data,
                            filed_by=current_user._get_current_object())
    secret = current_app.config["SECRET_KEY"]
    try:
        with unit_of_work():
            report, _created = intake.submit_report(
                code, draft, checked.photos,
                photos.upload_folder_for_reports(current_app.config["UPLOAD_FOLDER"]),
                building=picked.building, entrance_id=picked.entrance_id, secret=secret)
    except intake.SubmissionKeyConflict:
        form.submission_key.data = new_submission_key()
        form.submission_key.errors = [_("This form is out of date. Please send it again.")]
        return render_file_page(form, page), 422
    except DomainRefused as refused:
        return render_file_page(form, page, filing.keep_after_refusal(form, refused)), \
            refused.status
    filing.done(form)
    # Shown this once, to read out on the phone: staff pages never show it again.
    link = current_app.config["BASE_URL"].rstrip("/") + intake.tracking_path(
        tracking_token(draft.submission_key, secret))
    return render_template("staff/filed.html", report=report, link=link)


def render_file_page(form, page, kept=(), answer_errors=None, problem=None):
    context = dict(form=form, kept=list(kept), answered=request.form,
                   answer_errors=answer_errors or {}, problem=problem, **page)
    if request.htmx and request.htmx.target == "file-place":
        return render_block("staff/file.html", "place_and_form", **context)
    return render_template("staff/file.html", **context)
