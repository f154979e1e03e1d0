"""Throughput and latency under load: scan page and report submission, against a trivial route.

Serves a fresh demo database (SQLite, or --postgres on a throwaway cluster) with gunicorn, then
loads each route in turn from concurrent clients: GET /q/<token>; the report form submitted
without a photo and with a 1600×1200 JPEG (GET the form, POST it multipart); GET /lang/zz, which
touches no database. The rate limiter is off: this measures the server. Run:
.venv/bin/python bench/load.py [--workers N] [--clients 50] [--seconds 30] [--postgres]

With --nginx it measures instead the scan page and the board straight from gunicorn and through
nginx (deploy/nginx/mashang.conf over TLS, its micro-cache on), against a bare Flask hello-world
served by the same gunicorn settings (bench/hello_app.py), all in the same run.
"""

import argparse
import http.client
import io
import os
import platform
import re
import secrets
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from PIL import Image
from scan_page import percentile, ratio
from serve import (
    HELLO_APP,
    HOST,
    ROOT,
    demo_database,
    free_port,
    gunicorn,
    server_env,
    smoke,
)

CONF = ROOT / "gunicorn.conf.py"
TRIVIAL = "/lang/zz?next=/"
TIMEOUT = 60.0  # seconds, per request: 50 clients queue for a few workers
HIDDEN = re.compile(r'name="(csrf_token|submission_key)" type="hidden" value="([^"]*)"')
CATEGORY = re.compile(r'name="category" value="(\d+)"')
ASKED = re.compile(r'data-category="(\d+)"')  # a category with extra questions
FAILURES = (OSError, http.client.HTTPException)


# --- the server ---------------------------------------------------------------------------

@dataclass
class Site:
    master: subprocess.Popen
    port: int
    token: str  # an entrance's QR token
    url: str  # DATABASE_URL
    uploads: Path  # UPLOAD_FOLDER
    database: str  # "SQLite" or "PostgreSQL"


def worker_pids(master):
    """The gunicorn workers: the master's child processes (from /proc, stdlib only)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        if ppid == master.pid:
            pids.append(int(stat.parent.name))
    return sorted(pids)


@contextmanager
def database_url(postgres, tmp):
    if not postgres:
        yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    sys.path.insert(0, str(ROOT / "tools"))
    from throwaway_postgres import cluster

    with cluster() as url:
        yield url


@contextmanager
def demo_site(postgres, workers, tmp):
    """A fresh demo database served by gunicorn, rate limits off (serve.SETTINGS), uploads
    under `tmp`. workers=None: gunicorn.conf.py's number if that file exists, else 2 × CPUs."""
    extra = ["-c", str(CONF)] if CONF.exists() else []
    if workers is None and not extra:
        workers = 2 * os.cpu_count()
    port = free_port()
    with database_url(postgres, tmp) as url:
        env = server_env(url, port, tmp)
        token = demo_database(env)
        with gunicorn(env, port, workers, tmp, extra) as master:
            time.sleep(1)  # let every worker boot before anyone counts or loads them
            yield Site(master, port, token, url, Path(tmp) / "uploads",
                       "PostgreSQL" if postgres else "SQLite")


# --- one resident's browser -----------------------------------------------------------------

