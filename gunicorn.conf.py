"""gunicorn settings for Mashang: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each setting can be overridden by an environment variable (GUNICORN_CMD_ARGS also works).
Graceful reload: `kill -HUP <master pid>` starts new workers with new code and lets the old
ones finish their requests (up to graceful_timeout)."""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("MASHANG_BIND", "127.0.0.1:8000")
# Requests wait on the database and on photo re-encoding, so more workers than cores help;
# each worker is a separate process with its own database connection pool.
workers = int(os.environ.get("MASHANG_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("MASHANG_THREADS", 1))
# A report with three phone photos is re-encoded in about a second; 30 s means "stuck".
timeout = int(os.environ.get("MASHANG_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = 20000
max_requests_jitter = 2000
# Each worker loads the app itself, so that HUP reloads new code gracefully.
preload_app = False
# A worker's heartbeat file in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = os.environ.get("MASHANG_ACCESS_LOG", "-")
errorlog = "-"
# Peer address, the client's address as the proxy saw it, method, path (no query string),
# status, bytes, microseconds taken, user agent. No referrer: it can hold a private link.
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(D)sus "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

PRIVATE_LINK = re.compile(r"^/(t|b|volunteer/feed)/[^/]+")


class PrivateLinkMaskingLogger(Logger):
    """Tracking, booking and calendar-feed links are secrets: the log keeps only their kind."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = PRIVATE_LINK.sub(r"/\1/…", atoms["U"])
        return atoms


logger_class = PrivateLinkMaskingLogger
