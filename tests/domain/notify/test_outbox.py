"""The outbox: one row per dedupe key, claimed by one worker at a time, let go when a worker
dies, retried with a growing delay and given up with the reason."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from webapp.domain import unit_of_work
from webapp.domain.notify import outbox
from webapp.extensions import db
from webapp.models import Channel, OutboxMessage, OutboxStatus

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def put(key, **changes):
    fields = dict(key=key, channel=Channel.SMS, recipient="phone:+8613800138000",
                  kind="resolved", title="t", body="b", url="/x", community_id=None,
                  due_at=NOW, language="zh")
    fields.update(changes)
    outbox.enqueue(**fields)


def test_the_same_key_is_stored_once(app):
    with unit_of_work():
        put("k1")
        put("k1", body="again")
    with unit_of_work():
        put("k1")
    assert [m.body for m in db.session.scalars(select(OutboxMessage))] == ["b"]


def test_workers_claim_apart_and_a_dead_workers_rows_come_back(app):
    with unit_of_work():
        for n in range(5):
            put(f"k{n}")
        put("later", due_at=NOW + timedelta(minutes=5))
    with unit_of_work():
        first = outbox.claim_due("w1", NOW, limit=3, lease_seconds=60)
    with unit_of_work():
        second = outbox.claim_due("w2", NOW, limit=10, lease_seconds=60)
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
    with unit_of_work():
        for claimed in second:
            outbox.mark_sent(outbox.held(claimed, "w2"), NOW)
    # w1 died holding its rows: after the lease they are due again, an attempt counted.
    with unit_of_work():
        assert outbox.claim_due("w3", NOW + timedelta(seconds=30), limit=10,
                                lease_seconds=60) == []
    with unit_of_work():
        again = outbox.claim_due("w3", NOW + timedelta(seconds=61), limit=10, lease_seconds=60)
    assert set(again) == set(first)
    assert db.session.get(OutboxMessage, first[0]).attempts == 2
    assert outbox.held(first[0], "w1") is None and outbox.held(first[0], "w3") is not None


def test_failures_back_off_then_give_up_with_the_reason(app):
    with unit_of_work():
        put("k")
    delays = []
    now = NOW
    for _ in range(4):
        with unit_of_work():
            [claimed] = outbox.claim_due("w", now, limit=1, lease_seconds=60)
            message = outbox.held(claimed, "w")
            outbox.mark_failed(message, "HTTP 503 busy", now, retry=True, max_attempts=4,
                               base_delay=10)
            delays.append((message.due_at - now).total_seconds())
            now = message.due_at
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == OutboxStatus.FAILED and message.last_error == "HTTP 503 busy"
    assert 8 <= delays[0] <= 12 and 16 <= delays[1] <= 24 and 32 <= delays[2] <= 48


def test_a_refusal_that_retrying_cannot_help_gives_up_at_once(app):
    with unit_of_work():
        put("k")
        [claimed] = outbox.claim_due("w", NOW, limit=1, lease_seconds=60)
    with unit_of_work():
        outbox.mark_failed(outbox.held(claimed, "w"), "x" * 500, NOW, retry=False,
                           max_attempts=8, base_delay=10)
    message = db.session.get(OutboxMessage, claimed)
    assert message.status == OutboxStatus.FAILED and len(message.last_error) == 300


def test_texts_to_a_phone_count_those_sent_and_those_being_sent_before(app):
    with unit_of_work():
        for n in range(3):
            put(f"k{n}")
        put("other", recipient="phone:+8613900000000")
    with unit_of_work():
        first, *rest = outbox.claim_due("w", NOW, limit=10, lease_seconds=60)
        outbox.mark_sent(outbox.held(first, "w"), NOW)
    second, third, other = (db.session.get(OutboxMessage, i) for i in rest)
    day_ago = NOW - timedelta(days=1)
    assert outbox.texts_counted(second, day_ago, NOW) == 1  # the sent one
    assert outbox.texts_counted(third, day_ago, NOW) == 2  # and the one sent before it
    assert outbox.texts_counted(other, day_ago, NOW) == 0
    assert outbox.texts_counted(third, NOW + timedelta(seconds=1), NOW + timedelta(hours=1)) \
        == 0  # a day later, with the lease run out
