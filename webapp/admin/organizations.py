"""Admin page "Organisations · group robots": the community's property companies, grid teams
and departments — added, renamed, re-phoned, retired and brought back — and each one's WeCom
or DingTalk robot, with a button that posts a test message to it at once."""

from time import time

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community_or_404, requires
from webapp.admin import bp
from webapp.admin.forms import OrganizationForm, RobotForm
from webapp.channels import DeliveryFailed, Outgoing
from webapp.channels import robots as robot_channel
from webapp.domain import unit_of_work
from webapp.domain.people import organizations as orgs
from webapp.domain.people import robots
from webapp.domain.people.permissions import Action
from webapp.models import Organization


def render_organizations(problem=None, status=200, draft_for=None, busy=None):
    """`draft_for`: the id of the organisation whose typed values come back after a refusal
    ("new" for the form that adds one); `busy`: an organisation whose open jobs to list."""
    community_id = current_user.organization.community_id
    response = make_response(render_template(
        "admin/organizations.html", orgs=orgs.organizations_of(community_id),
        kinds=robots.KIND_LABELS, org_kinds=orgs.KIND_LABELS, addable=orgs.ADDABLE,
        masked=robots.masked_secret, problem=problem, draft_for=draft_for, draft=request.form,
        busy=busy, busy_jobs=orgs.open_job_list(busy) if busy else []), status)
    response.headers["Cache-Control"] = "private, no-store"  # webhooks are credentials
    return response


def refused(problem, status):
    org_id = request.view_args.get("org_id")
    return render_organizations(problem, status,
                                draft_for=f"org-{org_id}" if org_id else "new")


@bp.post("/organizations")
@requires(Action.MANAGE_ORGANIZATIONS)
@refusals.answered_by(refused)
def add_organization():
    form = OrganizationForm()
    org = orgs.add(current_user.organization.community, form.kind.data, form.name.data,
                   form.phone.data)
    flash(_("%(name)s added.", name=org.name), "success")
    return redirect(url_for("admin.organizations", _anchor=f"org-{org.id}"), code=303)


@bp.post("/organizations/<int:org_id>")
@requires(Action.MANAGE_ORGANIZATIONS)
@refusals.answered_by(refused)
def change_organization(org_id):
    org = in_my_community_or_404(Organization, org_id)
    form = OrganizationForm()
    orgs.change(org, form.name.data, form.phone.data)
    flash(_("%(name)s saved.", name=org.name), "success")
    return redirect(url_for("admin.organizations", _anchor=f"org-{org.id}"), code=303)


@bp.post("/organizations/<int:org_id>/retire")
@requires(Action.MANAGE_ORGANIZATIONS)
def retire_organization(org_id):
    org = in_my_community_or_404(Organization, org_id)
    try:
        with unit_of_work():
            orgs.retire(org)
            routed = len(orgs.compounds_routed_to(org))
    except orgs.OrganizationRefused as refusal:
        return render_organizations(str(refusal), refusal.status, busy=org)
    flash(_("%(name)s is retired: it stays on its old reports and is offered nowhere new.",
            name=org.name) + (" " + _("%(n)d compounds were routed to it: choose another on "
                                      "the routing page.", n=routed) if routed else ""),
          "success")
    return redirect(url_for("admin.organizations", _anchor=f"org-{org.id}"), code=303)


@bp.post("/organizations/<int:org_id>/bring-back")
@requires(Action.MANAGE_ORGANIZATIONS)
def bring_back_organization(org_id):
    org = in_my_community_or_404(Organization, org_id)
    with unit_of_work():
        orgs.bring_back(org)
    flash(_("%(name)s is back: it can be chosen again.", name=org.name), "success")
    return redirect(url_for("admin.organizations", _anchor=f"org-{org.id}"), code=303)


@bp.get("/organizations")
@requires(Action.MANAGE_ORGANIZATIONS)
def organizations():
    return render_organizations()


def robot_refused(problem, status):
    return render_organizations(problem, status, draft_for=request.view_args.get("org_id"))


@bp.post("/organizations/<int:org_id>/robot")
@requires(Action.MANAGE_ORGANIZATIONS)
@refusals.answered_by(robot_refused)
def save_robot(org_id):
    org = in_my_community_or_404(Organization, org_id)
    form = RobotForm()
    if form.kind.data:
        robots.set_robot(org, form.kind.data, form.webhook.data, form.secret.data,
                         configured_hosts=current_app.config.get("ROBOT_HOSTS"))
        flash(_("Robot saved for %(name)s.", name=org.name), "success")
    else:
        robots.clear_robot(org)
        flash(_("%(name)s no longer posts to a group robot.", name=org.name), "success")
    return redirect(url_for("admin.organizations", _anchor=f"org-{org.id}"), code=303)


@bp.post("/organizations/<int:org_id>/robot/test")
@requires(Action.MANAGE_ORGANIZATIONS)
def test_robot(org_id):
    """The one message sent while the admin waits (ROBOT_TEST_TIMEOUT): the answer of the
    provider is what they need to see."""
    org = in_my_community_or_404(Organization, org_id)
    address = robots.address_for(org)
    if address is None:
        return render_organizations(_("Save a robot for %(name)s first.", name=org.name), 422)
    config = current_app.config
    message = Outgoing(
        title=_("Test message from Mashang"),
        body=_("New jobs of %(name)s, overdue ones and hand-backs will be posted to this group.",
               name=org.name),
        url=config["BASE_URL"].rstrip("/") + url_for("staff.home"),
        tag=f"robot-test:{org.id}:{int(time())}", address=address)
    try:
        robot_channel.send(message, config, timeout=config.get("ROBOT_TEST_TIMEOUT", 5))
    except DeliveryFailed as failed:
        return render_organizations(
            _("The test message did not arrive: %(reason)s", reason=failed.reason), 422,
            draft_for=None)
    flash(_("Test message sent. It should now show in the group of %(name)s.", name=org.name),
          "success")
    return redirect(url_for("admin.organizations", _anchor=f"org-{org.id}"), code=303)
