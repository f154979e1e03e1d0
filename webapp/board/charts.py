"""The board's 12-month trend as small SVG charts, drawn on the server: no script, no third
party, no style attribute (the CSP refuses them; colours come from classes in app.css).
Only where things go; the figures are the trend's (domain/reports/trend.py)."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.domain.reports.trend import Month

WIDTH, HEIGHT = 360, 150
LEFT, RIGHT, TOP, BOTTOM = 30, 4, 10, 20  # room for the scale and the months


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    percent: int


@dataclass(frozen=True)
class Charts:
    width: int
    height: int
    left: float
    bottom: float  # y of the baseline
    top: float
    months: list[tuple[float, str]]   # (x of the label's middle, "2026-11")
    most: int                         # the count at the top of the first chart
    received: list[Bar]
    resolved: list[Bar]
    points: list[Point]
    lines: list[str]                  # polyline points of months in a row with a share


def _y(fraction: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - fraction), 1)


def charts(trend: list[Month], percent) -> Charts:
    """`percent`: how a share becomes whole percent (board.percent, never rounded up to
    100)."""
    slot = (WIDTH - LEFT - RIGHT) / max(len(trend), 1)
    bar = (slot - 6) / 2
    most = max([m.received for m in trend] + [m.resolved for m in trend] + [1])
    baseline = _y(0)
    received, resolved, points, lines, run = [], [], [], [], []
    months = []
    for i, month in enumerate(trend):
        x = LEFT + i * slot
        months.append((round(x + slot / 2, 1), month.month))
        for bars, value, offset in ((received, month.received, 3),
                                    (resolved, month.resolved, 3 + bar)):
            top = _y(value / most)
            bars.append(Bar(round(x + offset, 1), top, round(bar, 1),
                            round(baseline - top, 1), value))
        share = percent(month.on_time_share)
        if share is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            continue
        point = Point(round(x + slot / 2, 1), _y(share / 100), share)
        points.append(point)
        run.append(f"{point.x},{point.y}")
    if len(run) > 1:
        lines.append(" ".join(run))
    return Charts(WIDTH, HEIGHT, LEFT, baseline, TOP, months, most, received, resolved,
                  points, lines)
