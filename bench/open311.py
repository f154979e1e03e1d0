"""Throughput and latency of the Open311 API, relative to a trivial route of the same server.

Builds a fresh SQLite database with the demo data and about 1,000 reports of 八一社区 (filed
through the workflow, a third dispatched and a third resolved), serves it with gunicorn and
loads, from 50 concurrent clients, in turn: GET /lang/zz (the trivial route), services.json,
requests.json (its default page), one request by id, and a form-encoded POST of a new request.
The rate limiter is on here, unlike in the other benches (serve.SETTINGS), with the POST
limit raised so that it counts but never refuses: the POST figure includes that counting.
Run: .venv/bin/python bench/open311.py [--workers N] [--clients 50] [--seconds 8] [--rounds 2]
"""

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from load import Client, run_load, timed
from scan_page import percentile, ratio
from serve import demo_database, free_port, gunicorn, server_env, smoke

from webapp.domain.reports import dispatch, intake

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPORTS = 1000
WORKERS = 4
TRIVIAL = "/lang/zz?next=/"
GOALS = {"services.json": 0.5, "requests.json": 0.1, "POST requests.json": 0.08}


def seed(database_url: str, count: int) -> tuple[str, str]:
    """`count` reports through the workflow (varied places, categories and states) and an API
    key. Returns the key and the number of one report."""
    from sqlalchemy import event, select

    from webapp import create_app
    from webapp.domain import unit_of_work
    from webapp.domain.people import api_clients
    from webapp.extensions import db
    from webapp.models import Building, Category, Community, Compound, QrCode, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    rnd = random.Random(311)
    with app.app_context():
        # A throwaway database: no need to wait for the disk at each commit.
        event.listen(db.engine, "connect",
                     lambda connection, _record: connection.execute("PRAGMA synchronous=OFF"))
        db.engine.dispose()
        community = db.session.scalar(select(Community).where(Community.code == "bayi"))
        codes = db.session.scalars(
            select(QrCode).join(Building, QrCode.building_id == Building.id)
            .join(Compound, Building.compound_id == Compound.id)
            .where(Compound.community_id == community.id, QrCode.revoked_at.is_(None))).all()
        categories = db.session.scalars(select(Category).where(Category.active)).all()
        dispatcher = db.session.scalar(select(User).where(User.username == "dispatcher"))
        words = ["楼道灯不亮了，晚上看不清。", "单元门口一直有积水。", "垃圾桶满了没人清。",
                 "消防通道被车辆占用。", "电梯异响，停在半层。", "暖气片不热。"]
        for n in range(count):
            draft = intake.ReportDraft(
                submission_key=f"bench-open311-{n:06d}", category_id=rnd.choice(categories).id,
                description=rnd.choice(words), floor_room=f"{rnd.randint(1, 6)}楼",
                contact_name="居民", contact_phone=f"139{rnd.randint(0, 99999999):08d}")
            with unit_of_work():
                report, _ = intake.submit_report(rnd.choice(codes), draft, [], None,
                                                   secret=app.config["SECRET_KEY"])
                if n % 3:
                    dispatch.assign(report, dispatcher, report.compound.partner_org
                                    or report.compound.grid_org)
                if n % 3 == 2:
                    dispatch.public_reply(report, dispatcher, "已安排师傅处理。")
                    dispatch.reject(report, dispatcher, "已由物业处理完毕。")
        with unit_of_work():
            raw = api_clients.issue_key(community, "bench")[1]
        number = report.number
        db.session.remove()
        db.engine.dispose()
    return raw, number


def get_step(path):
    def step(client, record):
        timed(record, "request", lambda: client.request("GET", path))
    return step


