"""Group robots (domain/people/robots.py): only the providers' own https webhooks are taken,
DingTalk keeps its signing secret, and the worker gets an address or None."""

import pytest
from sqlalchemy import select

from webapp.domain import unit_of_work
from webapp.domain.people import robots
from webapp.domain.people.robots import RobotRefused, webhook_fault
from webapp.extensions import db
from webapp.models import Organization

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=566cc69da782ec"
SECRET = "SEC" + "a1" * 30


@pytest.mark.parametrize(("kind", "url", "fault"), [
    ("wecom", WECOM, None),
    ("dingtalk", DINGTALK, None),
    ("wecom", "https://QYAPI.weixin.qq.com:443/cgi-bin/webhook/send?key=k", None),
    ("wecom", WECOM.replace("https", "http"), "https"),
    ("wecom", DINGTALK, "host"),                     # the other provider's host
    ("dingtalk", WECOM, "host"),
    ("wecom", WECOM.replace("qq.com", "qq.com.example.net"), "host"),
    ("wecom", WECOM.replace("qyapi.weixin.qq.com", "qyapi.weixin.qq.com:8443"), "host"),
    ("wecom", WECOM.replace("https://", "https://me:pw@"), "host"),
    ("wecom", "https://169.254.169.254/cgi-bin/webhook/send?key=k", "host"),
    ("wecom", "https://127.0.0.1/cgi-bin/webhook/send?key=k", "host"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/other?key=k", "path"),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "path"),
    ("wecom", WECOM + "#x", "path"),
    ("dingtalk", "https://oapi.dingtalk.com/robot/send?token=x", "path"),
    ("wecom", "ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "url"),
    ("wecom", "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "url"),
    ("wecom", WECOM + " x", "url"),
    ("wecom", WECOM + "\n", "url"),
    ("wecom", "https://[::1/cgi-bin/webhook/send?key=k", "url"),
    ("wecom", "", "missing"),
    ("feishu", WECOM, "kind"),
    (None, WECOM, "kind"),
])
def test_only_the_providers_own_https_webhooks_are_taken(kind, url, fault):
    assert webhook_fault(kind, url) == fault


def test_configured_hosts_replace_the_providers_and_allow_http_on_loopback_only():
    local = ["127.0.0.1", "localhost"]
    assert webhook_fault("wecom", "http://127.0.0.1:8123/cgi-bin/webhook/send?key=k",
                         local) is None
    assert webhook_fault("dingtalk", "http://localhost:9/robot/send?access_token=t",
                         local) is None
    assert webhook_fault("wecom", WECOM, local) == "host"  # a replacement, not an addition
    assert webhook_fault("wecom", "http://hooks.example.cn/cgi-bin/webhook/send?key=k",
                         ["hooks.example.cn"]) == "https"
    assert webhook_fault("wecom", "https://hooks.example.cn/cgi-bin/webhook/send?key=k",
                         ["hooks.example.cn"]) is None


@pytest.fixture
def org(demo):
    """A property company without a group robot (the demo gives each one)."""
    company = db.session.scalar(select(Organization).where(Organization.kind == "property"))
    robots.clear_robot(company)
    db.session.commit()
    return company


def test_a_refused_webhook_says_why_and_changes_nothing(org):
    for url, words in ((WECOM.replace("https", "http"), "https://"),
                       ("https://example.com/cgi-bin/webhook/send?key=k", "qyapi.weixin.qq.com"),
                       (WECOM + "a" * 300, "300")):
        with pytest.raises(RobotRefused) as refused:
            robots.set_robot(org, "wecom", url)
        assert words in str(refused.value) and refused.value.field == "webhook"
    db.session.expire_all()
    assert org.robot_kind is None and org.robot_webhook is None


def test_dingtalk_keeps_its_secret_when_none_is_typed_and_wecom_has_none(org):
    with unit_of_work():
        robots.set_robot(org, "dingtalk", f"  {DINGTALK} ", SECRET)
    assert (org.robot_kind, org.robot_webhook, org.robot_secret) == ("dingtalk", DINGTALK,
                                                                      SECRET)
    with unit_of_work():
        robots.set_robot(org, "dingtalk", DINGTALK + "x", "")
    assert org.robot_secret == SECRET and org.robot_webhook == DINGTALK + "x"
    assert robots.address_for(org) == {"kind": "dingtalk", "webhook": DINGTALK + "x",
                                       "secret": SECRET}
    with unit_of_work():
        robots.set_robot(org, "wecom", WECOM, "ignored")
    assert org.robot_secret is None
    assert robots.address_for(org) == {"kind": "wecom", "webhook": WECOM, "secret": None}
    with unit_of_work():  # a secret never follows a WeCom robot back to DingTalk
        robots.set_robot(org, "dingtalk", DINGTALK, "")
    assert org.robot_secret is None


def test_a_secret_is_one_word_that_fits(org):
    for secret, words in (("SEC abc", "SEC…"), ("SEC密钥", "SEC…"), ("S" * 121, "120")):
        with pytest.raises(RobotRefused) as refused:
            robots.set_robot(org, "dingtalk", DINGTALK, secret)
        assert words in str(refused.value) and refused.value.field == "secret"


def test_clearing_leaves_no_address(org):
    with unit_of_work():
        robots.set_robot(org, "dingtalk", DINGTALK, SECRET)
    with unit_of_work():
        robots.clear_robot(org)
    assert (org.robot_kind, org.robot_webhook, org.robot_secret) == (None, None, None)
    assert robots.address_for(org) is None and robots.address_for(None) is None


def test_the_community_lists_its_own_organisations_office_first(org):
    listed = robots.organizations_of(org.community_id)
    assert org in listed and listed[0].kind == "office"
    assert {o.community_id for o in listed} == {org.community_id}


def test_a_secret_is_shown_masked():
    assert robots.masked_secret(SECRET) == "SEC••••••••a1"
    assert robots.masked_secret("short") == "••••••••" and robots.masked_secret(None) == ""
