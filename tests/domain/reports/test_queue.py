"""The queue, and the one definition of which statuses are open and which are finished
(models/reports.py) that it shares with the workflow, the purge and Open311."""

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.reports.conftest import T0, minutes
from webapp.domain.reports import intake, queue
from webapp.extensions import db
from webapp.models import FINISHED_STATUSES, OPEN_STATUSES, Category, ReportStatus


def test_every_status_is_open_resolved_or_finished_exactly_once():
    groups = [set(OPEN_STATUSES), {ReportStatus.RESOLVED}, set(FINISHED_STATUSES)]
    assert sum(len(g) for g in groups) == len(ReportStatus)
    assert set().union(*groups) == set(ReportStatus)


def test_open311_calls_open_what_the_workflow_calls_open(client, entrance_code):
    """GET requests' status open/closed splits by the same set as the queue."""
    category_id = db.session.scalar(select(Category.id).where(Category.active))
    report, _ = intake.submit_report(entrance_code, intake.ReportDraft(
        submission_key="status-test-000000001", category_id=category_id,
        description="楼道灯坏了"), [], None, secret=app_secret())
    number = report.number
    for status in ReportStatus:
        report.status = status
        db.session.commit()
        for asked in ("open", "closed"):
            listed = client.get("/open311/v2/requests.json?jurisdiction_id=bayi"
                                f"&status={asked}").get_json()
            expected = "open" if status in OPEN_STATUSES else "closed"
            assert (number in [r["service_request_id"] for r in listed]) == (asked == expected)


def test_the_queue_tabs_split_reports_by_the_same_statuses(report, users):
    """A report is in the open tab exactly when it is open, in the closed tab exactly when it
    is finished, and so on, whatever its status."""
    dispatcher = users["dispatcher"]

    def tabs_showing(now):
        return {tab for tab in queue.TABS if report in queue.queue_page(
            queue.QueueFilter(tab=tab, compound_id=report.compound_id), dispatcher,
            now).reports}

    for status in ReportStatus:
        report.status = status
        db.session.commit()
        expected = {"all"} | ({"open", "unassigned"} if status in OPEN_STATUSES else set())
        expected |= {"closed"} if status in FINISHED_STATUSES else set()
        expected |= {"resolved"} if status == ReportStatus.RESOLVED else set()
        expected |= {"new"} if status == ReportStatus.SUBMITTED else set()
        assert tabs_showing(T0) == expected, status
    assert "overdue" in tabs_showing(minutes(30))  # the accept clock ran out


def test_a_page_counts_what_came_in_since_it_was_seen(report, users):
    page = queue.queue_page(queue.QueueFilter(tab="all"), users["dispatcher"], T0,
                            seen_up_to=report.id - 1)
    assert page.newest_id == report.id and page.new_since == 1
    assert page.total == len(page.reports) and page.pages == 1
    assert all(r.community_id == report.community_id for r in page.reports)
    assert queue.QueueFilter(tab="open", page=1).args(page=2) == {"tab": "open", "page": 2}


def test_waiting_counts_the_communitys_reports_not_yet_dispatched(report, users):
    """The dispatcher's tab title: what the "new" tab lists, whatever its page."""
    dispatcher = users["dispatcher"]
    new_tab = queue.queue_page(queue.QueueFilter(tab="new"), dispatcher, T0)
    waiting = queue.waiting_count(report.community_id)
    assert waiting == new_tab.total and waiting >= 1
    report.status = ReportStatus.ASSIGNED
    db.session.commit()
    assert queue.waiting_count(report.community_id) == waiting - 1
    assert queue.waiting_count(report.community_id + 1000) == 0


@pytest.mark.parametrize("sort_few", [queue.SORT_FEW, 0],
                         ids=["few found: sorted", "many found: the index walked"])
def test_urgent_and_care_card_reports_come_first_in_every_tab(report, users, entrance_code,
                                                               tmp_path, monkeypatch, sort_few):
    """Even when an ordinary report's clock runs out sooner, in every tab that shows both;
    the same order whether the database sorts what a tab finds or walks the queue's index."""
    from webapp.domain.reports import dispatch

    monkeypatch.setattr(queue, "SORT_FEW", sort_few)

    def filed(key, at, **fields):
        filed_report, _ = intake.submit_report(entrance_code, intake.ReportDraft(
            submission_key=key, category_id=report.category_id, description="楼道灯不亮",
            **fields), [], tmp_path, now=at, secret=app_secret())
        return filed_report

    cared = filed("queue-care-card-00001", minutes(20), care_card=True)
    urgent = filed("queue-urgent-0000001", minutes(25))
    dispatch.set_priority(urgent, users["dispatcher"], 2, now=minutes(26))
    db.session.commit()
    assert report.next_due_at < cared.next_due_at < urgent.next_due_at
    for tab in ("open", "new", "unassigned", "all", "overdue"):
        shown = queue.queue_page(queue.QueueFilter(tab=tab), users["dispatcher"],
                                 minutes(60)).reports
        assert shown[:3] == [cared, urgent, report], tab
