"""The public board (晒单 / 红黑榜): what was reported and fixed, how fast, rated how."""

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import abort, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from webapp.access import public
from webapp.board import bp
from webapp.board.charts import charts
from webapp.board.forms import BoardQuery
from webapp.caching import kept, message_waiting, shared
from webapp.domain.consultations.tally import decided_between
from webapp.domain.reports.board import (
    BoardScope,
    board,
    board_communities,
    board_scope,
    percent,
)
from webapp.domain.reports.ranking import MIN_SAMPLE, PRIOR_WEIGHT, rank
from webapp.domain.reports.trend import month_bounds
from webapp.domain.shared.months import months_back
from webapp.extensions import db
from webapp.i18n import current_language, show_times_of
from webapp.models import Community, Compound


def current_month(timezone: str) -> str:
    return datetime.now(ZoneInfo(timezone)).strftime("%Y-%m")


def render_board(scope: BoardScope, month: str, this_month: str) -> str:
    community = db.session.get(Community, scope.community_id)
    show_times_of(community)
    compound = db.session.get(Compound, scope.compound_id) if scope.compound_id else None
    figures = board(community.id, month, community.timezone, scope.compound_id)
    return render_template(
        "board/board.html", community=community, compound=compound, board=figures,
        org_ranking=rank(figures.by_org, figures.total),
        compound_ranking=None if compound else rank(figures.by_compound, figures.total),
        months=months_back(this_month, 12)[::-1], this_month=this_month,
        compounds=community.compounds, communities=board_communities(),
        charts=charts(figures.trend, percent),
        ranking_rules={"k": PRIOR_WEIGHT, "n": MIN_SAMPLE},
        decided_consultations=decided_between(
            community.id, *month_bounds(month, community.timezone), scope.compound_id))


bp.add_app_template_filter(percent, "percent")


@bp.app_template_filter("month_label")
def month_label(month: str, skeleton: str = "yMMMM") -> str:
    """'2026-11' → 2026年11月 / November 2026 (skeleton "MMM": 11月 / Nov)."""
    year, mon = (int(x) for x in month.split("-"))
    return format_skeleton(skeleton, date(year, mon, 1), locale=get_locale())


def board_page(scope: BoardScope | None, query: BoardQuery):
    """The board is public and the same for every visitor of a URL and language, so it is
    rendered once per what it shows: its community or compound, month and language, the
    data's version (a change shows at once) and the minute (reports fall late as time
    passes, with no event). A logged-in user, or a visitor with a message waiting, gets a
    page of their own."""
    if scope is None:
        abort(404)
    this_month = current_month(scope.timezone)
    month = query.month_or(this_month)
    if current_user.is_authenticated or message_waiting():
        return render_board(scope, month, this_month)
    config = current_app.config
    key = (scope, month, this_month, current_language(),
           int(time.time() // config["BOARD_CLOCK_SECONDS"]))
    return kept("board_cache", key, lambda: render_board(scope, month, this_month),
                config["BOARD_CACHE_SIZE"]).response()


@bp.get("/", strict_slashes=False)
@public
@shared
def index():
    query = BoardQuery.of(request.args)
    return board_page(board_scope(code=query.community), query)


@bp.get("/<int:compound_id>")
@public
@shared
def compound(compound_id):
    return board_page(board_scope(compound_id=compound_id), BoardQuery.of(request.args))
