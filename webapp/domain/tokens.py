"""Tokens: the short code on a poster, the private tracking and booking links, the submission key.

Private links are never stored: the database keeps a SHA-256 digest, and a link is derived
from its submission key with the app's secret (HMAC), so that replaying a submission — the
offline outbox does — can answer with the same link again. The submission key is stored as
a digest too, so that the database alone yields neither."""

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

# No look-alikes (0/O, 1/l/I) so that a code can be typed from the printed short URL.
QR_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
QR_TOKEN_LENGTH = 12  # 56**12 ≈ 2**69
TRACKING_TOKEN_BYTES = 16  # 128 bits
SUBMISSION_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
QR_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{10,32}$")


def new_qr_token() -> str:
    return "".join(secrets.choice(QR_ALPHABET) for _ in range(QR_TOKEN_LENGTH))


def link_token(purpose: str, submission_key: str) -> str:
    """The private link token ("tracking" or "booking") that belongs to a submission."""
    secret = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(secret, f"{purpose}:{submission_key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TRACKING_TOKEN_BYTES]).rstrip(b"=").decode()


def tracking_token(submission_key: str) -> str:
    return link_token("tracking", submission_key)


def booking_token(submission_key: str) -> str:
    return link_token("booking", submission_key)


def digest(token: str) -> str:
    """What the database keeps of a private token or a submission key."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_submission_key() -> str:
    return secrets.token_urlsafe(16)


def is_submission_key(value: str | None) -> bool:
    return bool(value) and bool(SUBMISSION_KEY_PATTERN.match(value))