class Client:
    """A connection (over TLS with a `tls` context) and a cookie jar."""

    def __init__(self, port, tls=None):
        self.conn = http.client.HTTPSConnection(HOST, port, timeout=TIMEOUT, context=tls) \
            if tls else http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        self.cookies = SimpleCookie()

    def request(self, method, path, body=None, headers=None):
        """Returns the response (already read, body in .data); raises FAILURES."""
        headers = {"Accept-Language": "zh-CN", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            resp.data = resp.read()
        except FAILURES:
            self.conn.close()  # the next request opens a fresh connection
            raise
        for header in resp.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return resp

    def cookie_header(self):
        return "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())

    def close(self):
        self.conn.close()


def ok(resp):
    return 200 <= resp.status < 400


def form_fields(resp):
    """What to POST back for the report form in `resp`: its hidden fields and a category
    without extra questions (so nothing more is asked). None if the page is not the form."""
    html = resp.data.decode(errors="replace")
    fields = dict(HIDDEN.findall(html))
    asked = set(ASKED.findall(html))
    category = next((c for c in CATEGORY.findall(html) if c not in asked), None)
    if resp.status != 200 or len(fields) != 2 or category is None:
        return None
    return {**fields, "category": category, "description": "楼道灯不亮了，晚上很黑。",
            "floor_room": "3楼", "contact_name": "", "contact_phone": ""}


def multipart(fields, photo=None):
    """The body and Content-Type of a multipart/form-data POST, with `photo` as one JPEG."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    if photo is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
                     f'filename="IMG_20260101_120000.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
                     .encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def phone_photo(width=1600, height=1200):
    """A JPEG of phone size and weight: smooth gradients under sensor noise (random pixels
    alone would be several times heavier than a real photo, a flat picture far lighter)."""
    size = (width, height)
    scene = Image.merge("RGB", [Image.linear_gradient("L").resize(size),
                                Image.radial_gradient("L").resize(size),
                                Image.linear_gradient("L").rotate(90).resize(size)])
    noise = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    out = io.BytesIO()
    Image.blend(scene, noise, 0.12).save(out, "JPEG", quality=90)
    return out.getvalue()


# --- the load -------------------------------------------------------------------------------

@dataclass
class Tally:
    latencies: list = field(default_factory=list)
    errors: int = 0
    samples: list = field(default_factory=list)  # a few errors, to show


def timed(record, label, send):
    """Time one request; record its latency, or an error when it failed or was not 2xx/3xx."""
    t0 = time.perf_counter()
    try:
        resp = send()
    except FAILURES as error:
        record(label, None, f"{type(error).__name__}: {error}")
        return None
    record(label, time.perf_counter() - t0 if ok(resp) else None,
           f"HTTP {resp.status} {resp.data[:200]!r}")
    return resp


def run_load(port, clients, seconds, step, tls=None):
    """`clients` threads, each its own Client, call step(client, record) until `seconds` have
    passed. Returns {label: Tally} and the wall time."""
    lock, tallies = threading.Lock(), {}
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def record(label, latency, problem):
        with lock:
            tally = tallies.setdefault(label, Tally())
            if latency is not None:
                tally.latencies.append(latency)
            else:
                tally.errors += 1
                if len(tally.samples) < 3:
                    tally.samples.append(problem)

    def client():
        me = Client(port, tls)
        start.wait()
        while time.monotonic() < deadline[0]:
            step(me, record)
        me.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return tallies, time.perf_counter() - t0


def get_step(path):
    def step(client, record):
        timed(record, "request", lambda: client.request("GET", path))
    return step


def submit_step(token, photo):
    path = f"/q/{token}/report"

    def step(client, record):
        resp = timed(record, "form", lambda: client.request("GET", path))
        if resp is None or not ok(resp):
            return
        fields = form_fields(resp)
        if fields is None:
            record("submit", None, f"not the form: {resp.data[:200]!r}")
            return
        body, headers = multipart(fields, photo)
        timed(record, "submit", lambda: client.request("POST", path, body, headers))
    return step


@contextmanager
def nginx_routes(site, args, tmp):
    """--nginx: the bare Flask hello-world under the same gunicorn settings as the app, the
    scan page and the board from gunicorn, then both through nginx over TLS. Each route is
    (port, TLS context or None, step)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from nginx_front import nginx_in_front

    hello_logs = Path(tmp) / "hello"
    hello_logs.mkdir()
    extra = ["-c", str(CONF)] if CONF.exists() else []
    hello_port = free_port()
    with gunicorn(dict(os.environ), hello_port, args.workers, hello_logs, extra, app=HELLO_APP,
                  probe="/"), nginx_in_front(site.port) as front:
        tls = ssl.create_default_context(cafile=str(front.certificate))
        scan, board = f"/q/{site.token}", "/board/"
        yield {
            "bare Flask hello-world": (hello_port, None, get_step("/")),
            "scan GET /q/<token>": (site.port, None, get_step(scan)),
            "board GET /board/": (site.port, None, get_step(board)),
            "scan, through nginx": (front.https_port, tls, cached_step(scan)),
            "board, through nginx": (front.https_port, tls, cached_step(board)),
        }


def cached_step(path):
    """A GET through nginx, counted under its X-Cache-Status (HIT, MISS, UPDATING…)."""
    def step(client, record):
        resp = timed(record, "request", lambda: client.request("GET", path))
        if resp is not None:
            record(f"cache {resp.getheader('X-Cache-Status', '-')}", 0.0, "")
    return step


# --- the figures ----------------------------------------------------------------------------

def worker_boots(log_dir):
    """How many workers gunicorn has started so far, from its log (see scan_page.gunicorn)."""
    with open(Path(log_dir) / "gunicorn.log", errors="replace") as log:
        return sum("Booting worker" in line for line in log)


def rows(results):
    """(row name, Tally, wall) per measured request kind, the POST before its form's GET."""
    for route, (tallies, wall, _cpu, _boots) in results.items():
        for label, name in (("request", route), ("submit", f"{route}: POST"),
                            ("form", "  its form GET")):
            if label in tallies:
                yield name, tallies[label], wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int,
                        help="gunicorn workers (default: gunicorn.conf.py's, else 2 × CPUs)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="per route")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per route, unmeasured")
    parser.add_argument("--postgres", action="store_true",
                        help="a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--nginx", action="store_true",
                        help="scan page and board, direct and through nginx's micro-cache, "
                             "against a bare Flask hello-world")
    args = smoke(parser, workers=1, clients=2, seconds=0.5, warmup=0)
    load_at_start, photo = os.getloadavg()[0], phone_photo()

    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp, \
            demo_site(args.postgres, args.workers, tmp) as site:
        print(f"database: {site.database}  gunicorn workers: {len(worker_pids(site.master))}"
              f"{' (gunicorn.conf.py)' if CONF.exists() else ''}  clients: {args.clients}  "
              f"seconds: {args.seconds:g} per route (+{args.warmup:g} warm-up)  "
              f"CPUs: {os.cpu_count()}, shared by the load generator and the server "
              f"(1-min load average at start: {load_at_start:.1f})  "
              f"Python: {platform.python_version()}  photo: {len(photo) // 1024} KB JPEG",
              flush=True)
        with ExitStack() as stack:
            routes = stack.enter_context(nginx_routes(site, args, tmp)) if args.nginx else {
                "trivial GET /lang/zz": (site.port, None, get_step(TRIVIAL)),
                "scan GET /q/<token>": (site.port, None, get_step(f"/q/{site.token}")),
                "report, no photo": (site.port, None, submit_step(site.token, None)),
                "report, 1 photo": (site.port, None, submit_step(site.token, photo)),
            }
            results = {}
            for route, (port, tls, step) in routes.items():
                if args.warmup > 0:
                    run_load(port, args.clients, args.warmup, step, tls)
                cpu, boots = time.process_time(), worker_boots(tmp)
                tallies, wall = run_load(port, args.clients, args.seconds, step, tls)
                results[route] = (tallies, wall, (time.process_time() - cpu) / wall,
                                  worker_boots(tmp) - boots)

    table = []
    for name, tally, wall in rows(results):
        lat = sorted(tally.latencies)
        table.append((name, len(lat), len(lat) / wall, *(percentile(lat, p) * 1000
                                                         for p in (50, 95, 99)), tally))
    base = table[0]  # the trivial route (with --nginx: the bare Flask hello-world)
    reference = "hello" if args.nginx else "trivial"
    print(f"{'route':<28} {'done':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'req/s ÷ ' + reference:>15} {'p50 ÷ ' + reference:>13}")
    for name, done, rate, p50, p95, p99, tally in table:
        print(f"{name:<28} {done:>6} {rate:>7.1f} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
              f"{tally.errors:>6} {ratio(rate, base[2]):>15.3f} {ratio(p50, base[3]):>13.1f}")
    for route, (_tallies, _wall, cpu, boots) in results.items():
        print(f"{route}: the load generator used {cpu:.2f} CPUs; gunicorn started {boots} "
              f"workers meanwhile (max_requests recycling, crashes)")
    for route, (tallies, *_rest) in results.items():
        statuses = sorted((label.split(" ", 1)[1], len(tally.latencies))
                          for label, tally in tallies.items() if label.startswith("cache "))
        if statuses:
            print(f"{route}: X-Cache-Status " + ", ".join(f"{s} {n}" for s, n in statuses))
    print("POST rows: submissions (each after a GET of the form, shown below it); latency up "
          "to the 303 answer, the tracking page is not fetched.")
    errors = sum(t.errors for *_, t in table)
    for name, *_, tally in table:
        for sample in tally.samples:
            print(f"error sample, {name.strip()}: {sample}")
    if errors:
        print(f"FAILED: {errors} requests failed or answered neither 2xx nor 3xx",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
