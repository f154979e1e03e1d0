"""The trend's months: named by their local calendar, across a year's end, and bounded in
the community's zone (a report at 23:30 UTC on the 31st is next month's in Shanghai). The
counts themselves: test_board.py::test_the_trend_from_the_rollup_matches_the_reports."""

from datetime import UTC, date, datetime

from webapp.domain.reports.trend import Month, month_bounds, month_days, months_back


def test_a_month_runs_to_the_first_of_the_next_one_across_the_year():
    assert month_days("2026-11") == (date(2026, 11, 1), date(2026, 12, 1))
    assert month_days("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))


def test_twelve_months_back_end_with_the_month_oldest_first():
    months = months_back("2026-02", 12)
    assert months[0] == "2025-03" and months[-1] == "2026-02" and len(set(months)) == 12
    assert months_back("2026-01", 2) == ["2025-12", "2026-01"]


def test_a_months_bounds_are_local_midnights():
    start, end = month_bounds("2026-12", "Asia/Shanghai")
    assert start.astimezone(UTC) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_on_time_counts_late_open_reports_and_is_none_without_any():
    assert Month("2026-11").on_time_share is None
    assert Month("2026-11", resolved=5, on_time=5, late_open=5).on_time_share == 0.5
