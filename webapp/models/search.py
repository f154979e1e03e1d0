"""What the queue's search box reads: one narrow row per report with its words in one
spelling and its place, kept by the mapper in the same transaction as the report, whoever
writes it.

A LIKE over this table reads a few dozen bytes a report instead of the whole report row, the
same way on SQLite and PostgreSQL (a trigram or FTS index would differ between the two). Its
key starts with the community, so that a search reads its own community's rows and not the
district's million: on SQLite the table is that key (WITHOUT ROWID), one community's rows
side by side; PostgreSQL finds them by the key's index."""

from __future__ import annotations

import unicodedata

from sqlalchemy import (
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    Text,
    event,
    insert,
    inspect,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.reports import Report

# The words of a report that staff search: what the resident wrote and their own details
# (a phone in its stored spelling: a part of it, "8000", is a word like any other).
SEARCHED = ("description", "floor_room", "contact_name", "contact_phone")
# Where the report is, copied so that a place's name is matched in the same scan.
PLACE = ("compound_id", "building_id", "entrance_id")


def search_spelling(text: str | None) -> str:
    """One spelling for matching: full-width letters and digits as ASCII (NFKC), any case
    as lower case, runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def search_body(*fields: str | None) -> str:
    """The SEARCHED fields' text. A line break between fields, so that no searched word runs
    from one into the next."""
    return "\n".join(search_spelling(text) for text in fields if text)


class ReportSearch(db.Model):
    __table_args__ = (
        PrimaryKeyConstraint("community_id", "report_id"),
        # One row per report, found by it when the report changes.
        Index("uq_report_search_report", "report_id", unique=True),
        {"sqlite_with_rowid": False},
    )

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    compound_id: Mapped[int] = mapped_column()
    building_id: Mapped[int] = mapped_column()
    entrance_id: Mapped[int | None] = mapped_column()
    body: Mapped[str] = mapped_column(Text)

    # To the ORM a row is its report's (session.get(ReportSearch, report_id)); the table's
    # key puts the community first only to keep a community's rows together.
    __mapper_args__ = {"primary_key": [report_id]}


# The dispatcher's "find by phone": the stored spelling, looked up whole.
Index("ix_report_community_phone", Report.community_id, Report.contact_phone)


def _row_of(report: Report) -> dict:
    return {"body": search_body(*(getattr(report, name) for name in SEARCHED)),
            **{name: getattr(report, name) for name in PLACE}}


@event.listens_for(Report, "after_insert")
def _searchable(mapper, connection, report):
    connection.execute(insert(ReportSearch.__table__).values(
        report_id=report.id, community_id=report.community_id, **_row_of(report)))


@event.listens_for(Report, "after_update")
def _search_follows(mapper, connection, report):
    state = inspect(report)
    if any(state.attrs[name].history.has_changes() for name in SEARCHED + PLACE):
        connection.execute(update(ReportSearch.__table__)
                           .where(ReportSearch.report_id == report.id)
                           .values(**_row_of(report)))
