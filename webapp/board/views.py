"""The public board (晒单 / 红黑榜): what was reported and fixed, how fast, rated how."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, render_template, request

from webapp.access import public
from webapp.board import bp
from webapp.board.forms import BoardForm
from webapp.domain.places.lookup import communities, compound_by_id
from webapp.domain.reports.board import board, ranking
from webapp.models import Community, Compound


def current_month(timezone: str) -> str:
    return datetime.now(ZoneInfo(timezone)).strftime("%Y-%m")


def previous_months(month: str, count: int = 6) -> list[str]:
    year, mon = (int(x) for x in month.split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return months


def render_board(community: Community, compound: Compound | None):
    this_month = current_month(community.timezone)
    month = BoardForm(request.args).month_or(this_month)
    figures = board(community.id, month, community.timezone,
                    compound.id if compound else None)
    return render_template(
        "board/board.html", community=community, compound=compound, board=figures,
        ranking=ranking(figures.by_org), months=previous_months(this_month),
        compounds=community.compounds)


@bp.get("/", strict_slashes=False)
@public
def index():
    every = communities()
    code = BoardForm(request.args).community.data
    community = next((c for c in every if c.code == code), None) or \
        (every[0] if every else None)
    if community is None:
        abort(404)
    return render_board(community, None)


@bp.get("/<int:compound_id>")
@public
def compound(compound_id):
    place = compound_by_id(compound_id)
    if place is None:
        abort(404)
    return render_board(place.community, place)
