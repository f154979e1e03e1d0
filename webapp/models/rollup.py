"""Figures of reports per day and per month (in the community's time zone), community and
organisation,
kept current in the same transaction as the reports themselves (domain/district/rollup.py),
so that the district overview and the board read a few hundred rows, not a million
reports.

Time to resolve is counted in fixed buckets (upper bounds in minutes below): a median is
estimated from them (domain/district/figures.py says how well)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, Table

from webapp.extensions import db

# Upper bounds of the time-to-resolve buckets, in minutes: 10 and 20 minutes, then steps
# of at most 1.5x up to 90 days; the last bucket holds everything longer.
BUCKET_BOUNDS = (10, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1080, 1440, 2160,
                 2880, 4320, 5760, 7200, 10080, 14400, 20160, 30240, 43200, 64800, 86400,
                 129600)
BUCKETS = tuple(f"resolved_in_{i}" for i in range(len(BUCKET_BOUNDS) + 1))

# Counted on the day a report came in, for the organisation that has it now.
RECEIVED = ("received", "rejected", "duplicates", "reopened")
# Counted on the day it was resolved, for the organisation that resolved it.
RESOLVED = ("resolved", "on_time", "late", "confirmed", "closed_unconfirmed", "rating_count",
            "rating_sum", *BUCKETS)
COUNTS = RECEIVED + RESOLVED
KEY = ("day", "community_id", "org_id", "on_board", "whole_month")

report_rollup = Table(
    "report_rollup", db.metadata,
    Column("day", Date, primary_key=True),
    Column("community_id", Integer, ForeignKey("community.id"), primary_key=True),
    # The report's organisation, 0 for none yet (a key column cannot be NULL).
    Column("org_id", Integer, primary_key=True),
    # Not hidden from the public board by staff: the board counts these rows only, the
    # district all of them.
    Column("on_board", Boolean, primary_key=True),
    # The sum of a month's days, kept with them (`day` is the month's first): a month and
    # a year's trend read a few rows per organisation, not one per day.
    Column("whole_month", Boolean, primary_key=True),
    *(Column(name, Integer, nullable=False, server_default="0") for name in COUNTS),
)


class ReportRollup(db.Model):
    __table__ = report_rollup
