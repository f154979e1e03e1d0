"""Months named by their local calendar, across a year's end."""

from datetime import date

from webapp.domain.shared.months import month_days, months_back


def test_a_month_runs_to_the_first_of_the_next_one_across_the_year():
    assert month_days("2026-11") == (date(2026, 11, 1), date(2026, 12, 1))
    assert month_days("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))


def test_twelve_months_back_end_with_the_month_oldest_first():
    months = months_back("2026-02", 12)
    assert months[0] == "2025-03" and months[-1] == "2026-02" and len(set(months)) == 12
    assert months_back("2026-01", 2) == ["2025-12", "2026-01"]
