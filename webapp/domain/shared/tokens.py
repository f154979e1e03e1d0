"""Every token the app makes, and the one digest of them: the short code on a poster, the
private tracking and booking links, ballot slips, the submission key, a volunteer's calendar
feed, an Open311 client's API key and request token, the random name of a stored photo, the
app's own secret.

Private links are never stored: the database keeps a SHA-256 digest, and a link is derived
from its submission key with the app's secret (HMAC), so that replaying a submission — the
offline outbox does — can answer with the same link again. The submission key is stored as
a digest too, so that the database alone yields neither. The secret is passed in by whoever
calls: a blueprint passes `current_app.config["SECRET_KEY"]`, a domain function the secret it
was given; nothing here reads the application."""

import base64
import hashlib
import hmac
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken

# No look-alikes (0/O, 1/l/I) so that a code can be typed from the printed short URL.
QR_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
QR_TOKEN_LENGTH = 12  # 56**12 ≈ 2**69
TRACKING_TOKEN_BYTES = 16  # 128 bits
SUBMISSION_KEY_BYTES = 16
FEED_TOKEN_BYTES = 24
API_KEY_BYTES = 24  # 192 bits
REQUEST_TOKEN_BYTES = 16
FILE_NAME_BYTES = 18
SECRET_KEY_BYTES = 32
FIRST_RUN_TOKEN_BYTES = 24
SUBMISSION_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
QR_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{10,32}$")


def new_qr_token() -> str:
    return "".join(secrets.choice(QR_ALPHABET) for _ in range(QR_TOKEN_LENGTH))


def link_token(purpose: str, submission_key: str, secret: str) -> str:
    """The private link token ("tracking" or "booking") that belongs to a submission."""
    mac = hmac.new(secret.encode(), f"{purpose}:{submission_key}".encode(),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TRACKING_TOKEN_BYTES]).rstrip(b"=").decode()


def tracking_token(submission_key: str, secret: str) -> str:
    return link_token("tracking", submission_key, secret)


def booking_token(submission_key: str, secret: str) -> str:
    return link_token("booking", submission_key, secret)


def new_slip_nonce() -> str:
    """What a ballot slip keeps of its link (ballot_token): useless without the secret."""
    return secrets.token_urlsafe(SUBMISSION_KEY_BYTES)


def ballot_token(nonce: str, secret: str) -> str:
    """A ballot slip's one-time link (一事一议): derived again from its nonce to print the
    sheet again, found by its digest when scanned."""
    return link_token("ballot", nonce, secret)


def digest(token: str) -> str:
    """What the database keeps of a private token, a submission key or an API key; also the
    name a rate limit counts a key under."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_submission_key() -> str:
    return secrets.token_urlsafe(SUBMISSION_KEY_BYTES)


def is_submission_key(value: str | None) -> bool:
    return bool(value) and bool(SUBMISSION_KEY_PATTERN.match(value))


def new_feed_token() -> str:
    """The private address of a volunteer's calendar feed."""
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


def new_api_key(prefix: str) -> str:
    """An API key for a client application; `prefix` makes it recognisable where it leaks."""
    return prefix + secrets.token_urlsafe(API_KEY_BYTES)


def new_request_token() -> str:
    """The token an Open311 client may look its filed request up by."""
    return secrets.token_urlsafe(REQUEST_TOKEN_BYTES)


def new_file_name(suffix: str) -> str:
    """A stored file's name that cannot be guessed from another's."""
    return secrets.token_urlsafe(FILE_NAME_BYTES) + suffix


def new_first_run_token() -> str:
    """The one-time link that sets up an empty installation (domain/people/first_run.py)."""
    return secrets.token_urlsafe(FIRST_RUN_TOKEN_BYTES)


def new_password() -> str:
    """A password made for an admin who asked for one, printed once."""
    return secrets.token_urlsafe(12)


def new_secret_key() -> str:
    """The app's own secret, when the environment gives none."""
    return secrets.token_hex(SECRET_KEY_BYTES)


def _sealing_key(secret: str) -> bytes:
    derived = hmac.new(secret.encode(), b"mashang sealed text", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(derived)


def seal(text: str, secret: str) -> str:
    """Encrypt a private link that must be sent later (an SMS when a report is resolved, a push
    that opens the tracking page): stored sealed, it is readable only with the app's secret."""
    return Fernet(_sealing_key(secret)).encrypt(text.encode()).decode()


def unseal(sealed: str, secret: str) -> str | None:
    """The text `seal` sealed, or None if it was sealed with another secret or altered."""
    try:
        return Fernet(_sealing_key(secret)).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
