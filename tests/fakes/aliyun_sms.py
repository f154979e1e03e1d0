"""A fake Alibaba Cloud SMS (Dysmsapi SendSms, RPC style, version 2017-05-25). It recomputes
the signature version 1.0 with the AccessKey secret it was given (HMAC-SHA1 over
"GET&%2F&" + the encoded, sorted query, keyed with secret + "&"), checks the common and
SendSms parameters and the phone format, and answers as Dysmsapi does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from tests.fakes.server import FakeService

REQUIRED = ("AccessKeyId", "Action", "Format", "PhoneNumbers", "RegionId", "Signature",
            "SignatureMethod", "SignatureNonce", "SignatureVersion", "SignName",
            "TemplateCode", "Timestamp", "Version")
FIXED = {"Action": "SendSms", "Format": "JSON", "SignatureMethod": "HMAC-SHA1",
         "SignatureVersion": "1.0", "Version": "2017-05-25"}
# A mainland mobile as its 11 digits; elsewhere 00 + country code + number.
PHONE = re.compile(r"1[3-9]\d{9}|00[1-9]\d{6,14}")


def rfc3986(value: str) -> str:
    return quote(value.encode("utf-8"), safe="~")


class FakeAliyunSms(FakeService):
    def __init__(self, sign_name="码上办", template_code="SMS_000000001"):
        super().__init__()
        self.access_key_id = "LTAI" + secrets.token_hex(8)
        self.access_key_secret = secrets.token_urlsafe(24)
        self.sign_name, self.template_code = sign_name, template_code
        self.nonces: set[str] = set()

    def settings(self, **overrides) -> dict:
        """The app config that sends to this fake."""
        return {"SMS_PROVIDER": "aliyun", "SMS_ALIYUN_ENDPOINT": self.url + "/",
                "SMS_ALIYUN_ACCESS_KEY_ID": self.access_key_id,
                "SMS_ALIYUN_ACCESS_KEY_SECRET": self.access_key_secret,
                "SMS_SIGN_NAME": self.sign_name, "SMS_TEMPLATE_CODE": self.template_code,
                **overrides}

    def answer_code(self, code: str, message: str = "", status: int = 200, times: int = 1):
        self.answer_next(status, {"RequestId": secrets.token_hex(8), "Code": code,
                                  "Message": message or code}, times)

    def expected_signature(self, query: list[tuple[str, str]], method: str) -> str:
        pairs = sorted((k, v) for k, v in query if k != "Signature")
        canonical = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in pairs)
        to_sign = f"{method}&{rfc3986('/')}&{rfc3986(canonical)}"
        mac = hmac.new((self.access_key_secret + "&").encode(), to_sign.encode(), hashlib.sha1)
        return base64.b64encode(mac.digest()).decode()

    def error(self, request, status, code, message):
        return self.refuse(request, status, {"RequestId": secrets.token_hex(8),
                                             "HostId": "dysmsapi.aliyuncs.com",
                                             "Code": code, "Message": message})

    def answer(self, request):
        args = request.args
        if request.path != "/" or len(args) != len(request.query):
            return self.error(request, 400, "InvalidParameter", "repeated or misplaced")
        for name in REQUIRED:
            if not args.get(name):
                return self.error(request, 400, f"Missing{name}", f"{name} is mandatory")
        for name, value in FIXED.items():
            if args[name] != value:
                return self.error(request, 400, f"Invalid{name}", f"{name} is not valid")
        try:
            when = datetime.strptime(args["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return self.error(request, 400, "InvalidTimeStamp.Format", "bad Timestamp")
        if abs(datetime.now(UTC) - when) > timedelta(minutes=15):
            return self.error(request, 400, "InvalidTimeStamp.Expired", "Timestamp expired")
        if args["AccessKeyId"] != self.access_key_id:
            return self.error(request, 404, "InvalidAccessKeyId.NotFound",
                              "Specified access key is not found.")
        if not hmac.compare_digest(args["Signature"],
                                   self.expected_signature(request.query, request.method)):
            return self.error(request, 400, "SignatureDoesNotMatch",
                              "Specified signature is not matched with our calculation.")
        if args["SignatureNonce"] in self.nonces:
            return self.error(request, 400, "SignatureNonceUsed",
                              "Specified signature nonce was used already.")
        self.nonces.add(args["SignatureNonce"])
        phones = args["PhoneNumbers"].split(",")
        if not all(PHONE.fullmatch(phone) for phone in phones):
            return self.error(request, 200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if args["SignName"] != self.sign_name:
            return self.error(request, 200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if args["TemplateCode"] != self.template_code:
            return self.error(request, 200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            variables = json.loads(args.get("TemplateParam") or "{}")
            assert isinstance(variables, dict)
            assert all(isinstance(v, str) for v in variables.values())
        except (ValueError, AssertionError):
            return self.error(request, 200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        self.accepted.append({"phones": phones, "sign_name": args["SignName"],
                              "template_code": args["TemplateCode"], "variables": variables,
                              "out_id": args.get("OutId")})
        return 200, {"RequestId": secrets.token_hex(8), "Code": "OK", "Message": "OK",
                     "BizId": secrets.token_hex(10)}


@pytest.fixture
def aliyun_sms():
    with FakeAliyunSms() as fake:
        yield fake
