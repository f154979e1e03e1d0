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


def mask_private_links(path) -> str:
    return PRIVATE_LINK.sub(r"/\1/…", path) if isinstance(path, str) else "-"


class PrivateLinkMaskingLogger(Logger):
    """Tracking, booking and calendar-feed links are secrets: the log keeps only their kind.

    Total: gunicorn also logs requests it refuses itself (a malformed header, an application
    that failed), whose environ lacks PATH_INFO and more. A logger that raised there would
    take the worker down with it, so any atom may be missing and nothing here raises."""

    def atoms(self, resp, req, environ, request_time):
        try:
            atoms = super().atoms(resp, req, environ, request_time)
        except Exception:
            atoms = {}
        environ = environ if isinstance(environ, dict) else {}
        path = atoms.get("U") or str(environ.get("RAW_URI") or "").split("?", 1)[0] or None
        atoms["U"] = mask_private_links(path)
        # The request line holds the same path (and its query): never the raw secret.
        atoms["r"] = f"{atoms.get('m') or '-'} {atoms['U']} {atoms.get('H') or '-'}"
        return atoms


logger_class = PrivateLinkMaskingLogger


def post_worker_init(worker):
    # What the app built at start-up lives as long as the worker: keep it out of the cyclic
    # garbage collector's full passes, which would otherwise walk it again and again.
    import gc
    gc.freeze()
