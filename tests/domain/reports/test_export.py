"""The staff's CSV export: one row per report with every milestone time, safe to open in a
spreadsheet."""

import pytest

from tests.domain.reports.conftest import minutes, resolve_in_ten_minutes
from webapp.domain.reports import export, queue
from webapp.models import Milestone


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("微波宿舍", "微波宿舍"), ("1号楼", "1号楼"), ("", ""), (5, 5), (None, None), (-3, -3),
])
def test_a_cell_a_spreadsheet_would_run_is_made_text(cell, safe):
    assert export.spreadsheet_safe(cell) == safe


def test_every_row_has_the_headers_columns_and_a_report_its_milestone_times(report, users):
    resolve_in_ten_minutes(report, users)
    rows = list(export.export_rows(queue.QueueFilter(tab="all"), users["dispatcher"],
                                   minutes(20)))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["number", "status", "created_at"]
    for name in Milestone:
        assert {f"{name}_due_at", f"{name}_met_at", f"{name}_breached_at"} <= set(header)
    assert len(set(header)) == len(header)
    assert body and all(len(row) == len(header) for row in body)
    assert all(row[0] for row in body)

    (mine,) = [dict(zip(header, row, strict=True)) for row in body if row[0] == report.number]
    assert (mine["status"], mine["compound"], mine["entrance"], mine["category"]) == (
        "resolved", "微波宿舍", "2单元", "water")
    assert mine["assigned_org"] == report.compound.partner_org.name
    assert mine["created_at"] == minutes(0).isoformat()
    assert (mine["accepted_at"], mine["arrived_at"], mine["resolved_at"]) == (
        minutes(2).isoformat(), minutes(3).isoformat(), minutes(10).isoformat())
    assert (mine["accept_met_at"], mine["resolve_met_at"]) == (
        minutes(2).isoformat(), minutes(10).isoformat())
    assert mine["resolve_due_at"] == minutes(23).isoformat()  # 20 minutes after arriving
    assert mine["plan_due_at"] == mine["closed_at"] == mine["rating"] == ""


def test_the_export_follows_the_queue_filter(report, users):
    open_rows = list(export.export_rows(queue.QueueFilter(tab="closed"), users["dispatcher"],
                                        minutes(0)))
    assert report.number not in [row[0] for row in open_rows[1:]]
