"""The changes notifications are fed by: written with the change, or not at all."""

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.reports.conftest import T0, category_coded
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.notify import feed
from webapp.domain.reports import intake
from webapp.extensions import db
from webapp.models import Notification, OutboxMessage, Report


def file_report(entrance_code, tmp_path, key, **changes):
    draft = intake.ReportDraft(submission_key=key, category_id=category_coded("water").id,
                               description="楼道灯不亮", **changes)
    return intake.submit_report(entrance_code, draft, [], tmp_path, now=T0,
                                secret=app_secret())[0]


def bell_of(user):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_a_new_report_rings_the_dispatchers_bell_once_with_the_report(entrance_code, users,
                                                                       tmp_path):
    with unit_of_work():
        report = file_report(entrance_code, tmp_path, "feed-test-00000000001")
    with unit_of_work():  # replaying the submission tells nobody again
        file_report(entrance_code, tmp_path, "feed-test-00000000001")
    [item] = bell_of(users["dispatcher"])
    assert item.kind == "new_report" and item.report_id == report.id
    assert report.number in item.title and item.url == f"/staff/reports/{report.id}"
    assert bell_of(users["mateng"]) == []


def test_a_change_that_is_undone_tells_nobody(entrance_code, users, tmp_path):
    with pytest.raises(DomainRefused):
        with unit_of_work():
            file_report(entrance_code, tmp_path, "feed-test-00000000002")
            raise DomainRefused("changed my mind")
    assert db.session.scalar(select(Report).where(Report.description == "x")) is None
    assert bell_of(users["dispatcher"]) == []


def test_silenced_changes_tell_nobody(entrance_code, users, tmp_path):
    with unit_of_work(), feed.silenced():
        file_report(entrance_code, tmp_path, "feed-test-00000000003")
    assert bell_of(users["dispatcher"]) == []
    assert db.session.scalars(select(OutboxMessage)).all() == []
