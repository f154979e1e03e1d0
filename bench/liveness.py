"""What keeping pooled PostgreSQL connections alive costs a request: pool_pre_ping (a
SELECT 1 round trip at every checkout) against looking at the socket (webapp/liveness.py),
and that both survive the server dropping every connection.

Builds a throwaway PostgreSQL cluster with the demo data and, in this process with the test
client (server time only), times GET /healthz (one statement) and GET
/open311/v2/requests/<id>.json under each strategy, alternately.
Run: .venv/bin/python bench/liveness.py [--requests 2000] [--rounds 3]
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from load import database_url
from serve import demo_database, free_port, server_env, smoke

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(url, pre_ping):
    from webapp import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                       "DB_PRE_PING": pre_ping})


def per_request_us(client, path, count):
    t0 = time.perf_counter()
    for _ in range(count):
        answer = client.get(path)
        if answer.status_code != 200:
            sys.exit(f"GET {path} answered {answer.status_code}")
    return (time.perf_counter() - t0) / count * 1e6


def survives_a_restart(app, url, path):
    from tools.throwaway_postgres import drop_every_connection
    client = app.test_client()
    client.get(path)
    drop_every_connection(url)
    return client.get(path).status_code == 200


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per route, round, way")
    parser.add_argument("--rounds", type=int, default=3, help="median kept")
    args = smoke(parser, requests=20, rounds=1)

    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp, \
            database_url(True, tmp) as url:
        demo_database(server_env(url, free_port(), tmp))
        from sqlalchemy import select

        apps = {"socket look (default)": make_app(url, False),
                "pool_pre_ping": make_app(url, True)}
        with apps["pool_pre_ping"].app_context():
            from webapp.extensions import db
            from webapp.models import Report
            number = db.session.scalar(select(Report.number).limit(1))
        paths = {"/healthz": "/healthz",
                 "requests/<id>.json": f"/open311/v2/requests/{number}.json"}
        times = {(way, p): [] for way in apps for p in paths}
        for rnd in range(args.rounds):
            ways = list(apps) if rnd % 2 == 0 else list(reversed(apps))
            for way in ways:
                client = apps[way].test_client()
                for name, path in paths.items():
                    per_request_us(client, path, max(1, args.requests // 10))  # warm up
                    times[(way, name)].append(per_request_us(client, path, args.requests))
        survived = {way: survives_a_restart(app, url, paths["/healthz"])
                    for way, app in apps.items()}

    print(f"CPUs: {os.cpu_count()}  Python: {platform.python_version()}  PostgreSQL on a "
          f"Unix socket  {args.requests} requests per route, {args.rounds} rounds (median)")
    print(f"{'strategy':<24} {'route':<20} {'µs/request':>10} {'survives a restart':>19}")
    for (way, name), values in times.items():
        print(f"{way:<24} {name:<20} {statistics.median(values):>10.0f} "
              f"{'yes' if survived[way] else 'NO':>19}")
    for name in paths:
        cost = statistics.median(times[("pool_pre_ping", name)]) - \
            statistics.median(times[("socket look (default)", name)])
        print(f"pre-ping costs {name}: {cost:+.0f} µs a request")
    if not all(survived.values()):
        print("FAILED: a strategy did not survive the server dropping its connections",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
