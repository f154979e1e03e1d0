"""The group-robot channel (channels/robots.py) against local fakes of WeCom and DingTalk
that check the message format and DingTalk's signature."""

import socket

import pytest

from tests.fakes.dingtalk import FakeDingTalk
from webapp.channels import DeliveryFailed, Outgoing
from webapp.channels.robots import CONTENT_BYTES, send

CONFIG = {"ROBOT_HOSTS": ["127.0.0.1"], "ROBOT_TIMEOUT": 3}
URL = "https://mashang.example.cn/staff/reports/42"


def message(address, **changes):
    fields = {"title": "新报事 R-20261201-0007", "body": "微波宿舍 1号楼 2单元：楼道灯不亮",
              "url": URL, "tag": "event-7:org-3:robot", "address": address}
    return Outgoing(**{**fields, **changes})


def wecom_address(fake):
    return {"kind": "wecom", "webhook": fake.webhook, "secret": None}


def dingtalk_address(fake, secret=None):
    return {"kind": "dingtalk", "webhook": fake.webhook,
            "secret": fake.secret if secret is None else secret}


def test_wecom_gets_a_bold_title_the_body_and_a_link(wecom):
    send(message(wecom_address(wecom)), CONFIG)
    content, = [m["content"] for m in wecom.accepted]
    assert content.startswith("**新报事 R-20261201-0007**\n")
    assert "微波宿舍 1号楼 2单元：楼道灯不亮" in content
    assert content.endswith(f"[{URL}]({URL})")
    assert "紧急" not in content


def test_an_urgent_message_is_marked_in_red(wecom, dingtalk):
    send(message(wecom_address(wecom), urgent=True), CONFIG)
    assert wecom.accepted[0]["content"].startswith('**<font color="warning">紧急</font> 新报事')
    send(message(dingtalk_address(dingtalk), urgent=True), CONFIG)
    assert dingtalk.accepted[0]["text"].startswith("**【紧急】新报事")


def test_a_long_body_is_shortened_to_wecoms_limit_keeping_the_link(wecom):
    send(message(wecom_address(wecom), body="漏水" * 3000), CONFIG)
    content = wecom.accepted[0]["content"]
    assert len(content.encode()) <= CONTENT_BYTES and content.endswith(f"({URL})")
    assert "…" in content


def test_typed_text_cannot_post_a_link_or_colour_into_the_group(wecom):
    send(message(wecom_address(wecom), title="R-1 [领奖](http://evil.example)",
                 body='<font color="info">假通知</font>\n# 大标题\n> 引用 3#楼'), CONFIG)
    content = wecom.accepted[0]["content"]
    assert "](http://evil" not in content and "<font color=\"info\">" not in content
    assert "\n# " not in content and "\n>" not in content and "3#楼" in content


def test_wecom_rate_limit_is_tried_again_other_refusals_are_not(wecom):
    wecom.answer_errcode(45009, "api freq out of limit")
    with pytest.raises(DeliveryFailed) as limited:
        send(message(wecom_address(wecom)), CONFIG)
    assert limited.value.retry and "45009" in limited.value.reason
    wecom.answer_errcode(93000, "invalid webhook url")
    with pytest.raises(DeliveryFailed) as refused:
        send(message(wecom_address(wecom)), CONFIG)
    assert not refused.value.retry and "invalid webhook url" in refused.value.reason
    with pytest.raises(DeliveryFailed) as unknown_key:  # the fake's own check, no forcing
        send(message({**wecom_address(wecom), "webhook": wecom.webhook + "x"}), CONFIG)
    assert not unknown_key.value.retry and "93000" in unknown_key.value.reason
    assert wecom.accepted == []


def test_dingtalk_gets_a_signed_markdown_message(dingtalk):
    send(message(dingtalk_address(dingtalk)), CONFIG)
    sent, = dingtalk.accepted
    assert sent["title"] == "新报事 R-20261201-0007" and f"({URL})" in sent["text"]
    assert sent["timestamp"] and dingtalk.refused == []


