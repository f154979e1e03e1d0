"""A throwaway PostgreSQL cluster on a Unix socket in a temporary folder.

    python tools/throwaway_postgres.py -- pytest -q

starts the cluster, runs the command with TEST_DATABASE_URL (and PG_URL) pointing at an empty
database `mashang`, then stops the cluster and deletes it. The server refuses to run as root,
so as root it runs as the `postgres` user. Durability is off: this is for tests and benches.
The server programs are taken from the first folder on PATH that has initdb and pg_ctl, else
from Debian's newest /usr/lib/postgresql/<version>/bin (Debian keeps them off PATH)."""

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SERVER_USER = "postgres"
DEBIAN_SERVERS = Path("/usr/lib/postgresql")
SERVER_PROGRAMS = ("initdb", "pg_ctl")


class ServerNotFound(RuntimeError):
    pass


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _version(folder: Path) -> tuple[int, ...]:
    """(15,) for /usr/lib/postgresql/15/bin, (9, 6) for 9.6; () for a name that is no version."""
    try:
        return tuple(int(part) for part in folder.parent.name.split("."))
    except ValueError:
        return ()


def server_bin_dir(search_path: str | None = None, debian_root: Path = DEBIAN_SERVERS) -> Path:
    """The folder of PostgreSQL's server programs: the first folder of `search_path` (PATH by
    default) holding both initdb and pg_ctl, else the newest version under `debian_root`."""
    if search_path is None:
        search_path = os.environ.get("PATH", "")
    on_path = [Path(folder) for folder in search_path.split(os.pathsep) if folder]
    debian = sorted(debian_root.glob("*/bin"), key=_version, reverse=True)
    for folder in on_path + debian:
        if all(_executable(folder / name) for name in SERVER_PROGRAMS):
            return folder
    raise ServerNotFound(
        "PostgreSQL's server programs (initdb, pg_ctl) are neither on PATH nor in "
        f"{debian_root}/<version>/bin: install them (Debian: apt-get install -y postgresql)")


def _client(bin_dir: Path, name: str) -> str:
    """A client program beside the server's, else the one on PATH (Debian's wrapper)."""
    if _executable(bin_dir / name):
        return str(bin_dir / name)
    return shutil.which(name) or name


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", SERVER_USER, "--", *argv]


def _run(argv: list[str]) -> None:
    subprocess.run(_as_server_user(argv), check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def cluster(max_connections: int = 200):
    """Yields a SQLAlchemy URL of an empty database on a fresh cluster."""
    bin_dir = server_bin_dir()
    initdb, pg_ctl = (str(bin_dir / name) for name in SERVER_PROGRAMS)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise ServerNotFound(f"as root the server runs as the `{SERVER_USER}` user, and "
                                 "there is none (Debian's postgresql package makes it)") from None
    root = Path(tempfile.mkdtemp(prefix="mashang-pg-"))
    data, socket_dir = root / "data", root / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, SERVER_USER)
        shutil.chown(socket_dir, SERVER_USER)
    try:
        _run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])
        options = (f"-k {socket_dir} -c listen_addresses='' -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off "
                   f"-c max_connections={max_connections}")
        _run([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "server.log"),
              "-w", "start"])
        try:
            _run([_client(bin_dir, "createdb"), "-h", str(socket_dir), "-U", "postgres", "mashang"])
            yield f"postgresql+psycopg://postgres@/mashang?host={socket_dir}"
        finally:
            _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def drop_every_connection(url: str) -> None:
    """What a restart does to other clients' connections to the database of `url`: the
    server ends each one (pg_terminate_backend). Returns once they are gone."""
    import time

    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    admin = create_engine(url, poolclass=NullPool)
    others = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
              "AND pid <> pg_backend_pid()")
    with admin.connect() as connection:
        if not connection.execute(text(others)).all():
            raise RuntimeError("nobody holds a connection to drop")
        connection.execute(text(f"SELECT pg_terminate_backend(pid) FROM ({others}) AS them"))
        deadline = time.monotonic() + 10
        # Each look in a transaction of its own: within one, PostgreSQL shows the same
        # snapshot of pg_stat_activity, and the wait ran its whole 10 s every time.
        connection.commit()
        while connection.execute(text(others)).all() and time.monotonic() < deadline:
            connection.commit()
            time.sleep(0.05)
    admin.dispose()


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        print(__doc__)
        return 2
    try:
        with cluster() as url:
            print(f"throwaway PostgreSQL: {url} (server programs in {server_bin_dir()})",
                  file=sys.stderr)
            env = {**os.environ, "TEST_DATABASE_URL": url, "PG_URL": url}
            return subprocess.run(argv, env=env).returncode
    except ServerNotFound as missing:
        print(missing, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
