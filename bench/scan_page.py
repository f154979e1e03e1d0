"""Throughput and latency of the scan page and the in-app floor, against a bare Flask app.

Builds a fresh SQLite database with the demo data, serves it with gunicorn and, beside it
with the same gunicorn settings, the bare Flask hello-world (bench/hello_app.py), then loads
GET /q/<token>, the trivial in-app route GET /lang/zz?next=/ and the hello-world's GET /
in turn. It prints each, the trivial route's share of the hello-world (the floor every page
of the app stands on) and the scan page's share of both.
Run: .venv/bin/python bench/scan_page.py
"""

import argparse
import http.client
import json
import math
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

from serve import HELLO_APP, HOST, demo_database, free_port, gunicorn, server_env, smoke

TIME_LIMIT = 120.0  # seconds, for all the request loops together


def load(port, path, headers, expect, count, concurrency, deadline):
    """Send `count` requests from `concurrency` keep-alive connections. Returns the latencies
    of the good responses, the number of errors, connections opened, requests left unsent
    at the deadline and wall time."""
    lock = threading.Lock()
    state = {"left": count, "errors": 0, "opened": 0}
    latencies = []
    start = threading.Barrier(concurrency + 1)

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        mine, errors, opened = [], 0, 0
        start.wait()
        while time.monotonic() < deadline:
            with lock:
                if state["left"] == 0:
                    break
                state["left"] -= 1
            t0 = time.perf_counter()
            # A server may close a reused connection at any time (gunicorn's sync workers
            # close every one): retry once on a fresh connection before calling it an error.
            for _attempt in range(2):
                try:
                    opened += conn.sock is None  # http.client reconnects by itself
                    conn.request("GET", path, headers=headers)
                    resp = conn.getresponse()
                    resp.read()
                    status = resp.status
                    break
                except (http.client.HTTPException, OSError):
                    conn.close()
                    status = None
            if status == expect:
                mine.append(time.perf_counter() - t0)
            else:
                errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            state["errors"] += errors
            state["opened"] += opened

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return latencies, state["errors"], state["opened"], state["left"], wall


def server_cpu_seconds(master) -> float:
    """User + system CPU time used so far by gunicorn's workers (the master's children):
    unlike req/s, it does not depend on what else the machine is running."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[1]) == master.pid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def ratio(a, b):
    return a / b if b else float("nan")  # a run where every request failed


def bench(routes, args, masters):
    """routes: name -> (port, path, headers, expected status); masters: port -> the
    gunicorn master serving it."""
    deadline = time.monotonic() + TIME_LIMIT
    best, errors, unsent = {}, 0, 0
    for rnd in range(args.rounds):
        # Alternate the order so neither route always runs on a warmer (or hotter) machine.
        order = list(routes) if rnd % 2 == 0 else list(reversed(routes))
        for name in order:
            port, path, headers, expect = routes[name]
            for count in (args.warmup, args.requests):  # only the last batch is kept
                cpu = server_cpu_seconds(masters[port])
                lat, err, opened, left, wall = load(port, path, headers, expect, count,
                                                    args.concurrency, deadline)
                cpu = server_cpu_seconds(masters[port]) - cpu
                errors, unsent = errors + err, unsent + left
            lat.sort()
            result = {"req_per_s": len(lat) / wall, "p50_ms": percentile(lat, 50) * 1000,
                      "p99_ms": percentile(lat, 99) * 1000, "round": rnd + 1,
                      "connections": opened,
                      "cpu_us": cpu / max(1, len(lat) + err) * 1e6}
            if name not in best or result["req_per_s"] > best[name]["req_per_s"]:
                best[name] = result
            # The least CPU a request took over the rounds (the least disturbed round).
            best[name]["cpu_us"] = min(best[name]["cpu_us"], result["cpu_us"])
    return best, errors, unsent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="per route and round")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests first")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = smoke(parser, requests=40, concurrency=2, rounds=1, warmup=10, workers=1)

    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp:
        port, hello_port = free_port(), free_port()
        env = server_env(f"sqlite:///{tmp}/bench.sqlite3", port, tmp)
        token = demo_database(env)
        routes = {
            "scan": (port, f"/q/{token}", {"Accept-Language": "zh-CN"}, 200),
            "trivial": (port, "/lang/zz?next=/", {}, 303),
            "hello": (hello_port, "/", {}, 200),
        }
        hello_logs = Path(tmp) / "hello"
        hello_logs.mkdir()
        # Both servers up at once, loaded in turn: an idle one costs nothing.
        with gunicorn(env, port, args.workers, tmp) as app_master, \
                gunicorn(env, hello_port, args.workers, hello_logs, app=HELLO_APP,
                         probe="/") as hello_master:
            best, errors, unsent = bench(routes, args, {port: app_master,
                                                        hello_port: hello_master})

    scan, trivial, hello = best["scan"], best["trivial"], best["hello"]
    report = {
        "cpu_count": os.cpu_count(), "python": platform.python_version(),
        "gunicorn_workers": args.workers, "requests": args.requests,
        "concurrency": args.concurrency, "rounds": args.rounds, "routes": best,
        "errors": errors, "unsent": unsent,
        "ratio_req_per_s": ratio(scan["req_per_s"], trivial["req_per_s"]),
        "ratio_p50": ratio(scan["p50_ms"], trivial["p50_ms"]),
        "trivial_to_hello": ratio(trivial["req_per_s"], hello["req_per_s"]),
        "scan_to_hello": ratio(scan["req_per_s"], hello["req_per_s"]),
        # The same from the server's CPU time per request (hello's ÷ the route's).
        "trivial_to_hello_cpu": ratio(hello["cpu_us"], trivial["cpu_us"]),
        "scan_to_hello_cpu": ratio(hello["cpu_us"], scan["cpu_us"]),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"CPUs: {report['cpu_count']}  Python: {report['python']}  "
              f"gunicorn workers: {args.workers}  requests: {args.requests}  "
              f"concurrency: {args.concurrency}  rounds: {args.rounds} (best kept)")
        print(f"{'route':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'conns':>6} "
              f"{'server CPU µs/req':>18}")
        for name, r in best.items():
            print(f"{name:<8} {r['req_per_s']:>8.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
                  f"{r['connections']:>6} {r['cpu_us']:>18.0f}")
        print(f"floor (trivial / hello) req/s: {report['trivial_to_hello']:.2f}   "
              f"by server CPU: {report['trivial_to_hello_cpu']:.2f}")
        print(f"ratio (scan / hello) req/s:    {report['scan_to_hello']:.2f}   "
              f"by server CPU: {report['scan_to_hello_cpu']:.2f}")
        print(f"ratio (scan / trivial) req/s:  {report['ratio_req_per_s']:.2f}")
        print(f"ratio (scan / trivial) p50:    {report['ratio_p50']:.2f}")
    if errors or unsent:
        print(f"FAILED: {errors} request errors, {unsent} requests not sent within the "
              f"{TIME_LIMIT:.0f} s limit", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
