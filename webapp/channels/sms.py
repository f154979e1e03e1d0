"""Text messages, through the provider SMS_PROVIDER names.

    message.address = {"phone": "+8613800138000"}   (as the app stores phones)

"log" (the default) writes the text to the `mashang.sms` logger: the outbox row is the record
and the demo's "sent messages" page shows it. "aliyun" sends it with Alibaba Cloud SMS
(Dysmsapi SendSms, RPC style, version 2017-05-25, signature version 1.0). Mainland China only
delivers texts of an approved template under an approved sign (签名): the message's title and
link fill the template's variables (SMS_TEMPLATE_TITLE_VARIABLE, SMS_TEMPLATE_LINK_VARIABLE)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import phonenumbers
import requests

from webapp.channels import DeliveryFailed, Outgoing
from webapp.domain.shared.phones import parse

log = logging.getLogger("mashang.sms")

ALIYUN_SETTINGS = ("SMS_ALIYUN_ACCESS_KEY_ID", "SMS_ALIYUN_ACCESS_KEY_SECRET", "SMS_SIGN_NAME",
                   "SMS_TEMPLATE_CODE")
# Codes after which the same text may go through later: the number's or the account's limit
# for now, throttling, the service itself.
ALIYUN_LATER = ("isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL",
                "isv.MONTH_LIMIT_CONTROL", "Throttling", "isp.SYSTEM_ERROR", "isp.RAM_SYSTEM",
                "ServiceUnavailable", "InternalError", "SignatureNonceUsed")


def missing_settings(config: Mapping) -> list[str]:
    """The settings the configured provider needs and does not have."""
    if config.get("SMS_PROVIDER", "log") == "aliyun":
        return [name for name in ALIYUN_SETTINGS if not config.get(name)]
    return []


def init_app(app) -> None:
    """At start: say now, not at the first text, when SMS cannot work."""
    provider = app.config.get("SMS_PROVIDER", "log")
    if provider not in PROVIDERS:
        app.logger.warning("SMS_PROVIDER %r is not one of %s: texts will fail", provider,
                           ", ".join(PROVIDERS))
    elif missing := missing_settings(app.config):
        app.logger.warning("SMS_PROVIDER is %r but %s not set: texts will fail", provider,
                           ", ".join(missing))


def text_of(message: Outgoing) -> str:
    return f"{message.title}: {message.body} {message.url}"


def send(message: Outgoing, config: Mapping) -> None:
    provider = PROVIDERS.get(config.get("SMS_PROVIDER", "log"))
    if provider is None:
        raise DeliveryFailed(f"unknown SMS_PROVIDER {config.get('SMS_PROVIDER')!r}",
                             retry=False)
    provider(message, config)


def send_to_log(message: Outgoing, config: Mapping) -> None:
    log.info("SMS to %s: %s", (message.address or {}).get("phone"), text_of(message))


# --- Alibaba Cloud SMS ----------------------------------------------------------------------

def aliyun_phone(stored: str | None) -> str:
    """PhoneNumbers as Dysmsapi wants it: a mainland mobile as its 11 digits, another
    country's as 00 + country code + number. A number no text can reach: DeliveryFailed."""
    number = parse(stored or "")
    if number is None:
        raise DeliveryFailed("not a phone number", retry=False)
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise DeliveryFailed("not a mobile number", retry=False)
    national = str(number.national_number)
    return national if number.country_code == 86 else f"00{number.country_code}{national}"


def percent(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud signs: unreserved characters as they are, a space
    as %20 (not +), everything else %XY of its UTF-8 bytes."""
    return quote(value, safe="-_.~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "GET") -> str:
    """Signature version 1.0: Base64(HMAC-SHA1(secret + "&", method&%2F&encoded query))."""
    query = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent('/')}&{percent(query)}"
    mac = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def aliyun_params(message: Outgoing, config: Mapping) -> dict[str, str]:
    limit = config.get("SMS_TEMPLATE_VALUE_MAX") or 35
    title = " ".join(message.title.split())
    variables = {config.get("SMS_TEMPLATE_TITLE_VARIABLE") or "title":
                 title if len(title) <= limit else title[:limit - 1] + "…",
                 config.get("SMS_TEMPLATE_LINK_VARIABLE") or "link": message.url}
    return {
        "AccessKeyId": config["SMS_ALIYUN_ACCESS_KEY_ID"],
        "Action": "SendSms",
        "Format": "JSON",
        # Our dedupe key, shortened: the provider's receipts name the message by it.
        "OutId": hashlib.sha256(message.tag.encode()).hexdigest()[:32],
        "PhoneNumbers": aliyun_phone((message.address or {}).get("phone")),
        "RegionId": config.get("SMS_ALIYUN_REGION") or "cn-hangzhou",
        "SignName": config["SMS_SIGN_NAME"],
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": config["SMS_TEMPLATE_CODE"],
        "TemplateParam": json.dumps(variables, ensure_ascii=False, separators=(",", ":")),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }


def send_with_aliyun(message: Outgoing, config: Mapping) -> None:
    if missing := missing_settings(config):
        raise DeliveryFailed(f"SMS settings missing: {', '.join(missing)}", retry=False)
    params = aliyun_params(message, config)
    params["Signature"] = aliyun_signature(params, config["SMS_ALIYUN_ACCESS_KEY_SECRET"])
    query = "&".join(f"{percent(k)}={percent(v)}" for k, v in params.items())
    endpoint = config.get("SMS_ALIYUN_ENDPOINT") or "https://dysmsapi.aliyuncs.com/"
    try:
        response = requests.get(f"{endpoint}?{query}", allow_redirects=False,
                                timeout=config.get("SMS_TIMEOUT", 10))
    except requests.RequestException as error:
        raise DeliveryFailed(f"aliyun SMS unreachable: {type(error).__name__}") from None
    try:
        answer = response.json()
        code = str(answer["Code"])
    except (ValueError, TypeError, KeyError):
        raise DeliveryFailed(f"aliyun SMS answered HTTP {response.status_code}",
                             retry=response.status_code >= 500) from None
    if code == "OK":
        return
    reason = f"aliyun SMS refused: {code} {str(answer.get('Message', ''))[:200]}".strip()
    raise DeliveryFailed(reason, retry=code.startswith(ALIYUN_LATER)
                         or response.status_code >= 500)


PROVIDERS = {"log": send_to_log, "aliyun": send_with_aliyun}
