"""Likely duplicates of a report, for the dispatcher to merge with one click: open reports of
the same building and category from around the same time whose words are alike. Likeness is
the Dice coefficient of the two texts' character bigrams, which needs no word breaks (Chinese
has none); it is computed here over a few candidates the database finds by place, category and
time, so it reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import OPEN_STATUSES, Report
from webapp.models.search import search_spelling

WINDOW = timedelta(days=30)  # before or after the report
CANDIDATES = 50  # the newest of the place and category, compared in Python
MIN_LIKENESS = 0.15  # "楼道灯不亮" and "三楼楼道的灯坏了" share 楼道 and little else: 0.18
SHOWN = 5


@dataclass(frozen=True)
class Suggestion:
    report: Report
    likeness: float  # 0 to 1

    @property
    def percent(self) -> int:
        return round(self.likeness * 100)


def bigrams(text: str | None) -> set[str]:
    """Pairs of neighbouring letters or digits in the search spelling; punctuation and spaces
    are left out, so "灯，不亮" and "灯不亮" read alike. A one-letter text is its letter."""
    letters = [c for c in search_spelling(text)
               if unicodedata.category(c)[0] in "LN"]
    if len(letters) == 1:
        return set(letters)
    return {a + b for a, b in zip(letters, letters[1:], strict=False)}


def likeness(a: str | None, b: str | None) -> float:
    """Dice coefficient of the bigram sets: 2·|A∩B| / (|A|+|B|)."""
    first, second = bigrams(a), bigrams(b)
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def likely_duplicates(report: Report) -> list[Suggestion]:
    """At most SHOWN open reports that are probably the same problem as `report`, the most
    alike first (then those of the same entrance, then the newest)."""
    if report.status not in OPEN_STATUSES:
        return []
    candidates = db.session.scalars(
        select(Report).where(
            Report.community_id == report.community_id, Report.id != report.id,
            Report.building_id == report.building_id, Report.category_id == report.category_id,
            Report.status.in_(OPEN_STATUSES),
            Report.created_at >= report.created_at - WINDOW,
            Report.created_at <= report.created_at + WINDOW)
        .order_by(Report.created_at.desc()).limit(CANDIDATES)
        .options(joinedload(Report.entrance)))
    found = [Suggestion(other, likeness(report.description, other.description))
             for other in candidates]
    found = [s for s in found if s.likeness >= MIN_LIKENESS]
    found.sort(key=lambda s: (-s.likeness, s.report.entrance_id != report.entrance_id,
                              -s.report.created_at.timestamp()))
    return found[:SHOWN]
