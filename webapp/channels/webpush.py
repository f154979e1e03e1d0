"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291), through
pywebpush. `message.address` is the browser's `PushSubscription.toJSON()`:
{"endpoint": "https://…", "keys": {"p256dh": "…", "auth": "…"}}.

The VAPID key pair is the site's identity at every push service: a browser subscribes with
its public half, and a subscription answers only to pushes signed with the private half. It
comes from config (VAPID_PRIVATE_KEY: PEM text or the path of a PEM file) or is generated
once into VAPID_KEY_FILE (the instance folder). Losing it ends every subscription."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException

from webapp.channels import DeliveryFailed, Outgoing

# A push service takes at most 4096 bytes of record; aes128gcm adds a 86-byte header, a
# padding delimiter and a 16-byte tag. The body is shortened to fit, never the link.
MAX_PAYLOAD = 3800
JWT_LIFETIME = 12 * 3600  # RFC 8292: at most 24 hours
REASON_BODY = 80


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- the VAPID key -------------------------------------------------------------------------


def private_pem(config: Mapping) -> bytes:
    """The VAPID private key, PEM: from VAPID_PRIVATE_KEY (the PEM itself, or a path), else
    from VAPID_KEY_FILE, generated there the first time."""
    given = (config.get("VAPID_PRIVATE_KEY") or "").strip()
    if given.startswith("-----BEGIN"):
        return given.encode()
    if given:
        return Path(given).read_bytes()
    return generated_once(Path(config["VAPID_KEY_FILE"]))


def generated_once(path: Path) -> bytes:
    """The key kept at `path`; made now if there is none. Written to a private temporary
    file, then hard-linked into place: the link fails if another process got there first,
    and then both use that one, so processes starting together agree on one key."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)
    return path.read_bytes()


@lru_cache(maxsize=8)
def _signer(pem: bytes) -> Vapid02:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("the VAPID key must be an EC P-256 private key")
    # "no-strict": the subject is checked here (vapid_subject), not by py_vapid's pattern.
    return Vapid02(key, conf={"no-strict": True})


def vapid_signer(config: Mapping) -> Vapid02:
    return _signer(private_pem(config))


def application_server_key(config: Mapping) -> str:
    """The public key as the browser's pushManager.subscribe() wants it: the uncompressed
    P-256 point, base64url without padding."""
    public = vapid_signer(config).public_key
    return b64url(public.public_bytes(serialization.Encoding.X962,
                                      serialization.PublicFormat.UncompressedPoint))


def vapid_subject(config: Mapping) -> str:
    """Whom a push service may contact about our pushes: VAPID_SUBJECT, else the site's
    https address, else a mailto: at the site's host."""
    if config.get("VAPID_SUBJECT"):
        return config["VAPID_SUBJECT"]
    base = urlsplit(config.get("BASE_URL") or "")
    if base.scheme == "https" and base.hostname:
        return f"https://{base.netloc}"
    return f"mailto:webpush@{base.hostname or 'localhost'}"


def vapid_headers(config: Mapping, endpoint: str, now: float | None = None) -> dict:
    parts = urlsplit(endpoint)
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "sub": vapid_subject(config),
              "exp": int(now or time.time()) + JWT_LIFETIME}
    return vapid_signer(config).sign(claims)


# --- sending -------------------------------------------------------------------------------


def topic(tag: str) -> str:
    """RFC 8030 Topic: at most 32 base64url characters; a push service keeps only the last
    undelivered message of one topic, so a retried message replaces its first try."""
    return b64url(hashlib.sha256(tag.encode()).digest()[:24])


def payload(message: Outgoing) -> bytes:
    fields = {"title": message.title, "body": message.body, "url": message.url,
              "tag": message.tag, "urgent": message.urgent}
    data = json.dumps(fields, ensure_ascii=False).encode()
    while len(data) > MAX_PAYLOAD and fields["body"]:
        body = fields["body"]
        fields["body"] = body[:len(body) * 3 // 4] + "…" if len(body) > 4 else ""
        data = json.dumps(fields, ensure_ascii=False).encode()
    return data


def short(text: str) -> str:
    return " ".join(text.split())[:REASON_BODY]


def failure(response: requests.Response) -> DeliveryFailed:
    status = response.status_code
    reason = f"push service {status}: {short(response.text or response.reason or '')}".strip()
    if status in (404, 410):
        return DeliveryFailed(reason, retry=False, gone=True)
    return DeliveryFailed(reason, retry=status == 429 or status >= 500)


def send(message: Outgoing, config: Mapping) -> None:
    """Post one encrypted message to the subscription's push service."""
    address = message.address
    endpoint = address.get("endpoint") if isinstance(address, Mapping) else None
    if not isinstance(endpoint, str) or not endpoint:
        raise DeliveryFailed("no push endpoint", retry=False)
    try:
        headers = vapid_headers(config, endpoint)
    except (OSError, ValueError, TypeError) as error:
        raise DeliveryFailed(f"VAPID key: {short(str(error))}", retry=False) from error
    headers.update({"Urgency": "high" if message.urgent else "normal",
                    "Topic": topic(message.tag)})
    try:
        response = WebPusher(address).send(
            payload(message), headers, ttl=int(config.get("PUSH_TTL", 86400)),
            content_encoding="aes128gcm", timeout=float(config.get("PUSH_TIMEOUT", 10)))
    except (requests.ConnectionError, requests.Timeout) as error:
        raise DeliveryFailed(f"push service unreachable: {short(str(error))}") from error
    except requests.RequestException as error:
        raise DeliveryFailed(f"push request: {short(str(error))}", retry=False) from error
    except (WebPushException, ValueError, TypeError, KeyError, binascii.Error) as error:
        # The subscription's keys are not a P-256 point and a 16-byte secret.
        raise DeliveryFailed(f"bad subscription keys: {short(str(error))}",
                             retry=False) from error
    if not 200 <= response.status_code < 300:
        raise failure(response)