def post_step(key):
    body = urlencode({"api_key": key, "jurisdiction_id": "bayi", "service_code": "water",
                      "address_string": "微波宿舍 1号楼 2单元",
                      "description": "楼道的水管漏水，地上都是水。", "first_name": "李",
                      "phone": "13800138000", "attribute[leak_place]": "stairwell"})
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

    def step(client, record):
        timed(record, "request", lambda: client.request("POST", "/open311/v2/requests.json",
                                                        body, headers))
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=8.0, help="per route and round")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds, unmeasured")
    parser.add_argument("--rounds", type=int, default=2, help="best round kept")
    parser.add_argument("--reports", type=int, default=REPORTS)
    parser.add_argument("--only", help="comma-separated route names to load (the trivial "
                        "route always runs), e.g. 'POST requests.json'")
    args = smoke(parser, workers=1, clients=2, seconds=0.3, warmup=0, rounds=1, reports=10)

    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        port = free_port()
        env = server_env(url, port, tmp, RATELIMIT_ENABLED=True,
                         RATELIMIT_OPEN311_POST="1000000 per minute")
        demo_database(env)
        t0 = time.perf_counter()
        key, number = seed(url, args.reports)
        seeded = time.perf_counter() - t0

        routes = {
            "trivial GET /lang/zz": get_step(TRIVIAL),
            "services.json": get_step("/open311/v2/services.json?jurisdiction_id=bayi"),
            "requests.json": get_step("/open311/v2/requests.json?jurisdiction_id=bayi"),
            "requests/<id>.json": get_step(f"/open311/v2/requests/{number}.json"),
            "POST requests.json": post_step(key),
        }
        if args.only:
            wanted = {name.strip() for name in args.only.split(",")}
            routes = {name: step for name, step in routes.items()
                      if name in wanted or name.startswith("trivial")}
        with gunicorn(env, port, args.workers, tmp):
            probe = Client(port)
            page = probe.request("GET", "/open311/v2/requests.json?jurisdiction_id=bayi")
            items = page.data.count(b'"service_request_id"')
            probe.close()
            best, errors = {}, {}
            for rnd in range(args.rounds):
                order = list(routes) if rnd % 2 == 0 else list(reversed(routes))
                for name in order:
                    if args.warmup > 0:
                        run_load(port, args.clients, args.warmup, routes[name])
                    tallies, wall = run_load(port, args.clients, args.seconds, routes[name])
                    tally = tallies.get("request")
                    lat = sorted(tally.latencies) if tally else []
                    result = {"done": len(lat), "rate": len(lat) / wall,
                              "p50": percentile(lat, 50) * 1000,
                              "p99": percentile(lat, 99) * 1000,
                              "errors": tally.errors if tally else 0,
                              "samples": tally.samples if tally else []}
                    errors[name] = errors.get(name, 0) + result["errors"]  # every round's
                    if name not in best or result["rate"] > best[name]["rate"]:
                        best[name] = result

    print(f"CPUs: {os.cpu_count()} (shared by server and load generator)  Python: "
          f"{platform.python_version()}  gunicorn workers: {args.workers}  SQLite  "
          f"clients: {args.clients}  {args.seconds:g} s per route and round, {args.rounds} "
          f"rounds (best kept)")
    print(f"database: {args.reports} reports seeded in {seeded:.1f} s (+ the demo's); "
          f"requests.json default page: {items} items")
    trivial = best["trivial GET /lang/zz"]
    print(f"{'route':<22} {'done':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
          f"{'req/s ÷ trivial':>15} {'goal':>6}")
    failed = False
    for name, r in best.items():
        share = ratio(r["rate"], trivial["rate"])
        goal = GOALS.get(name)
        verdict = "" if goal is None else (f"≥{goal:g} " + ("ok" if share >= goal else "MISS"))
        failed |= goal is not None and share < goal
        print(f"{name:<22} {r['done']:>6} {r['rate']:>8.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
              f"{errors[name]:>6} {share:>15.3f} {verdict:>6}")
    for name, r in best.items():
        for sample in r["samples"]:
            print(f"error sample, {name}: {sample}")
    if sum(errors.values()):
        print(f"FAILED: {sum(errors.values())} requests failed (all rounds)", file=sys.stderr)
        sys.exit(1)
    if failed:
        print("A goal was missed.", file=sys.stderr)


if __name__ == "__main__":
    main()
