"""A fake WeCom (企业微信) group robot: POST /cgi-bin/webhook/send?key=… with a markdown
message, answered as WeCom does ({"errcode": 0, "errmsg": "ok"})."""

from __future__ import annotations

import secrets

import pytest

from tests.fakes.server import FakeService

PATH = "/cgi-bin/webhook/send"
CONTENT_BYTES = 4096


class FakeWeCom(FakeService):
    def __init__(self):
        super().__init__()
        self.key = secrets.token_hex(8)

    @property
    def webhook(self) -> str:
        return f"{self.url}{PATH}?key={self.key}"

    def answer_errcode(self, errcode: int, errmsg: str, times: int = 1) -> None:
        self.answer_next(200, {"errcode": errcode, "errmsg": errmsg}, times)

    def answer(self, request):
        if request.method != "POST" or request.path != PATH \
                or request.args.get("key") != self.key:
            return self.refuse(request, 200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        try:
            sent = request.json()
            content = sent["markdown"]["content"]
            assert sent["msgtype"] == "markdown" and isinstance(content, str) and content
        except (ValueError, KeyError, TypeError, AssertionError):
            return self.refuse(request, 200, {"errcode": 40008, "errmsg": "invalid message type"})
        if len(content.encode("utf-8")) > CONTENT_BYTES:
            return self.refuse(request, 200, {
                "errcode": 40058, "errmsg": "markdown.content exceed max length 4096"})
        self.accepted.append({"key": self.key, "content": content})
        return 200, {"errcode": 0, "errmsg": "ok"}


@pytest.fixture
def wecom():
    with FakeWeCom() as fake:
        yield fake
