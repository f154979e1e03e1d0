"""Random tokens: the short code on a poster, the private tracking link, the submission key."""

import re
import secrets

# No look-alikes (0/O, 1/l/I) so that a code can be typed from the printed short URL.
QR_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
QR_TOKEN_LENGTH = 12  # 56**12 ≈ 2**69
TRACKING_TOKEN_BYTES = 16  # 128 bits
SUBMISSION_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
QR_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{10,32}$")


def new_qr_token() -> str:
    return "".join(secrets.choice(QR_ALPHABET) for _ in range(QR_TOKEN_LENGTH))


def new_tracking_token() -> str:
    return secrets.token_urlsafe(TRACKING_TOKEN_BYTES)


def new_submission_key() -> str:
    return secrets.token_urlsafe(16)


def is_submission_key(value: str | None) -> bool:
    return bool(value) and bool(SUBMISSION_KEY_PATTERN.match(value))
