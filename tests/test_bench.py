"""Every script in bench/ still runs from a clean checkout: each once with --smoke, a tiny run
of a few seconds. The figures are not checked (timing is never asserted in tests), the
scripts' own checks are: a bench exits non-zero when its run went wrong."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# A script is a file with a main block; bench/serve.py is the helpers they share.
SCRIPTS = sorted(path.stem for path in BENCH.glob("*.py")
                 if 'if __name__ == "__main__":' in path.read_text())
BROWSER = {"page_weight"}  # opens Chromium, like the browser tests
POSTGRES = {"load", "crash", "open311", "scale"}  # take --postgres: the PostgreSQL run tries it
ONLY_POSTGRES = {"liveness"}  # makes its own PostgreSQL cluster: the PostgreSQL run only
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))


def test_no_bench_is_named_like_a_standard_module():
    """A script's folder comes first on its path: bench/queue.py once hid the standard queue
    from psycopg and urllib3 in every bench."""
    assert [p.stem for p in BENCH.glob("*.py") if p.stem in sys.stdlib_module_names] == []


def test_there_are_benches_and_the_readme_names_each():
    readme = (ROOT / "README.md").read_text()
    assert len(SCRIPTS) >= 8
    assert [s for s in SCRIPTS if f"bench/{s}.py" not in readme] == []


@pytest.mark.parametrize("script", [pytest.param(s, marks=pytest.mark.e2e) if s in BROWSER
                                    else s for s in SCRIPTS])
def test_bench_runs_its_smoke_run(script):
    argv = [sys.executable, str(BENCH / f"{script}.py"), "--smoke"]
    if script in ONLY_POSTGRES:
        if not ON_POSTGRES:
            pytest.skip("needs PostgreSQL: the PostgreSQL run of the suite runs it")
    elif ON_POSTGRES:
        if script not in POSTGRES:
            pytest.skip("a SQLite-only bench: the SQLite run of the suite runs it")
        argv.append("--postgres")
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, (f"bench/{script}.py --smoke failed:\n"
                                  f"{(done.stdout + done.stderr)[-4000:]}")
    assert done.stdout.strip()  # it printed its figures


def test_load_through_nginx_runs_its_smoke_run():
    """bench/load.py --nginx: the hello-world, the app and nginx (deploy/nginx/mashang.conf)."""
    done = subprocess.run([sys.executable, str(BENCH / "load.py"), "--smoke", "--nginx"],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "board, through nginx" in done.stdout and "X-Cache-Status HIT" in done.stdout
