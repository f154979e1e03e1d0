"""Group robots: a markdown message posted to a WeCom (企业微信) or DingTalk (钉钉) group
through the robot's webhook.

    message.address = {"kind": "wecom" | "dingtalk", "webhook": url, "secret": str | None}

WeCom: POST {"msgtype": "markdown", "markdown": {"content": …}} to the webhook; the content
may hold at most 4096 bytes. DingTalk: the same with {"title": …, "text": …}; a robot with
"加签" security wants &timestamp=<ms>&sign=<Base64 HMAC-SHA256 of "timestamp\\nsecret", keyed
with the secret, URL-encoded> appended to the webhook. Both answer {"errcode": 0} when the
message was posted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

import requests

from webapp.channels import DeliveryFailed, Outgoing
from webapp.domain.people.robots import DINGTALK, WECOM, webhook_fault

CONTENT_BYTES = 4096        # WeCom's limit for markdown.content (errcode 40058 beyond)
DINGTALK_TITLE_CHARS = 64   # what DingTalk shows in the chat list
URGENT = "紧急"
# WeCom 45009: the robot's 20 messages a minute are used up. DingTalk 130101: "send too
# fast". Both pass: trying again later delivers.
RATE_LIMITED = {WECOM: {45009}, DINGTALK: {130101}}
# What would make user-typed text into markup (a link, a colour, a heading or quote at the
# start of a line) is shown as its full-width twin: a resident cannot post a link into the
# staff's group. Other characters stay as typed ("3#楼", "(东门)").
_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀", "*": "＊",
                         "\\": "＼"})
_LINE_START = str.maketrans({"#": "＃", "-": "－", "+": "＋"})

log = logging.getLogger("mashang.robots")


def plain_text(text: str) -> str:
    lines = text.translate(_MARKUP).split("\n")
    lines = (line.lstrip() for line in lines)
    return "\n".join(line[:1].translate(_LINE_START) + line[1:] for line in lines)


def link(url: str) -> str:
    """The page's address, percent-encoded where markdown would read it (spaces, brackets,
    parentheses)."""
    return quote(url, safe=":/?#&=%+-._~,;@!$'")


def _cut(text: str, limit: int) -> str:
    """`text` in at most `limit` UTF-8 bytes, cut on a character and marked with …"""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:max(limit - 3, 0)].decode(errors="ignore") + "…"


def markdown(message: Outgoing, kind: str) -> str:
    """Bold title (urgent ones marked), the body, and a link line, in CONTENT_BYTES."""
    title = plain_text(" ".join(message.title.split()))
    if message.urgent:
        mark = f'<font color="warning">{URGENT}</font> ' if kind == WECOM else f"【{URGENT}】"
        title = mark + title
    head = f"**{title}**\n\n"
    tail = f"\n\n[{link(message.url)}]({link(message.url)})"
    body = plain_text(message.body.strip())
    room = CONTENT_BYTES - len(head.encode()) - len(tail.encode())
    return head + _cut(body, room) + tail


def payload(message: Outgoing, kind: str) -> dict:
    text = markdown(message, kind)
    if kind == WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    title = " ".join(message.title.split())[:DINGTALK_TITLE_CHARS]
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's "加签": Base64 of HMAC-SHA256("timestamp\\nsecret") keyed with the secret,
    URL-encoded for the query."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return quote_plus(base64.b64encode(mac.digest()).decode())


def signed_webhook(webhook: str, secret: str | None) -> str:
    if not secret:
        return webhook
    timestamp = int(time.time() * 1000)
    return f"{webhook}&timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"


def send(message: Outgoing, config: Mapping, *, timeout: float | None = None) -> None:
    """Posts `message` to its robot; returns when the provider said errcode 0.
    `timeout` (seconds) overrides ROBOT_TIMEOUT: the admin's test button waits less."""
    address = message.address or {}
    kind, webhook = address.get("kind"), address.get("webhook")
    if config.get("ROBOT_DELIVERY") == "log":  # the demo: nothing leaves the machine
        log.info("%s robot post: %s · %s · %s", kind, message.title, message.body, message.url)
        return
    fault = webhook_fault(kind, webhook, config.get("ROBOT_HOSTS"))
    if fault:
        raise DeliveryFailed(f"robot webhook not allowed ({fault})", retry=False)
    url = signed_webhook(webhook, address.get("secret")) if kind == DINGTALK else webhook
    try:
        response = requests.post(url, json=payload(message, kind), allow_redirects=False,
                                 timeout=timeout or config.get("ROBOT_TIMEOUT", 10))
    except requests.RequestException as error:  # timeouts, refused connections
        raise DeliveryFailed(f"{kind} robot unreachable: {type(error).__name__}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise DeliveryFailed(f"{kind} robot answered HTTP {response.status_code}")
    if response.status_code != 200:
        raise DeliveryFailed(f"{kind} robot answered HTTP {response.status_code}", retry=False)
    try:
        answer = response.json()
        code = int(answer.get("errcode"))
    except (ValueError, TypeError, AttributeError):
        raise DeliveryFailed(f"{kind} robot gave an unreadable answer") from None
    if code == 0:
        return
    reason = f"{kind} robot refused: {code} {str(answer.get('errmsg', ''))[:200]}".strip()
    raise DeliveryFailed(reason, retry=code in RATE_LIMITED[kind])
