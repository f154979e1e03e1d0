"""The public board (晒单 / 红黑榜): what was reported and fixed, how fast, rated how."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, render_template, request
from sqlalchemy import select

from webapp.access import public
from webapp.board import bp
from webapp.domain.reporting import board, ranking
from webapp.extensions import db
from webapp.models import Community, Compound

MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


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
    month = request.args.get("month", "")
    month = month if MONTH.match(month) else this_month
    figures = board(community.id, month, community.timezone,
                    compound.id if compound else None)
    return render_template(
        "board/board.html", community=community, compound=compound, board=figures,
        ranking=ranking(figures.by_org), months=previous_months(this_month),
        compounds=community.compounds)


@bp.get("/", strict_slashes=False)
@public
def index():
    communities = db.session.scalars(select(Community).order_by(Community.id)).all()
    code = request.args.get("community")
    community = next((c for c in communities if c.code == code), None) or \
        (communities[0] if communities else None)
    if community is None:
        abort(404)
    return render_board(community, None)


@bp.get("/<int:compound_id>")
@public
def compound(compound_id):
    place = db.session.get(Compound, compound_id)
    if place is None:
        abort(404)
    return render_board(place.community, place)
