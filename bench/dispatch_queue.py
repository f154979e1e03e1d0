"""Server time and SQL statements per request of the staff queue and the public board.

Builds a fresh SQLite database with the demo data and a few reports, counts the statements of
each page on it, bulk-inserts reports of 八一社区 up to N, then times each page in-process
through the Flask test client (no network, no server).
Run: .venv/bin/python bench/dispatch_queue.py [--reports N] [--repeat K] [--json]
"""
# ruff: noqa: E402

import sys
from pathlib import Path

# This file is named like the standard library's queue module: move its folder to the end of
# the path before anything imports `queue`, and put the project root first (hence E402).
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
sys.path.insert(0, str(HERE.parent))

import argparse
import contextlib
import io
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime, timedelta

import flask_migrate
from serve import SETTINGS, login, smoke, time_requests
from sqlalchemy import event, insert, select, text

from webapp import create_app
from webapp.domain import unit_of_work
from webapp.domain.shared.tokens import digest
from webapp.extensions import db
from webapp.models import (
    OPEN_STATUSES,
    Building,
    Category,
    Community,
    Compound,
    Entrance,
    Report,
    ReportMilestone,
    ReportSearch,
    ReportStatus,
)
from webapp.models.search import search_body
from webapp.seed.demo import load_demo_data

S = ReportStatus
STATUS_MIX = {S.SUBMITTED: 10, S.ASSIGNED: 10, S.ACCEPTED: 5, S.ON_SITE: 3, S.RESOLVED: 10,
              S.CLOSED: 55, S.REJECTED: 3, S.DUPLICATE: 2, S.REOPENED: 2}
BATCH = 10_000
WARMUP = 3
SMALL = 30  # reports in the small database
GOAL_MS = 100
DESCRIPTIONS = ["楼道灯不亮了，晚上看不清。", "单元门口一直有积水。", "垃圾桶满了没人清。",
                "消防通道被车辆占用。", "电梯异响，停在半层。", "暖气片不热。"]
PHONE_SHARE = 0.3  # of reports that leave a phone
# The search box (domain/reports/search.py): a phone spelled unlike its stored spelling, a
# number's tail, a common word (a sixth of all reports), a word found nowhere, a place, a
# place and a word.
SEARCHES = ["+86 138-0013-8000", "0077", "灯不亮", "下水道", "微波宿舍", "微波宿舍 积水"]


def bulk_insert(count, seed=1):
    """Insert `count` reports and their "accept" milestones with core executemany."""
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    community = db.session.scalars(select(Community).where(Community.code == "bayi")).one()
    places = db.session.execute(
        select(Compound.id, Compound.partner_org_id, Building.id, Entrance.id)
        .join(Building, Building.compound_id == Compound.id)
        .join(Entrance, Entrance.building_id == Building.id)
        .where(Compound.community_id == community.id)).all()
    categories = db.session.scalars(select(Category.id)).all()
    statuses, weights = list(STATUS_MIX), list(STATUS_MIX.values())
    next_id = (db.session.scalar(select(db.func.max(Report.id))) or 0) + 1
    reports, milestones = [], []

    def flush():
        if reports:
            db.session.execute(insert(Report.__table__), reports)
            # What the mapper writes with each report (models/search.py), in bulk here.
            db.session.execute(insert(ReportSearch.__table__), [
                dict(report_id=r["id"], community_id=r["community_id"],
                     compound_id=r["compound_id"], building_id=r["building_id"],
                     entrance_id=r["entrance_id"],
                     body=search_body(r["description"], r["contact_phone"])) for r in reports])
        if milestones:
            db.session.execute(insert(ReportMilestone.__table__), milestones)
        reports.clear()
        milestones.clear()

    for i in range(next_id, next_id + count):
        compound_id, org_id, building_id, entrance_id = rnd.choice(places)
        status = rnd.choices(statuses, weights)[0]
        # A few urgent and care-card reports, which the queue puts first.
        priority, care_card = (2 if rnd.random() < 0.02 else 0), rnd.random() < 0.03
        row = dict(id=i, number=f"B{i:010d}", tracking_token_hash=digest(f"bench-t-{i}"),
                   submission_key_hash=digest(f"bench-k-{i}"), channel="qr", version=1,
                   community_id=community.id, compound_id=compound_id, building_id=building_id,
                   entrance_id=entrance_id, category_id=rnd.choice(categories),
                   description=rnd.choice(DESCRIPTIONS), status=status, priority=priority,
                   contact_phone=f"138{rnd.randrange(10**8):08d}"
                   if rnd.random() < PHONE_SHARE else None,
                   care_card=care_card, goes_first=priority >= 2 or care_card,
                   hidden_from_board=False,
                   assigned_org_id=None if status == S.SUBMITTED else org_id,
                   next_due_at=None, resolved_at=None, closed_at=None, rating=None)
        created = now - timedelta(minutes=rnd.uniform(1, 90 * 24 * 60))
        row.update(created_at=created, updated_at=created)
        if status in OPEN_STATUSES:  # the current clock is due from two days ago to a day ahead
            due = max(now + timedelta(minutes=rnd.uniform(-2 * 24 * 60, 24 * 60)),
                      created + timedelta(minutes=30))
            row.update(next_due_at=due)
            milestones.append(dict(report_id=i, cycle=1, name="accept", met_at=None,
                                   started_at=due - timedelta(minutes=30), due_at=due,
                                   breached_at=None))
        elif status in (S.RESOLVED, S.CLOSED):
            resolved = min(created + timedelta(minutes=rnd.uniform(20, 3 * 24 * 60)), now)
            closed = min(resolved + timedelta(hours=rnd.uniform(1, 72)), now) \
                if status == S.CLOSED else None
            row.update(resolved_at=resolved, closed_at=closed, updated_at=closed or resolved,
                       rating=rnd.randint(3, 5) if rnd.random() < 0.7 else None)
            due = created + timedelta(minutes=30)
            met = min(resolved, due + timedelta(minutes=rnd.uniform(1, 120))
                      if rnd.random() < 0.15 else created + timedelta(minutes=rnd.uniform(1, 29)))
            milestones.append(dict(report_id=i, cycle=1, name="accept", started_at=created,
                                   due_at=due, met_at=met, breached_at=due if met > due else None))
        if i == next_id + count // 2:
            row.update(contact_phone="13800138000")  # the phone the bench searches for
        reports.append(row)
        if len(reports) >= BATCH:
            flush()
    flush()
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))  # as after a quiet moment


