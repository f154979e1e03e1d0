"""Resident pages: scan page, report form, tracking page. No account; the QR token names the
place and the tracking token is the resident's private key to their report."""

from functools import partial

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

from webapp import filing, ratelimits
from webapp.access import public
from webapp.caching import Rendered, kept, message_waiting, shared
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.consultations import tally as consultation_tally
from webapp.domain.people.permissions import Action, can
from webapp.domain.places.lookup import (
    active_code,
    find_scan_place,
    sole_community,
)
from webapp.domain.reports import (
    categories,
    following,
    intake,
    questions,
    queue,
    timeline,
    transitions,
)
from webapp.domain.services import attendance, care_visits
from webapp.domain.shared import photos
from webapp.domain.shared.tokens import new_submission_key, tracking_token
from webapp.i18n import current_language, show_times_of
from webapp.models import Report
from webapp.models.types import utcnow
from webapp.refusals import answered_by
from webapp.resident import bp
from webapp.resident.forms import (
    AddInfoForm,
    FollowForm,
    NotFixedForm,
    PollForm,
    RateForm,
    ReportForm,
)
from webapp.responses import report_photo, see_other


@bp.get("/")
@public
@shared
def index():
    return render_template("resident/index.html")


@bp.get("/q/<token>")
@public
@shared
def scan(token):
    place = find_scan_place(token)
    if place is None:
        return unknown_code()
    if place.revoked:
        return render_template("errors/code_replaced.html", place=place), 410
    if current_user.is_authenticated and can(current_user, Action.MY_JOBS):
        # Staff scanning the door of a job they accepted: offer to stamp arrival.
        code = active_code(token)
        if queue.jobs_at_place(current_user, code.building_id, code.entrance_id):
            return redirect(url_for("staff.arrive_by_scan", token=token))
    if current_user.is_authenticated and can(current_user, Action.VOLUNTEER) and \
            volunteer_due_here(token):
        return redirect(url_for("volunteer.door", token=token))
    return scan_page(place, files_here(token)).response()


def volunteer_due_here(token) -> bool:
    """A volunteer with a home service or a care visit at this door today: offer check-in."""
    code, now = active_code(token), utcnow()
    return bool(attendance.bookings_at_door(current_user, code, now)
                or care_visits.visits_at_door(current_user, code, now))


def files_here(token) -> bool:
    """A staff member who may file reports for this door's residents (代居民登记)."""
    if not (current_user.is_authenticated and can(current_user, Action.FILE_FOR_RESIDENT)):
        return False
    code = active_code(token)
    return code.building.compound.community_id == current_user.organization.community_id


def scan_page(place, file_for_resident=False) -> Rendered:
    """The scan page is public and the same for every visitor of a code and language: it is
    rendered once per (place, language), and once more for staff who may file reports for
    residents there (it then offers to). The key is the place's own data and its
    consultations' tallies, so any change to either renders it afresh."""
    # 一事一议 open here: its tally is part of the key, which every vote moves on.
    decisions = consultation_tally.door_key(place.token, utcnow())

    def render():
        return render_template("resident/scan.html", place=place,
                               file_for_resident=file_for_resident,
                               consultations=consultation_tally.for_door(decisions),
                               now=utcnow())
    if message_waiting():  # this visitor's own page
        return Rendered.of(render())
    return kept("scan_page_cache", (place, current_language(), file_for_resident, decisions),
                render, current_app.config["SCAN_PAGE_CACHE_SIZE"])


def unknown_code():
    return render_template("errors/not_found.html", community=sole_community()), 404


def report_folder():
    return photos.upload_folder_for_reports(current_app.config["UPLOAD_FOLDER"])


def render_unusable_code(token):
    """The page for a code that is not active: replaced (410) or unknown (404)."""
    place = find_scan_place(token)
    if place is not None:
        return render_template("errors/code_replaced.html", place=place), 410
    return unknown_code()


@bp.route("/q/<token>/report", methods=["GET", "POST"])
@public
@ratelimits.submission
def new_report(token):
    qr = active_code(token)
    if qr is None:
        return render_unusable_code(token)
    choices = categories.offered(qr.building.compound.community_id)
    form = ReportForm(categories=choices)
    asked = questions.questions_by_category((c.id for c in choices),
                                            qr.building.compound.community_id)
    if request.method == "GET":
        form.submission_key.data = new_submission_key()
        return render_template("resident/report_form.html", form=form, qr=qr,
                               categories=choices, kept=[], questions=asked, answered={},
                               answer_errors={}, **door_reports(qr))
    return file_report(qr, form, choices, asked)


def door_reports(qr, failed: FollowForm | None = None, failed_id: int | None = None,
                 problem: str | None = None) -> dict:
    """The open reports of this door a resident may follow (我也遇到了), each with its form;
    after a refused follow, that one's form as it was sent, with the reason."""
    reports = following.open_at_door(qr)
    forms = {}
    for report in reports:
        if report.id == failed_id:
            forms[report.id] = failed
            continue
        forms[report.id] = FollowForm(prefix=f"f{report.id}", formdata=None)
        forms[report.id].submission_key.data = new_submission_key()
    return dict(neighbours=reports, follow_forms=forms, follow_problem=problem,
                failed_id=failed_id, excerpt=following.excerpt, now=utcnow())


def file_report(qr, form, choices, asked):
    """Check the form and the chosen category's questions together (every problem shows);
    file the report, or show the form again keeping the photos that were fine."""
    checked = filing.check_report_form(form, asked, qr.building.compound.community.timezone)
    if not checked.ok:
        return render_report_form(form, qr, choices, checked.kept, asked,
                                  checked.answer_errors), 422
    return submit(qr, form, checked.answers, checked.photos, choices, asked)


