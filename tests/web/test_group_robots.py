"""The admin page "Organisations · group robots": set an organisation's WeCom or DingTalk
robot, its secret shown masked, a test message that reaches the (fake) group, bad webhooks
refused in the admin's language, other communities' organisations out of reach."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import login
from webapp.domain.people import robots
from webapp.extensions import db
from webapp.models import Community, Organization

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
PAGE = "/admin/organizations"


def csrf(client):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(PAGE).text).group(1)


@pytest.fixture
def admin(app, demo):
    app.config["ROBOT_HOSTS"] = ["127.0.0.1"]  # the fakes listen on loopback, plain http
    client = app.test_client()
    login(client, "admin")
    return client


@pytest.fixture
def org(demo):
    """A property company without a group robot (the demo gives each one)."""
    company = db.session.scalar(select(Organization).where(Organization.kind == "property",
                                                           Organization.community.has(
                                                               code="bayi")))
    robots.clear_robot(company)
    db.session.commit()
    return company


def save(client, org, headers=EN, **fields):
    return client.post(f"{PAGE}/{org.id}/robot", headers=headers,
                       data={"csrf_token": csrf(client), **fields})


def stored(org):
    db.session.expire_all()
    row = db.session.get(Organization, org.id)
    return row.robot_kind, row.robot_webhook, row.robot_secret


def test_the_page_lists_this_communitys_organisations_only(admin, org):
    page = admin.get(PAGE, headers=EN)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert org.name in page.text and f'href="{PAGE}"' in page.text  # and in the admin nav
    others = db.session.scalars(select(Organization).join(Community).where(
        Community.code != "bayi")).all()
    assert others and not any(f'id="org-{o.id}"' in page.text for o in others)


def test_a_wecom_robot_is_saved_and_its_test_message_reaches_the_group(admin, org, wecom):
    response = save(admin, org, kind="wecom", webhook=f" {wecom.webhook} ")
    assert response.status_code == 303
    assert stored(org) == ("wecom", wecom.webhook, None)
    page = admin.get(PAGE, headers=EN).text
    assert "WeCom group robot" in page and wecom.webhook in page
    sent = admin.post(f"{PAGE}/{org.id}/robot/test", data={"csrf_token": csrf(admin)},
                      headers=EN, follow_redirects=True)
    assert sent.status_code == 200 and "Test message sent" in sent.text
    content, = [m["content"] for m in wecom.accepted]
    assert org.name in content and "/staff/" in content


def test_a_dingtalk_secret_is_shown_masked_and_kept_when_left_empty(admin, org, dingtalk):
    assert save(admin, org, kind="dingtalk", webhook=dingtalk.webhook,
                secret=dingtalk.secret).status_code == 303
    page = admin.get(PAGE, headers=EN).text
    assert dingtalk.secret not in page
    assert f"Saved: {dingtalk.secret[:3]}••••••••{dingtalk.secret[-2:]}" in page
    assert save(admin, org, kind="dingtalk", webhook=dingtalk.webhook,
                secret="").status_code == 303
    assert stored(org) == ("dingtalk", dingtalk.webhook, dingtalk.secret)
    sent = admin.post(f"{PAGE}/{org.id}/robot/test", data={"csrf_token": csrf(admin)},
                      headers=EN)
    assert sent.status_code == 303 and len(dingtalk.accepted) == 1


def test_the_providers_refusal_is_shown(admin, org, dingtalk):
    save(admin, org, kind="dingtalk", webhook=dingtalk.webhook, secret="SECwrong0123")
    sent = admin.post(f"{PAGE}/{org.id}/robot/test", data={"csrf_token": csrf(admin)},
                      headers=EN)
    assert sent.status_code == 422 and "did not arrive" in sent.text and "310000" in sent.text
    assert dingtalk.accepted == []


def test_no_robot_no_test_message(admin, org):
    sent = admin.post(f"{PAGE}/{org.id}/robot/test", data={"csrf_token": csrf(admin)},
                      headers=EN)
    assert sent.status_code == 422 and "Save a robot" in sent.text


@pytest.mark.parametrize(("webhook", "english", "chinese"), [
    ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "must start with https://",
     "必须以 https:// 开头"),
    ("https://intranet.example.cn/cgi-bin/webhook/send?key=k", "not on qyapi.weixin.qq.com",
     "不在 qyapi.weixin.qq.com 上"),
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + "k" * 300, "at most 300",
     "Webhook 地址"),
])
def test_a_refused_webhook_is_explained_kept_in_the_form_and_not_stored(app, admin, org,
                                                                        webhook, english,
                                                                        chinese):
    app.config["ROBOT_HOSTS"] = None  # the providers' hosts only, as in production
    for headers, words in ((EN, english), (ZH, chinese)):
        response = save(admin, org, headers, kind="wecom", webhook=webhook)
        assert response.status_code == 422 and words in response.text
        assert f'value="{webhook}"' in response.text
    assert stored(org) == (None, None, None)


def test_choosing_none_removes_the_robot(admin, org, wecom):
    save(admin, org, kind="wecom", webhook=wecom.webhook)
    assert save(admin, org, kind="", webhook=wecom.webhook).status_code == 303
    assert stored(org) == (None, None, None)


def test_another_communitys_organisation_answers_404(admin, wecom):
    other = db.session.scalar(select(Organization).join(Community).where(
        Community.code != "bayi").order_by(Organization.id))
    before = stored(other)  # the demo's property companies have a robot of their own
    assert save(admin, other, kind="wecom", webhook=wecom.webhook).status_code == 404
    assert admin.post(f"{PAGE}/{other.id}/robot/test",
                      data={"csrf_token": csrf(admin)}).status_code == 404
    assert stored(other) == before


def test_only_admins_open_the_page(app, demo):
    client = app.test_client()
    login(client, "dispatcher")
    assert client.get(PAGE).status_code == 403
