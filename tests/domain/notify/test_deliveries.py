"""The admins' view of the outbox: their community's messages, filtered and paged at a
constant cost, phones masked, organisations by name, a resident's link only when revealed."""

from datetime import timedelta

from sqlalchemy import event, select

from tests.conftest import app_secret
from webapp.domain import unit_of_work
from webapp.domain.notify import deliveries, outbox
from webapp.domain.shared.tokens import seal
from webapp.extensions import db
from webapp.models import Channel, Community, Organization, OutboxStatus
from webapp.models.types import utcnow


def communities():
    return db.session.scalars(select(Community).order_by(Community.id)).all()[:2]


def enqueue(community_id, key, channel=Channel.SMS, recipient="phone:+8613800138000",
            url="/staff/reports/1", sealed=False, minutes_ago=0):
    outbox.enqueue(key=key, channel=channel, recipient=recipient, kind="new_report",
                   title=f"title {key}", body="body", url=url, url_sealed=sealed,
                   community_id=community_id, due_at=utcnow(), language="zh")
    if minutes_ago:
        message = db.session.scalars(select(outbox.OutboxMessage).where(
            outbox.OutboxMessage.dedupe_key == key)).one()
        message.created_at = utcnow() - timedelta(minutes=minutes_ago)


def count_statements(run):
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_log_is_the_communitys_own_newest_first_and_filtered(demo):
    bayi, xinqiao = communities()
    org = db.session.scalars(select(Organization).where(
        Organization.community_id == bayi.id, Organization.kind == "property")).first()
    with unit_of_work():
        enqueue(bayi.id, "a", minutes_ago=3)
        enqueue(bayi.id, "b", channel=Channel.ROBOT, recipient=f"org:{org.id}", minutes_ago=2)
        enqueue(bayi.id, "c", channel=Channel.PUSH, recipient="push:7", minutes_ago=1)
        enqueue(xinqiao.id, "other")
    page = deliveries.delivery_log(bayi.id, deliveries.log_filter(None, None, 1))
    assert [r.message.dedupe_key for r in page.rows] == ["c", "b", "a"]
    assert [r.recipient for r in page.rows] == ["#7", org.name, "•••8000"]
    assert "13800138000" not in repr([r.recipient for r in page.rows])
    robots = deliveries.delivery_log(bayi.id, deliveries.log_filter(None, "robot", 1))
    assert [r.message.dedupe_key for r in robots.rows] == ["b"]
    a = page.rows[2].message
    a.status = OutboxStatus.FAILED
    db.session.commit()
    failed = deliveries.delivery_log(bayi.id, deliveries.log_filter("failed", None, 1))
    assert [r.message.dedupe_key for r in failed.rows] == ["a"] and failed.total == 1
    # Unknown values filter nothing rather than everything.
    assert deliveries.log_filter("nonsense", "fax", -5) == deliveries.LogFilter()


def test_a_page_costs_the_same_few_statements_however_many_rows(demo):
    bayi_id = communities()[0].id
    orgs = db.session.execute(select(Organization.id).where(
        Organization.community_id == bayi_id)).scalars().all()
    with unit_of_work():
        enqueue(bayi_id, "one", channel=Channel.ROBOT, recipient=f"org:{orgs[0]}")
    few = count_statements(lambda: deliveries.delivery_log(bayi_id, deliveries.LogFilter()))
    with unit_of_work():
        for n in range(120):
            enqueue(bayi_id, f"k{n}", channel=Channel.ROBOT, recipient=f"org:{orgs[n % len(orgs)]}")
    f = deliveries.LogFilter(page=2)
    many = count_statements(lambda: deliveries.delivery_log(bayi_id, f))
    page = deliveries.delivery_log(bayi_id, f)
    assert few == many <= 3
    assert len(page.rows) == deliveries.PAGE_SIZE and page.pages == 3 and page.total == 121


def test_sent_messages_are_texts_and_robot_posts_with_the_link_as_sent(demo):
    bayi, _ = communities()
    sealed = seal("/t/private-token", app_secret())
    with unit_of_work():
        enqueue(bayi.id, "text", url=sealed, sealed=True, minutes_ago=1)
        enqueue(bayi.id, "push", channel=Channel.PUSH, recipient="push:1")
    page = deliveries.sent_messages(bayi.id)
    [text] = [r.message for r in page.rows]
    assert text.dedupe_key == "text"
    shown = dict(base_url="https://mashang.example/", secret=app_secret())
    assert deliveries.link_of(text, reveal_sealed=True, **shown) == \
        "https://mashang.example/t/private-token"
    assert deliveries.link_of(text, reveal_sealed=False, **shown) is None
    assert deliveries.link_of(text, reveal_sealed=True, base_url="https://x",
                              secret="another secret") is None
