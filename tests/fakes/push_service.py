"""A fake Web Push service on 127.0.0.1 that checks what a real one checks, and decrypts.

`push_service.subscription()` plays a browser: it makes a P-256 key pair and a 16-byte auth
secret, and hands out the `PushSubscription.toJSON()` shape, its endpoint on this server.
Each POST to an endpoint must carry
- `Authorization: vapid t=<JWT>, k=<key>`: an ES256 JWT signed by k, `aud` the endpoint's
  origin, `exp` in the future and at most 24 hours away, a `sub`; and k must be the key the
  subscription was made with, when one was given (a push service binds the two);
- a `TTL` header, `Content-Encoding: aes128gcm`, and a body that decrypts (RFC 8291) with
  the subscriber's private key and auth secret.
What passes is answered 201 and recorded in `deliveries` (the decrypted payload as JSON);
what fails is answered 400/401/403 and recorded in `rejected`. `answer(endpoint, status)`
makes an endpoint answer that status instead (410: the browser dropped it; 500, 429 …).

    def test_x(push_service):
        subscription = push_service.subscription()
        ... the app sends to it ...
        assert push_service.payloads(subscription)[0]["title"] == "…"
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_JWT_LIFETIME = 24 * 3600
MAX_RECORD = 4096


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def point(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.X962,
                                   serialization.PublicFormat.UncompressedPoint)


class Refusal(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Subscriber:
    """What the browser keeps of one subscription."""

    path: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    server_key: str | None  # the applicationServerKey it was made with, if any


@dataclass
class Delivery:
    endpoint: str
    headers: dict
    payload: dict
    claims: dict


@dataclass
class FakePushService:
    host: str = "127.0.0.1"
    subscribers: dict = field(default_factory=dict)
    deliveries: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)

    def __post_init__(self):
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                service.handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        self.url = f"http://{self.host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- for tests -----------------------------------------------------------------------

    def subscription(self, server_key: str | None = None) -> dict:
        """A new browser subscription (toJSON() shape) with its endpoint here. With
        `server_key` (the app's public VAPID key), pushes signed by another key are refused."""
        key = ec.generate_private_key(ec.SECP256R1())
        path = f"/wpush/v2/{secrets.token_urlsafe(24)}"
        auth = secrets.token_bytes(16)
        with self.lock:
            self.subscribers[path] = Subscriber(path, key, auth, server_key)
        return {"endpoint": self.url + path, "expirationTime": None,
                "keys": {"p256dh": b64url(point(key.public_key())), "auth": b64url(auth)}}

    def answer(self, subscription, status: int) -> None:
        """From now on, answer `status` to pushes for this subscription (or endpoint)."""
        with self.lock:
            self.answers[self._path(subscription)] = status

    def payloads(self, subscription=None) -> list[dict]:
        path = self._path(subscription) if subscription is not None else None
        with self.lock:
            return [d.payload for d in self.deliveries
                    if path is None or d.endpoint.endswith(path)]

    def _path(self, subscription) -> str:
        endpoint = subscription["endpoint"] if isinstance(subscription, dict) else subscription
        return endpoint.removeprefix(self.url)

    # --- the server ----------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self.lock:
            subscriber = self.subscribers.get(request.path)
            forced = self.answers.get(request.path)
        try:
            if subscriber is None:
                raise Refusal(404, "no such subscription")
            if forced is not None:
                raise Refusal(forced, f"told to answer {forced}")
            claims = self.check_vapid(headers.get("authorization", ""), subscriber)
            self.check_headers(headers, body)
            payload = self.decrypt(body, subscriber)
        except Refusal as refusal:
            with self.lock:
                self.rejected.append((request.path, refusal.status, refusal.reason))
            self.reply(request, refusal.status, refusal.reason)
            return
        with self.lock:
            self.deliveries.append(Delivery(self.url + request.path, headers, payload, claims))
        self.reply(request, 201, "")

    @staticmethod
    def reply(request, status: int, text: str) -> None:
        data = text.encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/plain; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def check_vapid(self, authorization: str, subscriber: Subscriber) -> dict:
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Refusal(401, "Authorization: not vapid")
        params = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        token, key = params.get("t", ""), params.get("k", "")
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(),
                                                                  b64url_decode(key))
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims = json.loads(b64url_decode(claims_b64))
            signature = b64url_decode(signature_b64)
        except (ValueError, binascii.Error):
            raise Refusal(401, "unreadable VAPID token or key") from None
        if header.get("alg") != "ES256" or len(signature) != 64:
            raise Refusal(401, "VAPID token: not ES256")
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                   int.from_bytes(signature[32:], "big"))
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise Refusal(401, "VAPID signature does not verify with k") from None
        now = time.time()
        if claims.get("aud") != self.url:
            raise Refusal(401, f"VAPID aud {claims.get('aud')!r} is not {self.url}")
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= \
                now + MAX_JWT_LIFETIME:
            raise Refusal(401, "VAPID exp not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise Refusal(401, "VAPID sub missing")
        if subscriber.server_key is not None and key != subscriber.server_key:
            raise Refusal(403, "VAPID key is not the one the subscription was made with")
        return claims

    @staticmethod
    def check_headers(headers: dict, body: bytes) -> None:
        if not headers.get("ttl", "").isdigit():
            raise Refusal(400, "TTL header missing")
        if headers.get("content-encoding") != "aes128gcm":
            raise Refusal(400, "Content-Encoding is not aes128gcm")
        if headers.get("urgency", "normal") not in ("very-low", "low", "normal", "high"):
            raise Refusal(400, "bad Urgency")
        topic = headers.get("topic")
        if topic is not None and (len(topic) > 32 or not all(
                c.isascii() and (c.isalnum() or c in "-_") for c in topic)):
            raise Refusal(400, "bad Topic")
        if not body or len(body) > MAX_RECORD:
            raise Refusal(413 if body else 400, "payload missing or too large")

    @staticmethod
    def decrypt(body: bytes, subscriber: Subscriber) -> dict:
        try:
            plain = http_ece.decrypt(body, private_key=subscriber.private_key,
                                     auth_secret=subscriber.auth, version="aes128gcm")
            return json.loads(plain)
        except (http_ece.ECEException, ValueError) as error:
            raise Refusal(400, f"payload does not decrypt: {error}") from None

    def start(self) -> FakePushService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service():
    """A fake push service on 127.0.0.1, for the length of a test."""
    service = FakePushService().start()
    yield service
    service.stop()
