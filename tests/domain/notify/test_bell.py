"""The bell: a person's own items, newest first, read one by one or all at once; nobody
reads or marks another person's."""

from datetime import timedelta

from tests.domain.notify.test_feed import file_report
from tests.domain.reports.conftest import minutes
from webapp.domain import unit_of_work
from webapp.domain.notify import bell, outbox
from webapp.domain.reports import dispatch
from webapp.extensions import db
from webapp.models import Notification
from webapp.models.types import utcnow


def ring(user, key, **extra):
    outbox.ring(user_id=user.id, key=key, kind=extra.pop("kind", "new_report"),
                title=f"title {key}", body="body", url="/staff/queue", **extra)


def test_recent_is_the_users_own_newest_first_and_bounded(users):
    with unit_of_work():
        for n in range(5):
            ring(users["dispatcher"], f"k{n}")
        ring(users["mateng"], "theirs")
    mine = bell.recent(users["dispatcher"], limit=3)
    assert [n.title for n in mine] == ["title k4", "title k3", "title k2"]
    assert all(n.user_id == users["dispatcher"].id for n in bell.recent(users["dispatcher"]))


def test_unread_count_and_state_follow_reading(users):
    with unit_of_work():
        for n in range(3):
            ring(users["dispatcher"], f"k{n}")
    items = bell.recent(users["dispatcher"])
    assert bell.unread_count(users["dispatcher"]) == 3
    assert bell.state(users["dispatcher"]) == (3, max(n.id for n in items))
    with unit_of_work():
        read = bell.mark_read(users["dispatcher"], items[0].id)
    assert read.read_at is not None
    assert bell.unread_count(users["dispatcher"]) == 2
    with unit_of_work():
        assert bell.mark_all_read(users["dispatcher"]) == 2
    assert bell.unread_count(users["dispatcher"]) == 0
    assert bell.state(users["mateng"]) == (0, 0)


def test_nobody_marks_another_persons_item(users):
    with unit_of_work():
        ring(users["mateng"], "theirs")
    [theirs] = bell.recent(users["mateng"])
    with unit_of_work():
        assert bell.mark_read(users["dispatcher"], theirs.id) is None
        assert bell.mark_read(users["dispatcher"], theirs.id + 1000) is None
        bell.mark_all_read(users["dispatcher"])
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_reading_again_keeps_the_first_time(users):
    with unit_of_work():
        ring(users["dispatcher"], "k")
    [item] = bell.recent(users["dispatcher"])
    first = utcnow() - timedelta(hours=1)
    item.read_at = first
    db.session.commit()
    with unit_of_work():
        bell.mark_read(users["dispatcher"], item.id)
    assert item.read_at == first


def test_new_since_gives_only_later_items_of_the_user(users):
    with unit_of_work():
        ring(users["dispatcher"], "old")
    [old] = bell.recent(users["dispatcher"])
    with unit_of_work():
        ring(users["dispatcher"], "new1")
        ring(users["mateng"], "theirs")
        ring(users["dispatcher"], "new2", urgent=True)
    fresh = bell.new_since(users["dispatcher"], old.id)
    assert [n.title for n in fresh] == ["title new2", "title new1"]
    assert fresh[0].urgent
    assert bell.new_since(users["dispatcher"], fresh[0].id) == []


def test_a_job_is_new_until_its_item_is_read(entrance_code, users, tmp_path):
    with unit_of_work():
        report = file_report(entrance_code, tmp_path, "bell-test-00000000001")
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org,
                        users["mateng"], now=minutes(1))
    assert bell.unread_jobs(users["mateng"]) == {report.id}
    assert bell.unread_jobs(users["dispatcher"]) == set()  # a new report is no job
    with unit_of_work():
        bell.mark_report_read(users["mateng"], report.id)
    assert bell.unread_jobs(users["mateng"]) == set()
    assert bell.unread_count(users["dispatcher"]) == 1  # theirs stays unread
