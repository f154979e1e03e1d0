"""Staff pages: the dispatcher's queue and report page, the handler's jobs, call-backs, export."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

import qr_sheets
from webapp.access import in_my_community, in_my_community_or_404, requires
from webapp.domain import unit_of_work
from webapp.domain.notify import bell
from webapp.domain.people import api_clients
from webapp.domain.people.permissions import Action, can
from webapp.domain.places import printing
from webapp.domain.places.lookup import active_code, compounds_of
from webapp.domain.reports import (
    categories,
    category_settings,
    dispatch,
    duplicates,
    following,
    labels,
    questions,
    queue,
    routing,
    sla,
    steps,
    timeline,
    transitions,
)
from webapp.domain.reports.export import export_rows
from webapp.domain.shared import spreadsheet
from webapp.i18n import current_language
from webapp.inputs import whole_number
from webapp.models import Organization, OrgKind, Report, ReportStatus
from webapp.models.types import utcnow
from webapp.refusals import answered_by
from webapp.responses import report_photo
from webapp.staff import bp
from webapp.staff.actions import ACTIONS, TITLES
from webapp.staff.forms import ActionForm, QueueForm, print_choice


@bp.get("/")
@requires(Action.STAFF_HOME)
def home():
    if can(current_user, Action.VIEW_QUEUE):
        return redirect(url_for("staff.queue"))
    if can(current_user, Action.MY_JOBS):
        return redirect(url_for("staff.jobs"))
    if can(current_user, Action.VOLUNTEER):
        return redirect(url_for("volunteer.home"))
    if can(current_user, Action.VIEW_DISTRICT):
        return redirect(url_for("district.index"))
    return render_template("staff/home.html")


@bp.get("/queue", endpoint="queue")
@requires(Action.VIEW_QUEUE)
def queue_view():
    form = QueueForm(request.args)
    f = form.filter()
    page = queue.queue_page(f, current_user, utcnow(), form.seen.data)
    context = dict(
        f=f, page=page, now=utcnow(), clock=sla.report_state, tabs=queue.TABS,
        compounds=compounds_of(current_user.organization.community_id),
        categories=categories.for_queue(current_user.organization.community_id),
        statuses=list(ReportStatus),
        seen=form.seen.data or page.newest_id,
        waiting=queue.waiting_count(current_user.organization.community_id),
    )
    if request.htmx and not request.htmx.boosted:
        return render_block("staff/queue.html", "queue_rows", **context)
    return render_template("staff/queue.html", **context)


def staff_report(report_id: int) -> Report:
    report = in_my_community_or_404(Report, report_id)
    if not can(current_user, Action.VIEW_REPORT, report):
        abort(403)
    return report


def render_report(report, problem=None, status=200, failed_action=None):
    """The report page; after a refused action, what was typed into its form is kept."""
    community_id = report.community_id

    def typed(action, field):
        return request.form.get(field, "") if action == failed_action else ""

    orgs = routing.organizations(community_id)
    teams = [o for o in orgs if o.kind != OrgKind.DEPARTMENT]
    departments = [o for o in orgs if o.kind == OrgKind.DEPARTMENT]
    open311 = api_clients.client_request(report.id) if report.channel == "open311" else None
    allowed = transitions.allowed_actions(report, current_user)
    if not departments:
        allowed.discard(Action.ESCALATE)
    if not (report.photos or (open311 and open311.media_url)):
        allowed.discard(Action.PUBLISH_PHOTOS)
    step = steps.next_step(report, current_user, allowed)
    suggested = routing.suggested_org(report)
    chosen_org = routing.organization(whole_number(typed("assign", "org"))) or suggested
    return render_template(
        "staff/report.html",
        report=report, now=utcnow(), problem=problem, typed=typed, failed_action=failed_action,
        allowed=allowed, followers=following.followers_count(report),
        duplicates=duplicates.likely_duplicates(report) if Action.MERGE in allowed else [],
        next_step=step, titles=TITLES, more_actions=[a for a in TITLES if a in allowed - {step}],
        back_url=url_for("staff.queue") if can(current_user, Action.VIEW_QUEUE)
        else url_for("staff.jobs"),
        back_label=_("Queue") if can(current_user, Action.VIEW_QUEUE) else _("My jobs"),
        suggested=suggested, chosen_org=chosen_org, orgs=teams, departments=departments,
        people_by_org=routing.people_by_organization(teams, first=chosen_org),
        canned=category_settings.canned_replies(community_id, report.category_id),
        milestones=report.milestones, clock_state=sla.state, priorities=labels.PRIORITIES,
        answers=questions.answers_of(report.id), answer_text=questions.display_value,
        open311=open311,
    ), status


@bp.get("/assign/people")
@requires(Action.ASSIGN)
def assign_people():
    """The person picker of the chosen organisation alone (htmx, when the organisation
    changes on the report page)."""
    org = in_my_community(Organization, whole_number(request.args.get("org")))
    return render_template("staff/_assign_people.html", typed=lambda *_: "",
                           people_by_org=routing.people_by_organization([org] if org else []))


@bp.get("/reports/<int:report_id>")
@requires(Action.VIEW_REPORT)
def report(report_id):
    report = staff_report(report_id)
    page = render_report(report)
    with unit_of_work():  # seen: what the bell says of it is now read
        bell.mark_report_read(current_user, report.id)
    return page


def render_refused(message, status):
    """The report page again after a refused button, with the report as it is now."""
    args = request.view_args
    return render_report(staff_report(args["report_id"]), message, status, args["action"])


@bp.post("/reports/<int:report_id>/<action>")
@requires(Action.VIEW_REPORT)
@answered_by(render_refused, stale=transitions.CHANGED_AT_THE_SAME_MOMENT)
def act(report_id, action):
    report = staff_report(report_id)
    try:
        make_form, handler = ACTIONS[Action(action)]
    except (ValueError, KeyError):
        abort(404)
    form = make_form()
    handler(report, form)
    flash(_("Saved."), "success")
    if form.back.data == "jobs":
        return redirect(url_for("staff.jobs"), code=303)
    return redirect(url_for("staff.report", report_id=report.id), code=303)


def render_merge_refused(message, status):
    return render_report(staff_report(request.view_args["report_id"]), message, status)


@bp.post("/reports/<int:report_id>/duplicates/<int:other_id>/<direction>")
@requires(Action.MERGE)
@answered_by(render_merge_refused, stale=transitions.CHANGED_AT_THE_SAME_MOMENT)
def merge_suggested(report_id, other_id, direction):
    """One click on a suggested duplicate: merge it into this report ("into-this"), or this
    report into it ("into-other"). The version is that of the report that closes."""
    report, other = staff_report(report_id), staff_report(other_id)
    if direction not in ("into-this", "into-other"):
        abort(404)
    closing, carrying = (other, report) if direction == "into-this" else (report, other)
    form = ActionForm()
    dispatch.merge_duplicate(closing, current_user, carrying, version=form.version.data)
    flash(_("Merged: %(number)s is a duplicate of %(original)s.", number=closing.number,
            original=carrying.number), "success")
    return redirect(url_for("staff.report", report_id=report.id), code=303)


@bp.get("/reports/<int:report_id>/photos/<int:photo_id>.jpg")
@requires(Action.VIEW_REPORT)
def photo(report_id, photo_id):
    return report_photo(staff_report(report_id), photo_id, max_age=3600)


@bp.get("/jobs")
@requires(Action.MY_JOBS)
def jobs():
    jobs = queue.handler_jobs(current_user)
    context = dict(jobs=jobs, new_jobs=bell.unread_jobs(current_user), now=utcnow(),
                   clock=sla.report_state,
                   notes=timeline.latest_notes_for(current_user, [r.id for r in jobs]),
                   next_steps={r.id: steps.next_step(
                       r, current_user, transitions.allowed_actions(r, current_user))
                       for r in jobs},
                   may_call=lambda r: can(current_user, Action.VIEW_REPORT, r),
                   titles=TITLES, typed=lambda *_: "", back="jobs")
    if request.htmx and not request.htmx.boosted:
        return render_block("staff/jobs.html", "job_list", **context)
    return render_template("staff/jobs.html", **context)


@bp.get("/arrive/<token>")
@requires(Action.MY_JOBS)
def arrive_by_scan(token):
    """A handler scanned a door code: offer to stamp arrival on their accepted jobs there.
    Arrival is one tap here, not the scan itself: a GET must not change a report."""
    code = active_code(token)
    if code is None:
        abort(404)
    jobs = queue.jobs_at_place(current_user, code.building_id, code.entrance_id)
    return render_template("staff/arrive.html", code=code, jobs=jobs)


@bp.get("/callbacks")
@requires(Action.CALLBACK)
def callbacks():
    return render_template("staff/callbacks.html", reports=queue.callback_list(current_user))


@bp.get("/export.csv")
@requires(Action.EXPORT)
def export():
    f = QueueForm(request.args).filter()
    rows = export_rows(f, current_user, utcnow(), current_language())
    return Response(spreadsheet.csv_text(rows), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=mashang-reports.csv"})


@bp.get("/print")
@requires(Action.PRINT_CODES)
def print_codes():
    """Choose a compound, buildings, posters or labels → download the PDF."""
    args = request.args
    compounds = compounds_of(current_user.organization.community_id)
    chosen = next((c for c in compounds if str(c.id) == args.get("compound")), None)
    context = dict(compounds=compounds, compound=chosen, args=args, presets=qr_sheets.PRESETS,
                   chosen_buildings=set(args.getlist("buildings")))
    if not args.get("download"):
        return render_template("staff/print.html", **context)
    try:
        with unit_of_work():  # records when its codes were printed
            pdf, name = printing.render_for_form(chosen, print_choice(args),
                                                 current_app.config["BASE_URL"],
                                                 current_app.config.get("QR_FONT"))
    except printing.PrintError as error:
        return render_template("staff/print.html", problem=str(error), **context), 422
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename={name}"})


@bp.get("/codes/<token>.<fmt>")
@requires(Action.PRINT_CODES)
def code_image(token, fmt):
    code = active_code(token)
    if code is None or fmt not in ("svg", "png") or \
            code.building.compound.community_id != current_user.organization.community_id:
        abort(404)
    url = printing.scan_url(current_app.config["BASE_URL"], token)
    if fmt == "svg":
        body, mimetype = qr_sheets.qr_svg(url), "image/svg+xml"
    else:
        body, mimetype = qr_sheets.qr_png(url), "image/png"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=mashang-{token}.{fmt}"})
