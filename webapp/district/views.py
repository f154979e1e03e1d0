"""The district overview (区 / 街道): read-only figures across communities, nothing personal."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, render_template, request
from flask_login import current_user

from webapp.access import requires
from webapp.district import bp
from webapp.district.forms import OverviewForm
from webapp.domain.district import figures
from webapp.domain.district.places import company_in, scope_of
from webapp.domain.people.permissions import Action
from webapp.models.types import utcnow

PRIVATE = {"Cache-Control": "private, no-store"}


def asked():
    """The overseer's scope and the month asked for (this month by default)."""
    form = OverviewForm(request.args)
    scope = scope_of(current_user, form.street.data)
    if scope is None:
        abort(403)
    zone = scope.communities[0].timezone if scope.communities else \
        current_app.config["DEFAULT_TIMEZONE"]
    this_month = datetime.now(ZoneInfo(zone)).strftime("%Y-%m")
    return scope, form.month_or(this_month), figures.months_back(this_month, 12)[::-1]


@bp.get("/", strict_slashes=False)
@requires(Action.VIEW_DISTRICT)
def index():
    scope, month, months = asked()
    found = figures.overview(scope.community_ids, month, utcnow())
    return render_template("district/overview.html", scope=scope, months=months,
                           overview=found, min_sample=figures.MIN_SAMPLE), 200, PRIVATE


@bp.get("/companies/<int:company_id>")
@requires(Action.VIEW_DISTRICT)
def company(company_id):
    scope, month, months = asked()
    found = company_in(company_id, scope.community_ids)
    if found is None:
        abort(404)
    figures_of = figures.overview(scope.community_ids, month, utcnow(), company_id=found.id)
    return render_template("district/company.html", scope=scope, months=months,
                           company=found, overview=figures_of), 200, PRIVATE
