"""Kill -9 gunicorn workers during a report-submission load: nothing acknowledged may be lost.

Serves a fresh demo database (SQLite, or --postgres) with gunicorn; concurrent clients submit
the report form (every other one with a photo) while a gunicorn worker is killed with SIGKILL
every few seconds (the master starts a new one). A POST that fails is retried with the same
submission key. Afterwards the database is read directly: every acknowledged submission is
there exactly once and whole (its 'submitted' event, SLA milestones, number, photo rows with
their files), and replaying acknowledged submissions returns the same report. Exits 1 on FAIL.
Run: .venv/bin/python bench/crash.py [--clients 20] [--kills 5] [--interval 2] [--postgres]
"""
import argparse
import base64
import hashlib
import os
import random
import signal
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from load import (
    FAILURES,
    Client,
    demo_site,
    form_fields,
    multipart,
    phone_photo,
    worker_pids,
)
from serve import smoke
from sqlalchemy import create_engine, inspect, text

RETRIES = 3  # of a POST that got no answer, with the same submission key
RETRY_PAUSE = 0.3  # seconds, as a person would wait before tapping again


@dataclass
class Submission:
    key: str
    photo: bool
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)  # why each POST attempt got no answer
    status: int | None = None  # of the answer, if one came
    tracking: str | None = None  # from the 303 to /t/<tracking>
    created: bool | None = None  # the answer says this POST stored the report

    @property
    def acknowledged(self):
        return self.status is not None and 200 <= self.status < 400


def created_report(resp):
    """Whether this answer stored the report: the app flashes its thank-you only then, so the
    session cookie it sets carries a flash (a replay leaves the session alone). None when
    the cookie cannot be read."""
    jar = SimpleCookie()
    for header in resp.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if "session" not in jar:
        return False
    value = jar["session"].value  # itsdangerous: [.]base64(payload).timestamp.signature
    payload = value.lstrip(".").split(".")[0]
    try:
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return b"_flashes" in (zlib.decompress(data) if value.startswith(".") else data)
    except (ValueError, zlib.error):
        return None


def post(client, path, sub):
    """POST the submission until it gets an answer or RETRIES run out; notes the outcome."""
    for attempt in range(1 + RETRIES):
        if attempt:
            time.sleep(RETRY_PAUSE)
        try:
            resp = client.request("POST", path, sub.body, sub.headers)
        except FAILURES as error:
            sub.failures.append(f"{type(error).__name__}: {error}")
            continue
        sub.status = resp.status
        location = urlsplit(resp.getheader("Location") or "").path
        if resp.status == 303 and location.startswith("/t/"):
            sub.tracking = location.removeprefix("/t/")
        sub.created = created_report(resp)
        return resp
    return None


def submit_load(site, clients, photo, stop):
    """Clients submit reports until `stop` is set. Returns their threads, and the list of
    submissions and the Counter of failed form GETs that they fill when they end."""
    path = f"/q/{site.token}/report"
    results, form_failures, lock = [], Counter(), threading.Lock()

    def resident(n):
        client, mine, failed_forms = Client(site.port), [], Counter()
        while not stop.is_set():
            try:
                resp = client.request("GET", path)
            except FAILURES as error:
                failed_forms[type(error).__name__] += 1
                continue
            fields = form_fields(resp)
            if fields is None:
                failed_forms[f"HTTP {resp.status}"] += 1
                continue
            sub = Submission(fields["submission_key"], photo=len(mine) % 2 == n % 2)
            sub.body, sub.headers = multipart(fields, photo if sub.photo else None)
            sub.headers["Cookie"] = client.cookie_header()  # for the replay, by another client
            post(client, path, sub)
            mine.append(sub)
        client.close()
        with lock:
            results.extend(mine)
            form_failures.update(failed_forms)

    threads = [threading.Thread(target=resident, args=(n,), daemon=True)
               for n in range(clients)]
    for t in threads:
        t.start()
    return threads, results, form_failures


