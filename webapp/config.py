"""Configuration defaults. Overridden by MASHANG_* environment variables, then test_config."""

import os
from pathlib import Path

from webapp.domain.shared.tokens import new_secret_key


class Defaults:
    BASE_URL = "http://127.0.0.1:8000"
    DEFAULT_LOCALE = "zh_CN"
    LANGUAGES = ("zh_CN", "en")
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    # Catalogs live under translations/zh: Babel spells zh_CN as zh_Hans_CN, and gettext
    # falls back from either spelling to the bare language.
    DEFAULT_TIMEZONE = "Asia/Shanghai"
    # The whole request, photos included, may not exceed this.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    MAX_PHOTOS_PER_REPORT = 3
    PHOTO_MAX_EDGE = 2048
    PHOTO_MAX_PIXELS = 40_000_000
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    # None: Secure exactly when BASE_URL is https (see webapp/security.py).
    SESSION_COOKIE_SECURE = None
    REMEMBER_COOKIE_SECURE = None
    SCAN_PAGE_CACHE_SIZE = 4096
    # Public pages (scan page, board, Open311 reads) may be kept this long by a shared cache
    # such as nginx's micro-cache (webapp/caching.py); browsers revalidate every time.
    SHARED_CACHE_SECONDS = 5
    # Rendered boards kept per worker; each is rendered afresh at least once a minute.
    BOARD_CACHE_SIZE = 512
    BOARD_CLOCK_SECONDS = 60
    # Ask PostgreSQL (SELECT 1) before each request uses a pooled connection, instead of
    # looking at its socket (webapp/liveness.py): a round trip a request, for the rare
    # connection cut without a word.
    DB_PRE_PING = False
    # A resolved report nobody confirms closes by itself after this many days.
    AUTO_CLOSE_DAYS = 7
    # The notification worker (webapp/worker.py): how often it looks for due messages when
    # idle, how many it claims at once and sends side by side, how long it holds them.
    WORKER_POLL_SECONDS = 1.0
    WORKER_BATCH = 20
    WORKER_THREADS = 4
    WORKER_LEASE_SECONDS = 60
    DELIVERY_MAX_ATTEMPTS = 8
    DELIVERY_RETRY_SECONDS = 30  # the first retry's delay; each next one doubles (≤ 1 h)
    SLA_SWEEP_SECONDS = 60
    REMINDER_SECONDS = 300
    SMS_DAILY_LIMIT = 5  # texts per phone in any 24 hours
    # `flask privacy purge` removes residents' details this many days after a report or
    # booking closed.
    PURGE_AFTER_DAYS = 180

    # Rate limits per client address (Flask-Limiter notation). One shared store for all
    # workers and hosts: redis://host:6379/0; memory:// counts per worker process.
    RATELIMIT_STORAGE_URI = "memory://"
    # If the store is unreachable, serve rather than refuse (the error is logged).
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SUBMIT = "10 per minute; 60 per hour"      # new reports and bookings
    RATELIMIT_LOOKUP = "60 per minute"                    # tracking and booking links
    RATELIMIT_CHANGE = "20 per minute"                    # cancellations, ratings, additions
    RATELIMIT_LOGIN = "10 per minute"
    # Open311 POST requests, per api_key (per address when the key is missing).
    RATELIMIT_OPEN311_POST = "30 per minute; 1000 per day"

    # Group robots (channels/robots.py). Webhooks are accepted only as https to the
    # providers' own hosts; ROBOT_HOSTS replaces that list (plain http only for loopback
    # hosts, e.g. ["127.0.0.1"] for a local fake in tests).
    ROBOT_HOSTS = None
    ROBOT_DELIVERY = "post"     # "log": write robot posts to the log instead (the demo)
    ROBOT_TIMEOUT = 10          # seconds, per post from the worker
    ROBOT_TEST_TIMEOUT = 5      # seconds, the admin's "send a test message" button

    # SMS (channels/sms.py): "log" writes each text to the mashang.sms logger; "aliyun" sends
    # through Alibaba Cloud SMS (Dysmsapi SendSms) with an approved sign and template.
    SMS_PROVIDER = "log"
    SMS_TIMEOUT = 10
    SMS_ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
    SMS_ALIYUN_REGION = "cn-hangzhou"
    SMS_ALIYUN_ACCESS_KEY_ID = None
    SMS_ALIYUN_ACCESS_KEY_SECRET = None
    SMS_SIGN_NAME = None
    SMS_TEMPLATE_CODE = None
    # The approved template's variable names for the message's title and its link, e.g.
    # 「${title}，详情：${link}」; a variable holds at most SMS_TEMPLATE_VALUE_MAX characters.
    SMS_TEMPLATE_TITLE_VARIABLE = "title"
    SMS_TEMPLATE_LINK_VARIABLE = "link"
    SMS_TEMPLATE_VALUE_MAX = 35
    # Web Push. The VAPID private key: PEM text or the path of a PEM file; without one, a key
    # is generated once into VAPID_KEY_FILE (instance/vapid_private.pem). Back it up: a new
    # key ends every subscription. VAPID_SUBJECT: mailto: or https: contact for push
    # services (default: BASE_URL if https, else mailto:webpush@ its host).
    VAPID_PRIVATE_KEY = None
    VAPID_SUBJECT = None
    PUSH_TTL = 24 * 3600      # seconds a push service keeps a message for an offline device
    PUSH_TIMEOUT = 10         # seconds
    # Endpoints on http://127.0.0.1 or localhost (the tests' fake push service); never in use.
    PUSH_ALLOW_HTTP = False

    # Number of reverse proxies in front that set X-Forwarded-For/-Proto/-Host (0 = none).
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0

    # Staff pages ask for new notifications and the dispatch count this often (static/js/
    # live.js; less often while the tab is hidden).
    LIVE_POLL_SECONDS = 5


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path(instance_path) / 'mashang.sqlite3'}"


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder
    so that every gunicorn worker signs sessions with the same key."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(new_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()
