"""Calendar months as the pages name them ("2026-11"): their days, and the months before."""

from datetime import date


def month_days(month: str) -> tuple[date, date]:
    """'2026-11' → its first day and the next month's first day."""
    year, mon = (int(x) for x in month.split("-"))
    return date(year, mon, 1), date(year + (mon == 12), mon % 12 + 1, 1)


def months_back(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first."""
    year, mon = (int(x) for x in month.split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return months[::-1]