def kill_workers(site, kills, interval):
    """SIGKILL a random worker (never the master) every `interval` seconds."""
    killed = []
    for _ in range(kills):
        time.sleep(interval)
        pids = worker_pids(site.master)
        if pids:
            victim = random.choice(pids)
            try:
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            except ProcessLookupError:  # it just exited (max_requests recycling)
                pass
    return killed


def replay(site, subs):
    """POST acknowledged submissions again: each must lead to the same report, storing
    nothing. Returns the submissions whose replay did not."""
    path, client, wrong = f"/q/{site.token}/report", Client(site.port), []
    for sub in subs:
        again = Submission(sub.key, sub.photo, sub.body, sub.headers)
        post(client, path, again)
        if not again.acknowledged or again.tracking != sub.tracking or again.created:
            wrong.append((sub, again))
    client.close()
    return wrong


def check_database(site, baseline, subs):
    """Read the reports made since `baseline` (the largest report id before the load)."""
    engine = create_engine(site.url)
    # Since migration 0007 the app keeps SHA-256 digests of keys and links, not the values.
    hashed = "submission_key_hash" in {c["name"] for c in inspect(engine).get_columns("report")}
    key_col, link_col = (("submission_key_hash", "tracking_token_hash") if hashed
                         else ("submission_key", "tracking_token"))

    def stored_form(value):
        return hashlib.sha256(value.encode()).hexdigest() if hashed and value else value

    with engine.connect() as db:
        def by_report(sql):
            return dict(db.execute(text(sql), {"b": baseline}).all())

        reports = db.execute(text(f"SELECT {key_col}, id, {link_col}, number "
                                  "FROM report WHERE id > :b"), {"b": baseline}).all()
        submitted = by_report("SELECT report_id, count(*) FROM report_event "
                              "WHERE kind = 'submitted' AND report_id > :b GROUP BY report_id")
        milestones = by_report("SELECT report_id, count(*) FROM report_milestone "
                               "WHERE report_id > :b GROUP BY report_id")
        photos = db.execute(text("SELECT report_id, stored_name FROM report_photo "
                                 "WHERE report_id > :b"), {"b": baseline}).all()
        referenced = set(db.scalars(text("SELECT stored_name FROM report_photo")))
    engine.dispose()

    folder = site.uploads / "reports"
    photo_rows = Counter(report_id for report_id, _name in photos)
    missing_files = {report_id for report_id, name in photos if not (folder / name).is_file()}
    copies = Counter(key for key, *_ in reports)
    sent = {stored_form(sub.key): sub for sub in subs}
    found, half = {}, []  # found: submission key -> (report id, tracking link as sent)
    for key, report_id, link, number in reports:
        sub = sent.get(key)
        if sub is not None:
            found[sub.key] = (report_id, link == stored_form(sub.tracking))
        problems = [what for what, bad in (
            ("no 'submitted' event", submitted.get(report_id, 0) != 1),
            ("no SLA milestone", not milestones.get(report_id)),
            ("no number", not number),
            ("a photo file is missing", report_id in missing_files),
            ("photo rows ≠ photos sent",
             sub is not None and photo_rows[report_id] != int(sub.photo)),
        ) if bad]
        if problems:
            half.append(f"report {report_id}: {', '.join(problems)}")
    files = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    return {
        "stored": len(reports),
        "duplicated": sorted(k for k, n in copies.items() if n > 1),
        "unknown": sorted(k for k in copies if k not in sent),  # keys this bench never sent
        "half": half,
        "orphan_files": len(files - referenced),
        "found": found,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int,
                        help="gunicorn workers (default: gunicorn.conf.py's, else 2 × CPUs)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--kills", type=int, default=5, help="workers to kill -9")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between kills")
    parser.add_argument("--replays", type=int, default=50,
                        help="acknowledged submissions to POST again afterwards")
    parser.add_argument("--postgres", action="store_true",
                        help="a throwaway PostgreSQL cluster instead of SQLite")
    args = smoke(parser, workers=1, clients=2, kills=1, interval=0.5, replays=3)
    load_at_start, photo = os.getloadavg()[0], phone_photo()

    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp, \
            demo_site(args.postgres, args.workers, tmp) as site:
        print(f"database: {site.database}  gunicorn workers: {len(worker_pids(site.master))}  "
              f"clients: {args.clients}  kills: {args.kills}, every {args.interval:g} s  "
              f"CPUs: {os.cpu_count()}, shared by the load generator and the server "
              f"(1-min load average at start: {load_at_start:.1f})",
              flush=True)
        engine = create_engine(site.url)
        with engine.connect() as db:
            baseline = db.scalar(text("SELECT coalesce(max(id), 0) FROM report"))
        engine.dispose()

        stop = threading.Event()
        threads, subs, form_failures = submit_load(site, args.clients, photo, stop)
        killed = kill_workers(site, args.kills, args.interval)
        time.sleep(args.interval)  # load on after the last kill, with a fresh worker
        stop.set()
        for t in threads:
            t.join()
        workers_after = len(worker_pids(site.master))
        acked = [s for s in subs if s.acknowledged]
        wrong_replays = replay(site, random.sample(acked, min(args.replays, len(acked))))
        found = check_database(site, baseline, subs)

    stored = found["found"]
    interrupted = [s for s in subs if s.failures]
    answered_after_retry = [s for s in interrupted if s.status is not None]
    retry_found = [s for s in answered_after_retry if s.acknowledged and s.created is False]
    retry_stored = [s for s in answered_after_retry if s.acknowledged and s.created]
    http_errors = [s for s in subs if s.status is not None and not s.acknowledged]
    lost = [s for s in acked if s.key not in stored]
    other_report = [s for s in acked if s.key in stored and s.tracking is not None
                    and not stored[s.key][1]]
    unanswered = [s for s in subs if s.status is None]

    print(f"workers killed: {len(killed)} {killed}; workers after: {workers_after}")
    print(f"submissions sent: {len(subs)} ({sum(s.photo for s in subs)} with a photo); "
          f"form GETs that failed: {sum(form_failures.values())} {dict(form_failures)}")
    print(f"acknowledged (2xx/3xx): {len(acked)}; answered with an error status: "
          f"{len(http_errors)} {dict(Counter(s.status for s in http_errors))}")
    print(f"POSTs that got no answer (worker killed): {sum(len(s.failures) for s in subs)} "
          f"in {len(interrupted)} submissions "
          f"{dict(Counter(f.split(':')[0] for s in subs for f in s.failures))}")
    print(f"  retried with the same key and answered: {len(answered_after_retry)}: "
          f"{len(retry_found)} returned the report the killed request had stored, "
          f"{len(retry_stored)} stored it then; never answered: {len(unanswered)}, of which "
          f"{sum(s.key in stored for s in unanswered)} were stored anyway")
    print(f"replays of acknowledged submissions: {min(args.replays, len(acked))}, "
          f"not leading to the same report or storing again: {len(wrong_replays)}")
    print(f"reports in the database from this run: {found['stored']}; acknowledged but "
          f"missing: {len(lost)}; duplicated keys: {len(found['duplicated'])}; acknowledged "
          f"with another report's tracking link: {len(other_report)}; unknown keys: "
          f"{len(found['unknown'])}")
    print(f"half-stored reports: {len(found['half'])}; photo files no row refers to "
          f"(left by killed requests): {found['orphan_files']}")
    for line in found["half"][:10]:
        print(f"  {line}")
    for sub in http_errors[:3]:
        print(f"  error answer: HTTP {sub.status} for key {sub.key}")
    for sub, again in wrong_replays[:3]:
        print(f"  replay of {sub.key}: HTTP {again.status}, tracking {again.tracking} "
              f"(was {sub.tracking}), stored again: {again.created}")

    failures = {
        "fewer workers killed than asked": len(killed) < args.kills,
        "acknowledged submissions lost": lost,
        "duplicated submission keys": found["duplicated"],
        "acknowledged with another report's link": other_report,
        "half-stored reports": found["half"],
        "error answers (non-2xx/3xx)": http_errors,
        "replays that did not return the same report": wrong_replays,
    }
    failed = [what for what, bad in failures.items() if bad]
    print(f"FAIL: {'; '.join(failed)}" if failed else
          "PASS: every acknowledged submission is stored exactly once and whole, and a replayed "
          "submission key returns its report")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