def test_a_wrong_dingtalk_secret_is_refused_for_good(dingtalk):
    with pytest.raises(DeliveryFailed) as refused:
        send(message(dingtalk_address(dingtalk, secret="SEC" + "0" * 64)), CONFIG)
    assert not refused.value.retry and "310000" in refused.value.reason
    with pytest.raises(DeliveryFailed) as unsigned:  # the robot signs: unsigned is refused
        send(message({**dingtalk_address(dingtalk), "secret": None}), CONFIG)
    assert not unsigned.value.retry and "310000" in unsigned.value.reason
    assert dingtalk.accepted == [] and len(dingtalk.refused) == 2


def test_a_dingtalk_robot_without_signing_takes_unsigned_posts():
    with FakeDingTalk(secret="") as fake:
        send(message({"kind": "dingtalk", "webhook": fake.webhook, "secret": None}), CONFIG)
        assert len(fake.accepted) == 1 and fake.accepted[0]["timestamp"] is None


def test_dingtalk_too_fast_is_tried_again(dingtalk):
    dingtalk.answer_errcode(130101, "send too fast, exceed 20 times per minute")
    with pytest.raises(DeliveryFailed) as limited:
        send(message(dingtalk_address(dingtalk)), CONFIG)
    assert limited.value.retry


def test_server_errors_and_unreadable_answers_are_tried_again(wecom):
    wecom.answer_next(502, {"error": "bad gateway"})
    with pytest.raises(DeliveryFailed) as failed:
        send(message(wecom_address(wecom)), CONFIG)
    assert failed.value.retry and "502" in failed.value.reason
    wecom.answer_next(404, {"error": "not here"})
    with pytest.raises(DeliveryFailed) as missing:
        send(message(wecom_address(wecom)), CONFIG)
    assert not missing.value.retry


def test_an_unreachable_or_silent_robot_is_tried_again():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    webhook = f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k"
    with pytest.raises(DeliveryFailed) as refused:
        send(message({"kind": "wecom", "webhook": webhook}), CONFIG)
    assert refused.value.retry
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        webhook = f"http://127.0.0.1:{silent.getsockname()[1]}/cgi-bin/webhook/send?key=k"
        with pytest.raises(DeliveryFailed) as timed_out:
            send(message({"kind": "wecom", "webhook": webhook}), CONFIG, timeout=0.3)
    assert timed_out.value.retry and "Timeout" in timed_out.value.reason


@pytest.mark.parametrize("webhook", [
    "http://10.0.0.8/cgi-bin/webhook/send?key=k",                # internal, not listed
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",    # not in ROBOT_HOSTS here
    "file:///etc/passwd",
])
def test_the_channel_checks_the_webhook_again_and_never_posts_elsewhere(wecom, webhook):
    with pytest.raises(DeliveryFailed) as refused:
        send(message({"kind": "wecom", "webhook": webhook}), CONFIG)
    assert not refused.value.retry and "not allowed" in refused.value.reason


def test_without_robot_hosts_only_the_providers_are_allowed(wecom):
    with pytest.raises(DeliveryFailed) as refused:
        send(message(wecom_address(wecom)), {"ROBOT_TIMEOUT": 3})
    assert not refused.value.retry and "(https)" in refused.value.reason
    assert wecom.accepted == [] and wecom.refused == []


def test_the_demo_writes_robot_posts_to_the_log_and_sends_nothing(wecom, caplog):
    message = Outgoing(title="新工单 7", body="水电", url="http://127.0.0.1/staff/reports/7",
                       tag="k", address={"kind": "wecom", "webhook": wecom.webhook})
    with caplog.at_level("INFO", logger="mashang.robots"):
        send(message, {"ROBOT_DELIVERY": "log", "ROBOT_HOSTS": ["127.0.0.1"]})
    assert wecom.accepted == [] and "新工单 7" in caplog.text
