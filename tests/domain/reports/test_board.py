"""The public board: a month's figures per compound and organisation, and the 红黑榜."""

from datetime import UTC, datetime

import pytest

from tests.domain.reports.conftest import resolve_in_ten_minutes
from webapp.domain.reports import board, dispatch
from webapp.domain.reports.board import Figures

ZONE = "Asia/Shanghai"


def test_a_month_is_bounded_in_the_communitys_time_zone():
    assert board.month_bounds("2026-12", ZONE) == (datetime(2026, 11, 30, 16, tzinfo=UTC),
                                                   datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert board.month_bounds("2026-02", "UTC") == (datetime(2026, 2, 1, tzinfo=UTC),
                                                    datetime(2026, 3, 1, tzinfo=UTC))


def test_figures_and_the_ranking_best_on_time_then_rating_then_most_resolved():
    assert (Figures().median_minutes, Figures().on_time_share, Figures().average_rating) == (
        None, None, None)
    a = Figures(resolved=4, on_time=4, minutes=[10, 30, 20], ratings=[5, 4])
    assert (a.median_minutes, a.on_time_share, a.average_rating) == (20, 1.0, 4.5)
    b = Figures(resolved=4, on_time=2, ratings=[5])
    c = Figures(resolved=4, on_time=4, ratings=[3])
    d = Figures(resolved=9, on_time=4, ratings=[3])  # fewer on time, so below c
    assert [name for name, _ in board.ranking({"b": b, "c": c, "a": a, "d": d})] == \
        ["a", "c", "b", "d"]


def test_a_resolved_report_counts_once_in_its_month_and_its_replies_are_masked(report, users):
    def figures():
        return board.board(report.community_id, "2026-11", ZONE, report.compound_id)

    before = figures()
    resolve_in_ten_minutes(report, users)
    dispatch.public_reply(report, users["dispatcher"], "师傅电话 13912345678，明早到")
    after = figures()
    partner = report.compound.partner_org.name
    assert after.total.received == before.total.received
    assert after.total.resolved == before.total.resolved + 1
    assert after.total.on_time == before.total.on_time + 1
    new = list(after.total.minutes)
    for old in before.total.minutes:
        new.remove(old)
    assert new == [pytest.approx(10, abs=0.01)]  # submitted at T0, resolved 10 minutes later
    assert after.by_org[partner].resolved == \
        before.by_org.get(partner, Figures()).resolved + 1
    assert after.by_compound["微波宿舍"].resolved == after.total.resolved
    assert report in after.latest
    replies = " ".join(after.replies[report.id])
    assert "13912345678" not in replies and "***" in replies and "修好了" in replies
    dispatch.set_hidden_from_board(report, users["dispatcher"], True)
    assert figures().total.resolved == before.total.resolved


def test_an_open_report_already_overdue_counts_as_late(report, users, entrance_code, tmp_path):
    """Three resolved on time and one open past its clock: 75 %, not 100 %. One waiting on
    the residents, its clock standing still, is not late."""
    from tests.conftest import app_secret
    from tests.domain.reports.conftest import T0, minutes
    from webapp.domain.reports import intake

    def filed(key):
        filed_report, _ = intake.submit_report(entrance_code, intake.ReportDraft(
            submission_key=key, category_id=report.category_id, description="楼道灯不亮"),
            [], tmp_path, now=T0, secret=app_secret())
        return filed_report

    for key in ("board-late-000000001", "board-late-000000002"):
        resolve_in_ten_minutes(filed(key), users)
    resolve_in_ten_minutes(report, users)
    filed("board-late-000000003")  # nobody accepts it within 30 minutes
    waiting = filed("board-late-000000004")
    dispatch.mark_needs_consultation(waiting, users["dispatcher"], "需业主表决", now=minutes(5))

    figures = board.board(report.community_id, "2026-11", ZONE, now=minutes(60)).total
    assert (figures.resolved, figures.on_time, figures.late_open) == (3, 3, 1)
    assert figures.on_time_share == 0.75
    assert board.board(report.community_id, "2026-11", ZONE,
                       now=minutes(20)).total.on_time_share == 1.0  # not late yet
    assert Figures(resolved=3, on_time=3, late_open=1).on_time_share == 0.75
def test_the_month_counts_reports_by_how_they_came_in(report, users, tmp_path):
    from tests.domain.reports.conftest import file_for
    from webapp.domain import unit_of_work

    def channels():
        return board.board(report.community_id, "2026-11", ZONE).by_channel

    before = channels()
    with unit_of_work():
        file_for(users["dispatcher"], "board-phone-00000001", folder=tmp_path)
        file_for(users["grid"], "board-patrol-0000001", channel="patrol", folder=tmp_path)
        file_for(users["grid"], "board-patrol-0000002", channel="patrol", folder=tmp_path)
    after = channels()
    assert after["qr"] == before["qr"] >= 1  # the `report` fixture, by the door's code
    assert (after["phone"], after["patrol"]) == (before.get("phone", 0) + 1,
                                                before.get("patrol", 0) + 2)
    assert sum(after.values()) == board.board(report.community_id, "2026-11",
                                              ZONE).total.received