def measure(client, path, counter, repeat):
    return time_requests(client, path, counter, repeat, WARMUP)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def span(counts):
    low, high = min(counts), max(counts)
    return low if low == high else f"{low}-{high}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = smoke(parser, reports=200, repeat=1)

    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp:
        app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "UPLOAD_FOLDER": f"{tmp}/uploads", "TESTING": True})
        counter = [0]
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines
                flask_migrate.upgrade()
            with unit_of_work():
                load_demo_data(app.config["SECRET_KEY"])
            small_n = min(SMALL, args.reports)  # so that no page of the small DB is empty
            bulk_insert(small_n, seed=0)
            compound_id = db.session.scalar(select(Compound.id).where(Compound.name == "微波宿舍"))
            engine = db.engine
        event.listen(engine, "before_cursor_execute", lambda *_: counter.__setitem__(
            0, counter[0] + 1))
        # Requests run outside any app context, as under a real server: otherwise they would
        # share one app context, hence one session and its identity map, between requests.
        pages = [("/staff/queue", True), ("/staff/queue?tab=overdue", True),
                 (f"/staff/queue?compound={compound_id}", True),
                 ("/staff/queue?tab=all&page=50", True),
                 *((f"/staff/queue?tab=all&q={urllib.parse.quote(q)}", True)
                   for q in SEARCHES),
                 # The board as a signed-in user sees it: rendered afresh every time (the
                 # public gets it from the workers' render cache, one statement).
                 ("/board/", True),  # /board answers 308 to /board/
                 (f"/board/{compound_id}", True)]
        staff, public = app.test_client(), app.test_client()
        login(staff, "dispatcher")
        small = {path: span(measure(staff if is_staff else public, path, counter, 3)[1])
                 for path, is_staff in pages}

        t0 = time.perf_counter()
        with app.app_context():
            bulk_insert(args.reports - small_n)
        insert_s = time.perf_counter() - t0
        results = {}
        for path, is_staff in pages:
            lat, stmts, cpu = measure(staff if is_staff else public, path, counter, args.repeat)
            results[path] = {"median_ms": statistics.median(lat), "p95_ms": percentile(lat, 95),
                             "cpu_median_ms": statistics.median(cpu),
                             "statements_small": small[path], "statements": span(stmts)}
        engine.dispose()

    report = {"cpu_count": os.cpu_count(), "python": platform.python_version(),
              "sqlite": sqlite3.sqlite_version, "reports": args.reports, "repeat": args.repeat,
              "small_reports": small_n, "insert_s": insert_s, "pages": results}
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    print(f"CPUs: {report['cpu_count']}  Python: {report['python']}  "
          f"SQLite: {report['sqlite']}  reports: {args.reports} (inserted in {insert_s:.1f} s)"
          f"  timed requests per page: {args.repeat}")
    print(f"small DB: demo data + {small_n} reports; large DB: demo data + {args.reports} reports")
    print(f"goal: every page under {GOAL_MS} ms server time, statements constant")
    print(f"{'page':<44} {'median ms':>9} {'p95 ms':>8} {'CPU ms':>7} {'stmts small':>11} "
          f"{'stmts N':>8}")
    for path, r in results.items():
        shown = urllib.parse.unquote(path)
        print(f"{shown:<44} {r['median_ms']:>9.1f} {r['p95_ms']:>8.1f} "
              f"{r['cpu_median_ms']:>7.1f} {r['statements_small']:>11} {r['statements']:>8}")


if __name__ == "__main__":
    main()
