"""Backups of the embedded SQLite database, taken while the app keeps serving.

SQLite's online backup API copies a consistent snapshot page by page, so writers are never
blocked for long and a half-written transaction is never copied. PostgreSQL has pg_dump."""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupUnsupported(Exception):
    pass


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupUnsupported(url.get_backend_name())
    return Path(url.database)


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copies the database to `target` (which must not exist yet); returns its size in bytes."""
    source_path = sqlite_path(database_url)
    target = Path(target)
    if target.exists():
        raise FileExistsError(target)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    partial = target.with_name(target.name + ".partial")
    copy = sqlite3.connect(partial)
    try:
        with copy:
            source.backup(copy, pages=1024)
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"integrity check of the copy failed: {check}")
    finally:
        copy.close()
        source.close()
    partial.rename(target)  # a backup file is either whole or absent
    return target.stat().st_size
