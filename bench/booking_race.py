"""Many residents book the places of one slot at the same moment: it must not be overbooked.

Builds a fresh SQLite database with the demo data, publishes one slot, serves it with gunicorn
and has every client (its own connection and session) POST the booking form at once. Run:
.venv/bin/python bench/booking_race.py [--attempts 200] [--places 5] [--workers 4] [--json]
"""

import argparse
import http.client
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from serve import BIN, HOST, ROOT, demo_database, free_port, gunicorn, server_env, smoke

TIME_LIMIT = 120.0  # seconds, for the whole run
MAX_THREADS = 200
FULL = "fully booked"  # the refusal, in English (Accept-Language: en)
HIDDEN = re.compile(r'name="(csrf_token|submission_key)" type="hidden" value="([^"]*)"')
PUBLISH = """import sys
from datetime import UTC, datetime, timedelta
from webapp import create_app
from webapp.domain import unit_of_work
from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import ServiceType
with create_app().app_context():
    service = db.session.scalar(db.select(ServiceType).order_by(ServiceType.id).limit(1))
    with unit_of_work():
        slot, = booking.publish(service, service.category.community_id,
                                datetime.now(UTC) + timedelta(days=2), capacity=int(sys.argv[1]),
                                runs_without_volunteer=True)
    print(slot.id)
"""


def left(deadline):
    return max(0.1, deadline - time.monotonic())


def run(env, deadline, *cmd):
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=left(deadline))
    if done.returncode:
        sys.exit(f"{' '.join(map(str, cmd[:3]))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def race(port, path, attempts, deadline):
    """Each client GETs the form, then all POST at once. Returns counts, errors, burst time."""
    lock, samples = threading.Lock(), []
    counts = {"made": 0, "full": 0, "errors": 0, "5xx": 0}
    threads = min(attempts, MAX_THREADS)
    barrier = threading.Barrier(threads + 1)

    def tally(key, sample=None):
        with lock:
            counts[key] += 1
            if sample is not None and len(samples) < 5:
                samples.append(sample)

    def prepare(n):
        conn = http.client.HTTPConnection(HOST, port, timeout=left(deadline))
        conn.request("GET", path, headers={"Accept-Language": "en"})
        resp = conn.getresponse()
        fields = dict(HIDDEN.findall(resp.read().decode()))
        jar = SimpleCookie()
        for header in resp.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        if resp.status != 200 or "session" not in jar or len(fields) != 2:
            raise ValueError(f"GET: HTTP {resp.status}, cookies {list(jar)}, fields {list(fields)}")
        form = urlencode({**fields, "name": f"居民{n}", "phone": f"139{n:08d}",
                          "floor_room": "", "note": ""})
        cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
        return conn, form, {"Content-Type": "application/x-www-form-urlencoded",
                            "Cookie": cookie, "Accept-Language": "en"}

    def post(conn, form, headers):
        try:
            conn.request("POST", path, body=form, headers=headers)
            resp = conn.getresponse()
            body = resp.read().decode(errors="replace")
        except (http.client.HTTPException, OSError) as error:
            return tally("errors", f"{type(error).__name__}: {error}")
        finally:
            conn.close()
        location = resp.getheader("Location") or ""
        if resp.status == 303 and urlsplit(location).path.startswith("/b/"):
            return tally("made")
        if resp.status == 409 and FULL in body:
            return tally("full")
        if resp.status >= 500:
            tally("5xx")
        tally("errors", f"HTTP {resp.status} {location} {body[:300]!r}")

    def client(mine):
        ready = []
        for n in mine:
            try:
                ready.append(prepare(n))
            except (http.client.HTTPException, OSError, ValueError) as error:
                tally("errors", f"preparing client {n}: {error}")
        try:
            barrier.wait(timeout=left(deadline))
        except threading.BrokenBarrierError:
            return
        for conn, form, headers in ready:
            post(conn, form, headers)

    pool = [threading.Thread(target=client, args=(range(t, attempts, threads),), daemon=True)
            for t in range(threads)]
    for t in pool:
        t.start()
    barrier.wait(timeout=left(deadline))
    t0 = time.perf_counter()
    for t in pool:
        t.join(timeout=left(deadline))
    if any(t.is_alive() for t in pool):
        sys.exit(f"the burst did not finish within the {TIME_LIMIT:.0f} s limit")
    return counts, samples, time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200, help="clients booking at once")
    parser.add_argument("--places", type=int, default=5, help="resident places of the slot")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = smoke(parser, attempts=12, places=3, workers=1)
    deadline = time.monotonic() + TIME_LIMIT

    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp:
        db_file, port = Path(tmp) / "bench.sqlite3", free_port()
        env = server_env(f"sqlite:///{db_file}", port, tmp)
        token = demo_database(env)
        slot_id = int(run(env, deadline, BIN / "python", "-c", PUBLISH, str(args.places)))

        with gunicorn(env, port, args.workers, tmp):
            counts, samples, wall = race(port, f"/q/{token}/slots/{slot_id}/book",
                                         args.attempts, deadline)

        con = sqlite3.connect(db_file)
        rows_booked, slot_booked = con.execute(
            "SELECT (SELECT count(*) FROM booking WHERE slot_id = :s AND status = 'booked'), "
            "(SELECT booked FROM slot WHERE id = :s)", {"s": slot_id}).fetchone()
        con.close()

    ok = counts["made"] == args.places
    failed = not ok or counts["errors"] > 0 or {rows_booked, slot_booked} != {args.places}
    report = {"attempts": args.attempts, "workers": args.workers, "places": args.places,
              "bookings_made": counts["made"], "refused_full": counts["full"],
              "errors": counts["errors"], "http_5xx": counts["5xx"], "db_rows": rows_booked,
              "slot_booked": slot_booked, "burst_s": round(wall, 3),
              "attempts_per_s": round(args.attempts / wall, 1)}
    if args.json:
        print(json.dumps({**report, "error_samples": samples, "ok": not failed}, indent=2,
                         ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"{key.replace('_', ' '):<16} {value}")
        for sample in samples:
            print(f"error sample: {sample}")
        print(f"bookings made must equal places: {'OK' if ok else 'FAILED'}")
        print(f"DB rows and slot.booked equal places, no errors: {'FAILED' if failed else 'OK'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
