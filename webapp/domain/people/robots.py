"""Organisations' group robots (WeCom 企业微信, DingTalk 钉钉): which webhook an admin may set,
and the address the worker posts an organisation's jobs to.

An admin types the webhook and the worker posts to it from inside our network, so a webhook
is accepted only as https to the provider's own host and path (no other host, port, user
or fragment): otherwise the worker could be sent to any address, internal ones included
(server-side request forgery). The channel checks again before every post
(channels/robots.py), so a row written another way is refused there too."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from urllib.parse import parse_qs, urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import Organization
from webapp.models.text import TextTooLong, fit, plain

WECOM, DINGTALK = "wecom", "dingtalk"
KINDS = (WECOM, DINGTALK)
KIND_LABELS = {WECOM: _l("WeCom group robot"), DINGTALK: _l("DingTalk group robot")}
# Each provider's host, the path of its robot webhook and the query key that names the robot.
PROVIDER = {
    WECOM: ("qyapi.weixin.qq.com", "/cgi-bin/webhook/send", "key"),
    DINGTALK: ("oapi.dingtalk.com", "/robot/send", "access_token"),
}
LOOPBACK_NAMES = {"localhost"}

# Why a webhook is refused: the channel logs the key, the admin reads the message.
FAULTS = {
    "kind": _l("Please choose WeCom or DingTalk."),
    "missing": _l("Please paste the robot's webhook address."),
    "url": _l("This is not a web address. Please paste the robot's webhook address as the "
              "app shows it."),
    "https": _l("The webhook must start with https://."),
    "host": _l("This webhook is not on %(host)s. Please paste the address the app shows when "
               "you add the custom robot to the group."),
    "path": _l("This is not a robot webhook of %(host)s: it should look like "
               "https://%(host)s%(path)s?%(key)s=…"),
}
SECRET_FAULT = _l("The signing secret is a single word of letters and digits (DingTalk shows "
                  "it as SEC…).")


class RobotRefused(DomainRefused):
    """str() is a message for the admin."""


def allowed_hosts(kind: str, configured: Collection[str] | None) -> set[str]:
    """The hosts a webhook of `kind` may go to: the provider's own, or the configured list
    (ROBOT_HOSTS) instead."""
    if configured:
        return {host.lower() for host in configured}
    return {PROVIDER[kind][0]} if kind in PROVIDER else set()


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_fault(kind: str | None, url: str | None,
                  configured_hosts: Collection[str] | None = None) -> str | None:
    """None if the worker may post to `url` for a robot of `kind`, else the key of FAULTS
    that says why not."""
    if kind not in KINDS:
        return "kind"
    if not url:
        return "missing"
    if url != url.strip() or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "url"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "url"
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return "url"
    if parts.scheme == "http" and not (configured_hosts and _is_loopback(host)):
        return "https"
    if host not in allowed_hosts(kind, configured_hosts) or parts.username is not None \
            or parts.password is not None:
        return "host"
    if not configured_hosts and port not in (None, 443):
        return "host"
    _host, path, key = PROVIDER[kind]
    if parts.path != path or parts.fragment or not parse_qs(parts.query).get(key):
        return "path"
    return None


def check_webhook(kind: str | None, url: str | None,
                  configured_hosts: Collection[str] | None = None) -> str:
    """`url` as stored, or RobotRefused with a message for the admin."""
    try:
        url = fit(Organization.robot_webhook, url, _l("Webhook"))
    except TextTooLong as error:
        raise RobotRefused(str(error), "webhook") from None
    fault = webhook_fault(kind, url, configured_hosts)
    if fault:
        host, path, key = PROVIDER.get(kind, ("", "", ""))
        raise RobotRefused(FAULTS[fault] % {"host": host, "path": path, "key": key},
                           "kind" if fault == "kind" else "webhook")
    return url


def _check_secret(secret: str) -> str:
    try:
        secret = fit(Organization.robot_secret, secret, _l("Signing secret"))
    except TextTooLong as error:
        raise RobotRefused(str(error), "secret") from None
    if not (secret.isascii() and secret.isalnum()):
        raise RobotRefused(SECRET_FAULT, "secret")
    return secret


def organizations_of(community_id: int) -> list[Organization]:
    """The community's active organisations, the office first."""
    return list(db.session.scalars(
        select(Organization).where(Organization.community_id == community_id,
                                   Organization.active)
        .order_by(Organization.kind != "office", Organization.kind, Organization.name)))


def set_robot(org: Organization, kind: str | None, webhook: str | None,
              secret: str | None = None, *,
              configured_hosts: Collection[str] | None = None) -> None:
    """Posts `org`'s jobs to this robot from now on. A DingTalk robot keeps its signing
    secret when `secret` is empty (the form never shows it again); a WeCom robot has none."""
    webhook = check_webhook(kind, plain(webhook or "").strip(), configured_hosts)
    secret = plain(secret or "").strip()
    if kind == DINGTALK:
        kept = org.robot_secret if org.robot_kind == DINGTALK else None
        secret = _check_secret(secret) if secret else kept
    else:
        secret = None
    org.robot_kind, org.robot_webhook, org.robot_secret = kind, webhook, secret


def clear_robot(org: Organization) -> None:
    org.robot_kind = org.robot_webhook = org.robot_secret = None


def address_for(org: Organization | None) -> dict | None:
    """What channels/robots.py posts to for `org` (Outgoing.address), or None: no robot."""
    if org is None or org.robot_kind not in KINDS or not org.robot_webhook:
        return None
    return {"kind": org.robot_kind, "webhook": org.robot_webhook, "secret": org.robot_secret}


def masked_secret(secret: str | None) -> str:
    """How a saved secret is shown: enough to tell two apart, never enough to use."""
    if not secret:
        return ""
    return secret[:3] + "•" * 8 + secret[-2:] if len(secret) > 8 else "•" * 8