def submit(qr, form, answers, photos, choices, asked):
    key = form.submission_key.data
    draft = filing.draft_of(form, answers)
    try:
        with unit_of_work():
            _report, created = intake.submit_report(
                qr, draft, photos, report_folder(), secret=current_app.config["SECRET_KEY"])
    except intake.SubmissionKeyConflict:
        form.submission_key.data = new_submission_key()
        form.submission_key.errors = [_("This form is out of date. Please send it again.")]
        return render_report_form(form, qr, choices, [], asked, {}), 422
    except DomainRefused as refused:  # a rule the form did not check first: say it there
        return render_report_form(form, qr, choices, filing.keep_after_refusal(form, refused),
                                  asked, {}), refused.status
    filing.done(form)
    if created:
        flash(_("Thank you. Your report has been received."), "success")
    return see_other(url_for("resident.tracking", tracking=tracking_token(
        key, current_app.config["SECRET_KEY"])))


def render_report_form(form, qr, choices, kept_names, asked, answer_errors):
    context = dict(form=form, qr=qr, categories=choices, kept=kept_names, questions=asked,
                   answered=request.form, answer_errors=answer_errors, **door_reports(qr))
    if request.htmx:
        return render_block("resident/report_form.html", "report_form", **context)
    return render_template("resident/report_form.html", **context)


def report_for(tracking) -> Report:
    report = intake.find_by_tracking_link(tracking)
    if report is None:
        abort(404)
    show_times_of(report.community)
    return report


@bp.get("/t/<tracking>")
@public
@ratelimits.link_lookup
def tracking(tracking):
    report = report_for(tracking)
    version = PollForm(request.args).v.data
    if request.htmx and version is not None:
        if version == live_version(report):
            return "", 204
        return render_tracking(report, tracking, block="live")
    return render_tracking(report, tracking)


def live_version(report) -> int:
    """Changes whenever the report, or the report its work was merged into, changes: both
    versions only ever grow, so their sum does too."""
    target = timeline.carried_by(report)
    return report.version + (target.version if target is not None else 0)


def render_tracking(report, tracking, *, info_form=None, rate_form=None, not_fixed_form=None,
                    problem=None, status=200, block=None):
    path = url_for("resident.tracking", tracking=tracking)
    carried_by = timeline.carried_by(report)
    render = partial(render_block, "resident/tracking.html", block) if block else \
        partial(render_template, "resident/tracking.html")
    response = make_response(
        render(
            report=report,
            tracking=tracking,
            events=timeline.public_events(report),
            live_version=live_version(report),
            carried_by=carried_by,
            carried_progress=timeline.shared_progress(carried_by) if carried_by else [],
            consultations=consultation_tally.of_report(report.id),
            info_form=info_form or AddInfoForm(),
            rate_form=rate_form or RateForm(),
            not_fixed_form=not_fixed_form or NotFixedForm(),
            page_path=path,
            tracking_url=url_for("resident.tracking", tracking=tracking, _external=True),
            problem=problem,
        ),
        status,
    )
    # Personal data: never kept by a shared cache, and not sent on as a referrer.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# What each step's page keeps of the form that was sent, when the step is refused.
STEP_FORMS = {"resident.add_info": ("info_form", AddInfoForm),
              "resident.confirm": ("rate_form", RateForm),
              "resident.not_fixed": ("not_fixed_form", NotFixedForm)}


def render_step_refused(message, status):
    """The tracking page, with the reason, when the report's state does not allow a step
    (a stale page or a second tab) or someone changed it at the same moment."""
    tracking = request.view_args["tracking"]
    name, form = STEP_FORMS[request.endpoint]
    return render_tracking(report_for(tracking), tracking, problem=message, status=status,
                           **{name: form()})


step_answered = answered_by(render_step_refused, stale=transitions.CHANGED_AT_THE_SAME_MOMENT)


@bp.post("/t/<tracking>/info")
@public
@ratelimits.link_change
@step_answered
def add_info(tracking):
    report = report_for(tracking)
    transitions.check_resident_step(report, transitions.ResidentStep.ADD_INFORMATION)
    form = AddInfoForm()
    if not form.validate():
        return render_tracking(report, tracking, info_form=form, status=422)
    transitions.add_information(report, form.note.data, form.processed_photos, report_folder())
    flash(_("Added to your report."), "success")
    return see_other(url_for("resident.tracking", tracking=tracking))


@bp.post("/t/<tracking>/confirm")
@public
@ratelimits.link_change
@step_answered
def confirm(tracking):
    report = report_for(tracking)
    transitions.check_resident_step(report, transitions.ResidentStep.CONFIRM)
    form = RateForm()
    if not form.validate():
        return render_tracking(report, tracking, rate_form=form, status=422)
    transitions.confirm_fixed(report, int(form.rating.data), form.comment.data)
    flash(_("Thank you for your rating."), "success")
    return see_other(url_for("resident.tracking", tracking=tracking))


@bp.post("/t/<tracking>/not-fixed")
@public
@ratelimits.link_change
@step_answered
def not_fixed(tracking):
    report = report_for(tracking)
    transitions.check_resident_step(report, transitions.ResidentStep.NOT_FIXED)
    form = NotFixedForm()
    if not form.validate():
        return render_tracking(report, tracking, not_fixed_form=form, status=422)
    transitions.report_not_fixed(report, form.reason.data)
    flash(_("We have reopened your report."), "success")
    return see_other(url_for("resident.tracking", tracking=tracking))


@bp.get("/t/<tracking>/photos/<int:photo_id>.jpg")
@public
def photo(tracking, photo_id):
    return report_photo(report_for(tracking), photo_id, max_age=86400)
