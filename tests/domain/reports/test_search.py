"""The queue's search box: a number whole or its tail, a phone in any spelling, words of the
text and names of the place, in one list in the queue's order, within the dispatcher's
community. Runs on SQLite and, under tools/throwaway_postgres.py, on PostgreSQL."""

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.reports.conftest import T0, category_coded, minutes
from webapp.domain import unit_of_work
from webapp.domain.reports import intake, queue, search
from webapp.domain.reports.purge import purge
from webapp.extensions import db
from webapp.models import Report, ReportFollower, ReportSearch, ReportStatus


def found(text, user, **filters):
    page = queue.queue_page(queue.QueueFilter(tab="all", q=text, **filters), user, T0)
    return [r.number for r in page.reports], page.total


def file(code, key, description, **fields):
    draft = intake.ReportDraft(submission_key=f"search-test-{key:08d}",
                               category_id=category_coded(fields.pop("category", "water")).id,
                               description=description, **fields)
    with unit_of_work():
        report, _ = intake.submit_report(code, draft, [], None, now=T0, secret=app_secret())
    return report


@pytest.fixture
def dispatcher(users):
    return users["dispatcher"]


def test_a_report_is_found_by_its_whole_number_and_by_its_tail(report, dispatcher):
    for typed in (report.number, f" {report.number} ", f"{report.id:04d}", str(report.id)):
        assert found(typed, dispatcher) == ([report.number], 1), typed


def test_a_phone_is_found_however_it_is_spelled(report, dispatcher, entrance_code):
    landline = file(entrance_code, 2, "电梯里有异味", contact_phone="0351-7654322")
    for typed in ("13800000000", "138 0000 0000", "+86 138-0000-0000", "0086 13800000000",
                  "１３８００００００００"):
        assert found(typed, dispatcher)[0] == [report.number], typed
    for typed in ("(0351) 765 4322", "0351 7654322", "+86 351 765 4322"):
        assert found(typed, dispatcher)[0] == [landline.number], typed
    assert found("13900000000", dispatcher) == ([], 0)
    assert found("0000", dispatcher)[0] == [report.number]  # a part of a phone is a word


def test_words_are_substrings_all_required_in_any_order(report, dispatcher, entrance_code):
    pipe = file(entrance_code, 2, "楼道水管爆裂 Leaking PIPE", floor_room="3-302",
                contact_name="王阿姨")
    lights = found("灯不亮", dispatcher)[0]  # the demo's 楼道三楼的灯不亮了 too
    assert report.number in lights and pipe.number not in lights
    assert {report.number, pipe.number} <= set(found("楼道", dispatcher)[0])
    assert found("爆裂 楼道", dispatcher)[0] == [pipe.number]
    assert found("leaking pipe", dispatcher)[0] == [pipe.number]  # any case
    assert found("ＰＩＰＥ", dispatcher)[0] == [pipe.number]  # typed full width
    assert found("王阿姨", dispatcher)[0] == [pipe.number]  # staff search their names
    assert found("3-302", dispatcher)[0] == [pipe.number]
    assert found("爆裂 停电", dispatcher) == ([], 0)


def test_like_wildcards_are_plain_characters(report, dispatcher):
    assert found("%", dispatcher) == ([], 0)
    assert found("_", dispatcher) == ([], 0)
    assert found("灯%亮", dispatcher) == ([], 0)


def test_words_name_the_place_too(report, dispatcher, entrance_code):
    """微波宿舍 1号楼 2单元: each name, the names run together, or a name and a word."""
    for typed in ("微波宿舍", "微波宿舍1号楼", "1号楼2单元", "微波 2单元", "2单元 灯不亮"):
        assert report.number in found(typed, dispatcher)[0], typed
    assert report.number not in found("八九宿舍", dispatcher)[0]
    assert report.number not in found("3单元", dispatcher)[0]
    assert report.number not in found("2单元 漏水", dispatcher)[0]


def test_search_stays_in_the_dispatchers_community(demo, dispatcher):
    """东方花苑's demo report (新桥北村) is not found from 八一社区, by words or place."""
    other = db.session.scalars(select(Report).where(Report.description.contains("消防通道")))
    assert other.one().community_id != dispatcher.organization.community_id
    assert found("消防通道", dispatcher) == ([], 0)
    assert found("东方花苑", dispatcher) == ([], 0)


@pytest.mark.parametrize("few", [search.FEW, 2], ids=["ids read once", "found by the database"])
def test_results_come_in_the_queue_order_with_their_count_and_pages(
        dispatcher, entrance_code, monkeypatch, few):
    monkeypatch.setattr(search, "FEW", few)
    reports = [file(entrance_code, n, f"楼道灯不亮 第{n}次") for n in range(1, 6)]
    reports[3].next_due_at = minutes(-5)  # overdue: first
    reports[1].next_due_at = None
    reports[1].status = ReportStatus.CLOSED  # no clock: last
    db.session.commit()
    expected = [r.number for r in db.session.scalars(
        select(Report).where(Report.id.in_([r.id for r in reports]))
        .order_by(*queue.urgency_order()))]
    assert expected[0] == reports[3].number and expected[-1] == reports[1].number
    assert found("第", dispatcher) == (expected, 5)
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    assert found("第", dispatcher) == (expected[:2], 5)
    assert found("第", dispatcher, page=3) == (expected[4:], 5)
    # the search narrows the tab, it does not replace it
    page = queue.queue_page(queue.QueueFilter(tab="closed", q="第"), dispatcher, T0)
    assert [r.number for r in page.reports] == [reports[1].number]


def test_a_neighbours_phone_finds_the_report_they_follow(report, dispatcher):
    db.session.add(ReportFollower(report=report, submission_key_hash="k" * 64,
                                  link_token_hash="t" * 64, phone="13911112222"))
    db.session.commit()
    assert found("139 1111 2222", dispatcher)[0] == [report.number]


def test_the_search_row_follows_the_report(report, dispatcher):
    """Kept by the mapper in the same transaction: a purge's erased details are not found."""
    row = db.session.get(ReportSearch, report.id)
    assert row.community_id == report.community_id and "灯不亮" in row.body
    report.status, report.closed_at = ReportStatus.CLOSED, T0
    db.session.commit()
    with unit_of_work():
        purge(minutes(60 * 24 * 400), after_days=30)
    assert found("13800000000", dispatcher) == ([], 0)
    assert "13800000000" not in db.session.get(ReportSearch, report.id).body
    assert report.number in found("灯不亮", dispatcher)[0]


def test_what_the_box_reads():
    assert search.read_query("   ") is None and search.read_query(None) is None
    query = search.read_query("+86 138 0013 8000")
    assert (query.phone, query.words, query.report_id) == ("13800138000", ("13800138000",), None)
    assert search.read_query("20261122-0042").report_id == 42
    assert search.read_query("楼道 灯 楼道").words == ("楼道", "灯")
    assert len(search.read_query(" ".join("abcdefgh")).words) == search.MAX_WORDS
    assert len(search.read_query("x" * 1000).text) == search.MAX_QUERY
