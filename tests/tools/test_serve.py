"""tools/serve.py (`make run`): the web server and the notification worker run together; an
interrupt stops both, and either one stopping stops the other."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                           text=True).stdout.split()
    return [int(p) for p in found]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" in status.read_text()


def start(migrated_db, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": migrated_db.copy(tmp_path, with_demo=True),
           "MASHANG_SECRET_KEY": "test-secret", "FLASK_APP": "wsgi.py",
           "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
           "MASHANG_UPLOAD_FOLDER": str(tmp_path / "uploads")}
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen([sys.executable, "tools/serve.py", "--bind", f"127.0.0.1:{port}",
                              "--workers", "1"], cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                assert answer.status == 200
                break
        except OSError:
            assert time.monotonic() < deadline and serve.poll() is None, \
                (tmp_path / "serve.log").read_text()[-2000:]
            time.sleep(0.3)
    children = children_of(serve.pid)
    assert len(children) == 2  # gunicorn's master and the worker
    return serve, children


def test_an_interrupt_stops_the_server_and_the_worker(migrated_db, tmp_path):
    serve, children = start(migrated_db, tmp_path)
    serve.send_signal(signal.SIGINT)
    assert serve.wait(timeout=30) == 0
    assert all(gone(pid) for pid in children)


def test_the_worker_dying_stops_the_server_too(migrated_db, tmp_path):
    serve, children = start(migrated_db, tmp_path)
    worker = next(pid for pid in children if "worker" in Path(f"/proc/{pid}/cmdline")
                  .read_text())
    os.kill(worker, signal.SIGKILL)
    assert serve.wait(timeout=30) != 0
    assert all(gone(pid) for pid in children)
