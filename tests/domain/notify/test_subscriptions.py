"""Web Push subscriptions: what a browser may subscribe, for whom, and how they end."""

import base64

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import at_the_same_moment, count
from webapp.domain import unit_of_work
from webapp.domain.notify import subscriptions
from webapp.domain.notify.subscriptions import Owner, SubscriptionRefused
from webapp.extensions import db
from webapp.models import PushSubscription, Report

SECRET = "test-secret"


@pytest.fixture
def report(demo):
    return db.session.scalars(select(Report).order_by(Report.id)).first()


def subscribe(owner, subscription, **kwargs):
    if owner.kind != "user":
        kwargs.setdefault("page_path", f"/t/{owner.kind}-page-{owner.id}")
        kwargs.setdefault("secret", SECRET)
    with unit_of_work():
        row, created = subscriptions.subscribe(owner, subscription, **kwargs)
    return row, created


def test_an_account_subscribes_once_per_browser(users, push_service):
    browser = push_service.subscription()
    owner = subscriptions.of_user(users["dispatcher"])
    row, created = subscribe(owner, browser, allow_http=True)
    assert created and row.owner == f"user:{users['dispatcher'].id}"
    assert row.address() == {"endpoint": browser["endpoint"], "keys": browser["keys"]}
    assert row.sealed_url is None
    again, created = subscribe(owner, browser, allow_http=True)
    assert (again.id, created) == (row.id, False)
    assert [r.id for r in subscriptions.active_for_user(users["dispatcher"].id)] == [row.id]
    assert count(PushSubscription) == 1


def test_subscribing_again_revives_an_ended_subscription_with_the_new_keys(users,
                                                                          push_service):
    browser = push_service.subscription()
    owner = subscriptions.of_user(users["mateng"])
    row, _ = subscribe(owner, browser, allow_http=True)
    with unit_of_work():
        subscriptions.end_gone(row.id, "push service 410: " + "gone " * 30)
    assert row.ended_at is not None and len(row.end_reason) == 60
    assert subscriptions.active_for_user(users["mateng"].id) == []
    renewed = {**browser, "keys": push_service.subscription()["keys"]}
    again, created = subscribe(owner, renewed, allow_http=True)
    assert again.id == row.id and not created
    assert again.active and again.end_reason is None
    assert again.p256dh == renewed["keys"]["p256dh"]


def test_a_residents_page_is_kept_sealed_never_in_clear(report, push_service):
    browser = push_service.subscription()
    row, created = subscribe(subscriptions.of_report(report), browser, allow_http=True,
                             page_path="/t/AbCdEfGhIjKlMnOpQrStUv")
    assert created and row.report_id == report.id and row.user_id is None
    assert "AbCdEfGhIjKlMnOpQrStUv" not in row.sealed_url
    assert subscriptions.page_path(row, SECRET) == "/t/AbCdEfGhIjKlMnOpQrStUv"
    assert subscriptions.page_path(row, "another-secret") is None
    assert [r.id for r in subscriptions.active_for_report(report.id)] == [row.id]
    with pytest.raises(ValueError):
        subscriptions.subscribe(subscriptions.of_report(report), browser, allow_http=True)


def test_one_browser_speaks_for_one_account_but_many_reports(users, report, push_service):
    """A shared office phone: the next person to subscribe it takes it over; a resident's
    reports on the same phone keep theirs."""
    browser = push_service.subscription()
    first, _ = subscribe(subscriptions.of_user(users["dispatcher"]), browser, allow_http=True)
    residents, _ = subscribe(subscriptions.of_report(report), browser, allow_http=True)
    second, _ = subscribe(subscriptions.of_user(users["mateng"]), browser, allow_http=True)
    assert not first.active and first.end_reason == subscriptions.ANOTHER_ACCOUNT
    assert second.active and residents.active


