"""One definition of which statuses are open and which are finished (models/reports.py), used
by the workflow, the queue, the purge and Open311 alike."""

from sqlalchemy import select

from tests.conftest import app_secret
from webapp.domain.reports import intake
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
