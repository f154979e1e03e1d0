"""Web Push in a real Chromium: a resident turns notifications on from the tracking page,
the app's channel sends through the fake push service (which checks VAPID and decrypts),
and the service worker shows what arrives, delivered by DevTools
(`ServiceWorker.deliverPushMessage`).

Playwright's contexts are incognito, where Chromium's push stack refuses to subscribe; a
profile context instead tries Chrome's push service (FCM), which this machine cannot reach,
and `subscribe()` never settles. So the page's PushManager hands out the fake push service's
subscription (init script below): everything else — permission, the button, the POST with
its CSRF header, the subscription row, the channel, the service worker — is real."""

import json

import pytest
from sqlalchemy import select

from tests.conftest import demo_tracking_token
from tests.e2e.conftest import PHONE
from webapp.channels import Outgoing, webpush
from webapp.domain.notify import subscriptions
from webapp.extensions import db
from webapp.models import PushSubscription, Report

# The browser's own push service, played by the fake: subscribe() returns its subscription.
FAKE_PUSH_MANAGER = """(() => {
  const fake = FAKE_SUBSCRIPTION;
  const make = (key) => ({ endpoint: fake.endpoint, toJSON: () => fake,
    options: { userVisibleOnly: true, applicationServerKey: new Uint8Array(key).buffer },
    unsubscribe: async () => { sessionStorage.removeItem("fakePushKey"); return true; } });
  PushManager.prototype.subscribe = async function (options) {
    const key = Array.from(new Uint8Array(options.applicationServerKey));
    sessionStorage.setItem("fakePushKey", JSON.stringify(key));
    return make(key);
  };
  PushManager.prototype.getSubscription = async function () {
    const key = sessionStorage.getItem("fakePushKey");
    return key ? make(JSON.parse(key)) : null;
  };
})();"""
NOTIFICATIONS = """navigator.serviceWorker.ready.then((reg) => reg.getNotifications())
  .then((shown) => shown.map((n) => ({title: n.title, body: n.body, tag: n.tag,
                                      renotify: n.renotify, url: n.data.url})))"""


@pytest.fixture
def tracking(live_server):
    live_server.app.config["PUSH_ALLOW_HTTP"] = True  # the fake push service is on http
    with live_server.app.app_context():
        report = db.session.scalars(select(Report).where(Report.status == "submitted")
                                    .order_by(Report.id)).first()
        return report.id, f"{live_server.url}/t/{demo_tracking_token(report)}"


def active_rows(server, report_id):
    with server.app.app_context():
        return [(row.endpoint, row.address(), row.sealed_url)
                for row in subscriptions.active_for_report(report_id)]


def registration_id(cdp, page) -> str:
    """The service worker registration DevTools knows this origin's worker by."""
    found = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.extend(
        r["registrationId"] for r in event["registrations"] if not r["isDeleted"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if found:
            return found[0]
        page.wait_for_timeout(100)  # events arrive while Playwright waits
    raise AssertionError("no service worker registration")


def shown(page, count):
    for _ in range(50):
        notifications = page.evaluate(NOTIFICATIONS)
        if len(notifications) >= count:
            return notifications
        page.wait_for_timeout(100)
    return page.evaluate(NOTIFICATIONS)


def test_a_resident_turns_notifications_on_and_a_push_is_shown(browser, live_server, tracking,
                                                               push_service):
    report_id, url = tracking
    app = live_server.app
    browser_subscription = push_service.subscription(
        server_key=webpush.application_server_key(app.config))
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(FAKE_PUSH_MANAGER.replace("FAKE_SUBSCRIPTION",
                                                      json.dumps(browser_subscription)))
    page = context.new_page()
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    page.get_by_role("button", name="在此设备上接收通知").click()
    page.get_by_text("已开启").wait_for()
    [(endpoint, address, sealed)] = active_rows(live_server, report_id)
    assert endpoint == browser_subscription["endpoint"]
    assert address["keys"] == browser_subscription["keys"] and url.split("/t/")[1] not in sealed

    # What the worker will do for this row: the channel, to the (fake) push service.
    with app.app_context():
        row = db.session.scalars(select(PushSubscription)).one()
        page_url = live_server.url + subscriptions.page_path(row, app.config["SECRET_KEY"])
    message = Outgoing(title="报事已处理 R-1", body="请确认是否修好。", url=page_url,
                       tag="report:1:resolved", urgent=True, address=address)
    webpush.send(message, app.config)
    [payload] = push_service.payloads(browser_subscription)  # checked and decrypted there

    cdp = context.new_cdp_session(page)
    registration = registration_id(cdp, page)
    deliver = {"origin": live_server.url, "registrationId": registration,
               "data": json.dumps(payload, ensure_ascii=False)}
    cdp.send("ServiceWorker.deliverPushMessage", deliver)
    assert shown(page, 1) == [{"title": "报事已处理 R-1", "body": "请确认是否修好。",
                               "tag": "report:1:resolved", "renotify": True, "url": url}]
    # The same message delivered again replaces the first; another one is shown beside it.
    cdp.send("ServiceWorker.deliverPushMessage", deliver)
    other = {**payload, "title": "报事已关闭 R-1", "tag": "report:1:closed", "urgent": False}
    cdp.send("ServiceWorker.deliverPushMessage",
             {**deliver, "data": json.dumps(other, ensure_ascii=False)})
    assert sorted(n["tag"] for n in shown(page, 2)) == ["report:1:closed", "report:1:resolved"]

    # Tapping a notification cannot be done headless (there is no notification to click and
    # a synthetic notificationclick may not open or focus windows). What can be checked: the
    # page it opens is on this site, whatever the payload says, and the open tab is found.
    worker = context.service_workers[0]
    assert worker.evaluate("pageOf('https://elsewhere.example/t/x?y=1')") == \
        f"{live_server.url}/t/x?y=1"
    assert worker.evaluate("(url) => windowShowing(url).then((c) => c && c.url)", url) == url

    page.reload()
    page.get_by_text("已开启").wait_for()  # remembered on the device
    page.get_by_role("button", name="关闭").click()
    page.get_by_role("button", name="在此设备上接收通知").wait_for()
    assert active_rows(live_server, report_id) == []
    context.close()


def test_permission_is_asked_on_the_click_and_a_failure_is_said(browser, live_server,
                                                               tracking):
    """Chromium's own push stack (incognito here) refuses: the page says so and nothing is
    stored. Nothing asks for permission before the button is pressed."""
    report_id, url = tracking
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    button = page.get_by_role("button", name="在此设备上接收通知")
    button.wait_for()
    assert page.evaluate("Notification.permission") == "default"
    context.grant_permissions(["notifications"], origin=live_server.url)
    button.click()
    page.get_by_text("未能在此开启通知，请稍后再试。").wait_for()
    assert button.is_visible() and not page.get_by_text("已开启").is_visible()
    assert active_rows(live_server, report_id) == []
    context.close()
