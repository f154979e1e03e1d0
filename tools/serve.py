"""`make run`: the web server and the notification worker together. Ctrl-C (or SIGTERM) stops
both; if either stops by itself, the other is stopped too and its exit code is returned.

Usage: serve.py --bind HOST:PORT --workers N"""

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", default="127.0.0.1:8000")
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()
    children = [
        subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", args.bind,
                          "--workers", args.workers, "wsgi:app"]),
        subprocess.Popen([str(BIN / "flask"), "worker"]),
    ]
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0 if stopping else next((c.returncode for c in children if c.returncode), 0)


if __name__ == "__main__":
    sys.exit(main())
