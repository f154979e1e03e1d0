"""What the benches share to serve the app: a fresh demo database and gunicorn on loopback.

Every bench serves the app with the same settings (SETTINGS): its rate limits are off, because
all of a bench's clients come from one address, which limits meant for people would refuse,
and the benches measure the server. A bench that wants a limit on says so in its own call."""

import csv
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
SETTINGS = {"SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}
# A bare Flask hello-world under the same gunicorn settings: the reference of the ratios.
HELLO_APP = "bench.hello_app:app"


def server_env(database_url, port, tmp, **settings):
    """The environment of a bench's app (its `flask` commands, gunicorn): its own database,
    uploads folder and base URL, SETTINGS, then `settings` (config names without MASHANG_)."""
    env = dict(os.environ, DATABASE_URL=database_url, FLASK_APP="wsgi.py",
               SECRET_KEY=SETTINGS["SECRET_KEY"], MASHANG_BASE_URL=f"http://{HOST}:{port}",
               MASHANG_UPLOAD_FOLDER=str(Path(tmp) / "uploads"))
    for name, value in {**SETTINGS, **settings}.items():
        # The app reads MASHANG_* values as JSON when they parse, else as text.
        env[f"MASHANG_{name}"] = value if isinstance(value, str) else json.dumps(value)
    return env


# The README's commands `flask db upgrade`, `flask demo-data`, `flask qr list`, run in one
# process: each `flask` run would load the app again, a second each on a busy machine.
DEMO_COMMANDS = """import sys
from wsgi import app
runner = app.test_cli_runner()
for args in (["db", "upgrade"], ["demo-data"], ["qr", "list"]):
    with app.app_context():  # as the `flask` command gives each
        done = runner.invoke(args=args)
    if done.exit_code:
        sys.exit(f"flask {' '.join(args)} failed:\\n{done.output}{done.exception or ''}")
print(done.stdout, end="")
"""


def demo_database(env):
    """Migrate the database of `env`, load the demo data; returns an entrance's QR token."""
    done = subprocess.run([str(BIN / "python"), "-c", DEMO_COMMANDS], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the demo database failed:\n{done.stdout}{done.stderr}")
    rows = csv.DictReader(io.StringIO(done.stdout))
    token = next((r["token"] for r in rows if r["entrance"]), None)
    if token is None:
        sys.exit("flask qr list shows no code for an entrance")
    return token


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(proc, port, timeout=30.0, probe="/lang/zz?next=/"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited with status {proc.returncode}")
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            conn.request("GET", probe)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    sys.exit(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


@contextmanager
def gunicorn(env, port, workers, log_dir, extra_args=(), app="wsgi:app",
             probe="/lang/zz?next=/"):
    """gunicorn serving the app on loopback until the block ends; its log tail on failure.
    workers=None leaves the number to gunicorn (its config file, if any); yields the master's
    Popen. `app` and `probe` serve another WSGI app, e.g. the bare Flask reference
    (HELLO_APP)."""
    count = [] if workers is None else ["--workers", str(workers)]
    with open(Path(log_dir) / "gunicorn.log", "w+") as log:
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"{HOST}:{port}", *count, *extra_args,
             app], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(proc, port, probe=probe)
            yield proc
        except BaseException:
            log.seek(0)
            sys.stderr.write(log.read()[-3000:])
            raise
        finally:
            proc.send_signal(signal.SIGQUIT)  # quick shutdown: the bench has its answers
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def smoke(parser, **tiny):
    """Add --smoke to a bench's parser: a tiny run with these values, only to check that the
    script still works (tests/test_bench.py runs every bench so)."""
    parser.add_argument("--smoke", action="store_true",
                        help="a tiny run that only checks that the bench works")
    args = parser.parse_args()
    if args.smoke:
        vars(args).update(tiny)
    return args


def login(client, username):
    """Log a Flask test client in as a demo account (every demo account has one password)."""
    import re

    from webapp.seed.demo import DEMO_PASSWORD

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": token})
    if response.status_code != 303:
        sys.exit(f"login as {username} failed with status {response.status_code}")


def time_requests(client, path, counter, repeat, warmup=2):
    """GET `path` with a Flask test client: `warmup` untimed, then `repeat` timed. Returns the
    latencies in ms, the statements each ran (`counter[0]`, counted by an engine listener)
    and this process's CPU ms (the requests run in it, SQLite included): on a shared machine
    the wall time also counts waiting for a CPU, the CPU time does not."""
    latencies, statements, cpu = [], [], []
    for n in range(warmup + repeat):
        before = counter[0]
        t0, c0 = time.perf_counter(), time.process_time()
        resp = client.get(path)
        elapsed, used = time.perf_counter() - t0, time.process_time() - c0
        if resp.status_code != 200:
            sys.exit(f"GET {path} answered {resp.status_code}, expected 200")
        if n >= warmup:
            latencies.append(elapsed * 1000)
            statements.append(counter[0] - before)
            cpu.append(used * 1000)
    return latencies, statements, cpu
