"""A fake DingTalk (钉钉) custom robot with "加签" security: POST
/robot/send?access_token=…&timestamp=<ms>&sign=… with a markdown message. The sign is
recomputed with the robot's own secret (Base64 HMAC-SHA256 of "timestamp\\nsecret") and the
timestamp must be within an hour of now, else errcode 310000, as DingTalk answers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pytest

from tests.fakes.server import FakeService

PATH = "/robot/send"
HOUR_MS = 3600 * 1000


class FakeDingTalk(FakeService):
    def __init__(self, secret: str | None = None):
        super().__init__()
        self.token = secrets.token_hex(16)
        self.secret = secret if secret is not None else "SEC" + secrets.token_hex(32)

    @property
    def webhook(self) -> str:
        return f"{self.url}{PATH}?access_token={self.token}"

    def answer_errcode(self, errcode: int, errmsg: str, times: int = 1) -> None:
        self.answer_next(200, {"errcode": errcode, "errmsg": errmsg}, times)

    def sign_matches(self, args) -> bool:
        try:
            timestamp = int(args["timestamp"])
        except (KeyError, ValueError):
            return False
        if abs(time.time() * 1000 - timestamp) > HOUR_MS:
            return False
        mac = hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(),
                       hashlib.sha256)
        expected = base64.b64encode(mac.digest()).decode()
        return hmac.compare_digest(expected, args.get("sign", ""))

    def answer(self, request):
        args = request.args
        if request.method != "POST" or request.path != PATH \
                or args.get("access_token") != self.token:
            return self.refuse(request, 200, {"errcode": 300001, "errmsg": "token is not exist"})
        if self.secret and not self.sign_matches(args):
            return self.refuse(request, 200, {
                "errcode": 310000,
                "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"})
        try:
            sent = request.json()
            title, text = sent["markdown"]["title"], sent["markdown"]["text"]
            assert sent["msgtype"] == "markdown" and title and text
            assert isinstance(title, str) and isinstance(text, str)
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.refuse(request, 200, {"errcode": 40035, "errmsg": "缺少参数 markdown"})
        self.accepted.append({"title": title, "text": text, "timestamp": args.get("timestamp")})
        return 200, {"errcode": 0, "errmsg": "ok"}


@pytest.fixture
def dingtalk():
    with FakeDingTalk() as fake:
        yield fake
