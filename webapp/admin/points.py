"""Admin pages for volunteers' points: balances, manual awards and corrections, redemption
requests, the rewards on offer, and the history of requests and movements with reversals."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community, in_my_community_or_404, requires
from webapp.admin import bp, confirm
from webapp.admin.forms import AdjustPointsForm, PointsHistoryForm, ReasonForm, RewardForm
from webapp.domain.people.permissions import Action
from webapp.domain.services import attendance_sheet, ledger, rewards
from webapp.models import Redemption, Transfer, User
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


def last_months(count: int = 12) -> list[str]:
    """This month and the ones before it, as the community's calendar has them."""
    today = format_datetime(utcnow(), "yyyy-MM")
    year, month = (int(part) for part in today.split("-"))
    months = []
    for _step in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def render_history(problem=None, status=200):
    form = PointsHistoryForm(request.args)
    community = current_user.organization.community
    chosen = in_my_community(User, form.volunteer.data)
    volunteers = rewards.volunteers_of(community.id)
    return render_template(
        "admin/points_history.html", volunteers=volunteers, chosen=chosen,
        month=form.month.data or "", months=last_months(), problem=problem,
        names={v.id: v.display_name for v in volunteers},
        history=rewards.history(community.id, community.timezone,
                                chosen.id if chosen else None, form.month.data)), status


@bp.get("/points/history")
@requires(Action.MANAGE_POINTS)
def points_history():
    return render_history()


@bp.post("/transfers/<int:transfer_id>/reverse")
@requires(Action.MANAGE_POINTS)
@refusals.answered_by(render_history)
def reverse_transfer(transfer_id):
    """Asks first (naming the movement), then reverses it with the reason."""
    transfer = in_my_community_or_404(Transfer, transfer_id)
    reason = ledger.check_reversal(transfer, ReasonForm().reason.data)
    if not confirm.confirmed():
        entry = next(e for e in transfer.entries if e.account.user is not None)
        return confirm.ask(
            _("Reverse this movement?"),
            [(_("Volunteer"), entry.account.user.display_name),
             (_("Movement"), f"{transfer.reason} · {entry.amount:+d}"),
             (_("Date"), format_datetime(transfer.created_at, "yyyy-MM-dd HH:mm")),
             (_("Reason"), reason)],
            _("A new line takes the points back; both lines stay in the passbook. A reversal "
              "cannot itself be reversed."),
            _("Yes, reverse it"), url_for("admin.points_history"))
    ledger.reverse(transfer, reason, current_user)
    flash(_("Reversed. Both lines show in the volunteer's passbook."), "success")
    return redirect(url_for("admin.points_history", volunteer=transfer.volunteer_id), code=303)
