"""The SMS channel (channels/sms.py): the log provider, and Alibaba Cloud SMS against a local
fake that recomputes the request signature and checks every parameter."""

import logging

import pytest

from webapp import create_app
from webapp.channels import DeliveryFailed, Outgoing
from webapp.channels.sms import aliyun_phone, aliyun_signature, send

URL = "https://mashang.example.cn/t/Yx3kQ9"


def text(phone="+8613800138000", **changes):
    fields = {"title": "您的报事 R-20261201-0007 已处理", "body": "楼道灯已修好，请确认。",
              "url": URL, "tag": "event-9:resident:sms", "address": {"phone": phone}}
    return Outgoing(**{**fields, **changes})


def test_the_log_provider_is_the_default_and_writes_the_text(caplog):
    with caplog.at_level(logging.INFO, logger="mashang.sms"):
        send(text(), {})
    record, = [r for r in caplog.records if r.name == "mashang.sms"]
    assert "+8613800138000" in record.getMessage() and URL in record.getMessage()
    assert "R-20261201-0007" in record.getMessage()


def test_an_unknown_provider_fails_for_good():
    with pytest.raises(DeliveryFailed) as failed:
        send(text(), {"SMS_PROVIDER": "carrier-pigeon"})
    assert not failed.value.retry and "carrier-pigeon" in failed.value.reason


def test_aliyun_gets_a_signed_request_with_the_template_variables(aliyun_sms):
    send(text(), aliyun_sms.settings())
    sent, = aliyun_sms.accepted
    assert sent["phones"] == ["13800138000"] and sent["sign_name"] == "码上办"
    assert sent["variables"] == {"title": "您的报事 R-20261201-0007 已处理", "link": URL}


def test_the_template_variables_are_named_by_the_settings_and_a_long_title_is_cut(aliyun_sms):
    send(text(title="长" * 50), aliyun_sms.settings(SMS_TEMPLATE_TITLE_VARIABLE="name",
                                                  SMS_TEMPLATE_LINK_VARIABLE="url"))
    variables = aliyun_sms.accepted[0]["variables"]
    assert variables == {"name": "长" * 34 + "…", "url": URL}


def test_numbers_as_stored_are_sent_as_aliyun_spells_them(aliyun_sms):
    for stored in ("+8613900000077", "13900000077", "+447911123456", "+85261234567"):
        send(text(stored), aliyun_sms.settings())
    assert [s["phones"] for s in aliyun_sms.accepted] == [
        ["13900000077"], ["13900000077"], ["00447911123456"], ["0085261234567"]]


@pytest.mark.parametrize("phone", ["", None, "12345", "010-62345678", "+861010"])
def test_a_number_no_text_can_reach_fails_for_good_without_asking(aliyun_sms, phone):
    with pytest.raises(DeliveryFailed) as failed:
        send(text(phone), aliyun_sms.settings())
    assert not failed.value.retry
    assert aliyun_sms.accepted == [] and aliyun_sms.refused == []


def test_a_wrong_secret_is_refused_by_the_signature_check(aliyun_sms):
    with pytest.raises(DeliveryFailed) as failed:
        send(text(), aliyun_sms.settings(SMS_ALIYUN_ACCESS_KEY_SECRET="not-the-secret"))
    assert not failed.value.retry and "SignatureDoesNotMatch" in failed.value.reason
    assert aliyun_sms.accepted == []


def test_an_unknown_access_key_and_unapproved_sign_or_template_fail_for_good(aliyun_sms):
    for settings, code in ((dict(SMS_ALIYUN_ACCESS_KEY_ID="LTAInobody"),
                            "InvalidAccessKeyId.NotFound"),
                           (dict(SMS_SIGN_NAME="别的签名"), "isv.SMS_SIGNATURE_ILLEGAL"),
                           (dict(SMS_TEMPLATE_CODE="SMS_999"), "isv.SMS_TEMPLATE_ILLEGAL")):
        with pytest.raises(DeliveryFailed) as failed:
            send(text(), aliyun_sms.settings(**settings))
        assert not failed.value.retry and code in failed.value.reason
    assert aliyun_sms.accepted == []


@pytest.mark.parametrize(("code", "status", "retry"), [
    ("isv.BUSINESS_LIMIT_CONTROL", 200, True),
    ("Throttling.User", 400, True),
    ("isp.SYSTEM_ERROR", 200, True),
    ("ServiceUnavailable", 503, True),
    ("isv.MOBILE_NUMBER_ILLEGAL", 200, False),
    ("isv.SMS_SIGNATURE_ILLEGAL", 200, False),
    ("isv.SMS_TEMPLATE_ILLEGAL", 200, False),
    ("SignatureDoesNotMatch", 400, False),
    ("InvalidAccessKeyId.NotFound", 404, False),
])
def test_each_answer_is_tried_again_or_not(aliyun_sms, code, status, retry):
    aliyun_sms.answer_code(code, status=status)
    with pytest.raises(DeliveryFailed) as failed:
        send(text(), aliyun_sms.settings())
    assert failed.value.retry is retry and code in failed.value.reason


def test_each_request_has_its_own_nonce(aliyun_sms):
    send(text(), aliyun_sms.settings())
    send(text(), aliyun_sms.settings())
    assert len(aliyun_sms.accepted) == 2 and len(aliyun_sms.nonces) == 2


def test_missing_settings_fail_for_good_at_send_and_are_warned_at_start(caplog):
    with pytest.raises(DeliveryFailed) as failed:
        send(text(), {"SMS_PROVIDER": "aliyun", "SMS_SIGN_NAME": "码上办"})
    assert not failed.value.retry
    assert "SMS_ALIYUN_ACCESS_KEY_ID" in failed.value.reason
    assert "SMS_TEMPLATE_CODE" in failed.value.reason
    assert "SMS_SIGN_NAME" not in failed.value.reason
    with caplog.at_level(logging.WARNING):
        create_app({"TESTING": True, "SECRET_KEY": "x", "SMS_PROVIDER": "aliyun",
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert any("SMS_ALIYUN_ACCESS_KEY_SECRET" in r.getMessage() for r in caplog.records)


def test_an_unreachable_provider_is_tried_again(aliyun_sms):
    with pytest.raises(DeliveryFailed) as failed:
        send(text(), aliyun_sms.settings(SMS_ALIYUN_ENDPOINT="http://127.0.0.1:9/"))
    assert failed.value.retry


def test_the_signature_is_alibaba_clouds_documented_example():
    """The SendSms example of Alibaba Cloud's SMS signature documentation (AccessKey
    "testId", secret "testSecret"), and the DescribeRegions one of its RPC signature page."""
    params = {"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML",
              "OutId": "123", "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou",
              "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
              "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
              "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
              "Version": "2017-05-25"}
    assert aliyun_signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    regions = {"Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions",
               "SignatureMethod": "HMAC-SHA1",
               "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
               "SignatureVersion": "1.0", "Version": "2014-05-26",
               "Timestamp": "2016-02-23T12:46:24Z"}
    assert aliyun_signature(regions, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_aliyun_phone_needs_a_mobile():
    assert aliyun_phone("+8618912345678") == "18912345678"
    with pytest.raises(DeliveryFailed):
        aliyun_phone("+86 10 6234 5678")