def test_ending_touches_only_the_owners_own(users, report, push_service):
    browser = push_service.subscription()
    mine, _ = subscribe(subscriptions.of_report(report), browser, allow_http=True)
    other_report = Owner("report", report.id + 1)
    with unit_of_work():
        assert subscriptions.end(browser["endpoint"], other_report, "turned off") is None
        assert subscriptions.end(None, subscriptions.of_report(report), "turned off") is None
    assert mine.active
    with unit_of_work():
        assert subscriptions.end(browser["endpoint"], subscriptions.of_report(report),
                                 "turned off") is mine
    assert not mine.active and mine.end_reason == "turned off"


def test_the_same_browser_at_the_same_moment_makes_one_row(app, users, push_service):
    browser = push_service.subscription()
    user_id = users["dispatcher"].id
    outcomes = at_the_same_moment(app, 4, lambda i: subscriptions.subscribe(
        Owner("user", user_id), browser, allow_http=True))
    assert outcomes == ["ok"] * 4
    assert count(PushSubscription) == 1


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def changed(subscription, endpoint="https://push.example.com/wpush/1", **keys):
    return {"endpoint": endpoint, "keys": {**subscription["keys"], **keys}}


NOT_A_POINT = encoded(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize("make,field", [
    (lambda s: None, None),
    (lambda s: "https://fcm.googleapis.com/fcm/send/x", None),
    (lambda s: {"endpoint": s["endpoint"]}, None),
    (lambda s: changed(s, "http://push.example.com/x"), "endpoint"),
    (lambda s: changed(s, "https://10.0.0.7/x"), "endpoint"),
    (lambda s: changed(s, "https://localhost/x"), "endpoint"),
    (lambda s: changed(s, "https://intranet/x"), "endpoint"),
    (lambda s: changed(s, "https://user:pw@push.example.com/x"), "endpoint"),
    (lambda s: changed(s, "https://push.example.com/a b"), "endpoint"),
    (lambda s: changed(s, "https://push.example.com:port/x"), "endpoint"),
    (lambda s: changed(s, "ftp://push.example.com/x"), "endpoint"),
    (lambda s: changed(s, p256dh=NOT_A_POINT), "keys"),
    (lambda s: changed(s, p256dh=encoded(b"\x04" * 33)), "keys"),
    (lambda s: changed(s, p256dh="not base64!"), "keys"),
    (lambda s: changed(s, auth=encoded(b"a" * 15)), "keys"),
    (lambda s: changed(s, auth=12345), "keys"),
])
def test_a_subscription_that_cannot_be_used_is_refused(make, field, users, push_service):
    with pytest.raises(SubscriptionRefused) as refused:
        subscriptions.subscribe(subscriptions.of_user(users["dispatcher"]),
                                make(push_service.subscription()), allow_http=False)
    assert refused.value.field == field and refused.value.status == 400
    assert count(PushSubscription) == 0


def test_a_local_push_service_only_when_allowed(users, push_service):
    browser = push_service.subscription()
    with pytest.raises(SubscriptionRefused) as refused:
        subscribe(subscriptions.of_user(users["dispatcher"]), browser)
    with force_locale("zh_CN"):
        assert str(refused.value) == "推送地址必须是推送服务的 https:// 地址。"
    with force_locale("en"):
        assert str(refused.value) == ("The push address must be an https:// address of a "
                                      "push service.")
    real = changed(browser, "https://updates.push.services.mozilla.com/wpush/v2/gAAAA")
    row, created = subscribe(subscriptions.of_user(users["dispatcher"]), real)
    assert created and row.endpoint.startswith("https://updates.push")


def test_a_push_address_longer_than_its_column_says_the_limit(users, push_service):
    browser = push_service.subscription()
    endpoint = "https://push.example.com/" + "x" * 476
    with pytest.raises(SubscriptionRefused) as refused:
        subscribe(subscriptions.of_user(users["dispatcher"]), changed(browser, endpoint))
    with force_locale("zh_CN"):
        assert "500" in str(refused.value)
    row, _ = subscribe(subscriptions.of_user(users["dispatcher"]),
                       changed(browser, endpoint[:-1]))
    assert len(row.endpoint) == 500
