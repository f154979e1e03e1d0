"""The trend's months: named by their local calendar, across a year's end, and bounded in
the community's zone (a report at 23:30 UTC on the 31st is next month's in Shanghai). The
counts themselves: test_board.py::test_the_trend_from_the_rollup_matches_the_reports."""

from datetime import UTC, datetime

from webapp.domain.reports.trend import Month, month_bounds


def test_a_months_bounds_are_local_midnights():
    start, end = month_bounds("2026-12", "Asia/Shanghai")
    assert start.astimezone(UTC) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_on_time_counts_late_open_reports_and_is_none_without_any():
    assert Month("2026-11").on_time_share is None
    assert Month("2026-11", resolved=5, on_time=5, late_open=5).on_time_share == 0.5
