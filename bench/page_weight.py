"""Bytes of every resource of a first visit to a scan page, compressed and not.

Serves the demo with gunicorn, opens a scan URL in Debian's Chromium (a fresh profile) and
prints what was received. Run: .venv/bin/python bench/page_weight.py
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from serve import demo_database, free_port, gunicorn, server_env, smoke

BUDGET = 30 * 1024
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = smoke(parser, workers=1)
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        sys.exit("needs Debian's Chromium: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="mashang-weight-") as tmp:
        port = free_port()
        env = server_env(f"sqlite:///{Path(tmp) / 'w.sqlite3'}", port, tmp)
        url = f"{env['MASHANG_BASE_URL']}/q/{demo_database(env)}"
        with gunicorn(env, port, args.workers, tmp), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_context(viewport={"width": 390, "height": 844},
                                       locale="zh-CN").new_page()
            received = []
            page.on("response", lambda response: received.append(response))
            page.goto(url)
            page.wait_for_load_state("networkidle")
            rows = []
            for response in received:
                body = response.body() if response.status == 200 else b""
                rows.append((response.url.split(f":{port}", 1)[-1],
                             response.request.sizes()["responseBodySize"], len(body),
                             response.headers.get("content-encoding", "-")))
            browser.close()
    print(f"first visit to a scan page ({len(rows)} responses)")
    print(f"{'resource':<48} {'received':>9} {'raw':>9} encoding")
    for name, sent, raw, encoding in rows:
        print(f"{name[:48]:<48} {sent:>9,} {raw:>9,} {encoding}")
    total_sent, total_raw = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'total':<48} {total_sent:>9,} {total_raw:>9,}")
    print(f"budget {BUDGET:,} bytes compressed: {'OK' if total_sent <= BUDGET else 'OVER'}")


if __name__ == "__main__":
    main()
