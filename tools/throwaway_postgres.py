"""A throwaway PostgreSQL cluster on a Unix socket in a temporary folder.

    python tools/throwaway_postgres.py -- pytest -q

starts the cluster, runs the command with TEST_DATABASE_URL (and PG_URL) pointing at an empty
database `mashang`, then stops the cluster and deletes it. The server refuses to run as root,
so as root it runs as the `postgres` user. Durability is off: this is for tests and benches."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SERVER_USER = "postgres"


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", SERVER_USER, "--", *argv]


def _run(argv: list[str]) -> None:
    subprocess.run(_as_server_user(argv), check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def cluster(max_connections: int = 200):
    """Yields a SQLAlchemy URL of an empty database on a fresh cluster."""
    root = Path(tempfile.mkdtemp(prefix="mashang-pg-"))
    data, socket_dir = root / "data", root / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, SERVER_USER)
        shutil.chown(socket_dir, SERVER_USER)
    try:
        _run(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])
        options = (f"-k {socket_dir} -c listen_addresses='' -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off "
                   f"-c max_connections={max_connections}")
        _run(["pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "server.log"),
              "-w", "start"])
        try:
            _run(["createdb", "-h", str(socket_dir), "-U", "postgres", "mashang"])
            yield f"postgresql+psycopg://postgres@/mashang?host={socket_dir}"
        finally:
            _run(["pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        print(__doc__)
        return 2
    with cluster() as url:
        print(f"throwaway PostgreSQL: {url}", file=sys.stderr)
        env = {**os.environ, "TEST_DATABASE_URL": url, "PG_URL": url}
        return subprocess.run(argv, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
