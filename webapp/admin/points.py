"""Admin pages for volunteers' points: balances, manual awards and corrections, redemption
requests, and the rewards on offer."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community, in_my_community_or_404, requires
from webapp.admin import bp
from webapp.admin.forms import AdjustPointsForm, ReasonForm, RewardForm
from webapp.domain.people.permissions import Action
from webapp.domain.services import attendance_sheet, ledger, rewards
from webapp.models import Redemption, User
from webapp.models.types import utcnow


def community_id() -> int:
    return current_user.organization.community_id


def render_points(problem=None, status=200):
    volunteers = rewards.volunteers_of(community_id())
    return render_template("admin/points.html", volunteers=volunteers,
                           balances=rewards.balances(volunteers),
                           no_shows=attendance_sheet.no_shows(community_id(), utcnow()),
                           requests=rewards.open_requests(community_id()),
                           rewards=rewards.rewards_of(community_id()), problem=problem,
                           draft=request.form), status


@bp.get("/points")
@requires(Action.MANAGE_POINTS)
def points():
    return render_points()


@bp.post("/points/adjust")
@requires(Action.MANAGE_POINTS)
@refusals.answered_by(render_points)
def adjust_points():
    form = AdjustPointsForm()
    ledger.adjust(in_my_community(User, form.volunteer.data), form.points.data,
                  form.reason.data, current_user)
    flash(_("Points recorded."), "success")
    return redirect(url_for("admin.points"), code=303)


@bp.post("/redemptions/<int:redemption_id>/<decision>")
@requires(Action.MANAGE_POINTS)
@refusals.answered_by(render_points)
def decide_redemption(redemption_id, decision):
    redemption = in_my_community_or_404(Redemption, redemption_id)
    if decision == "approve":
        ledger.approve(redemption, current_user)
    elif decision == "reject":
        ledger.reject(redemption, current_user, ReasonForm().note.data)
    else:
        abort(404)
    flash(_("Decision recorded."), "success")
    return redirect(url_for("admin.points"), code=303)


@bp.post("/rewards")
@requires(Action.MANAGE_POINTS)
@refusals.answered_by(render_points)
def add_reward():
    rewards.add_reward(community_id(), RewardForm().draft())
    flash(_("Reward added."), "success")
    return redirect(url_for("admin.points"), code=303)
