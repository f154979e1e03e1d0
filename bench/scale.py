"""Speed at a district's scale: server time and SQL statements per request with a generated
小店区 (webapp/seed/district.py) of up to 1,000,000 reports.

Generates the district (timed: rows/s) on SQLite, or with --postgres on a throwaway cluster,
once for a small district and once for N reports, then times in-process through the Flask
test client (no network, no server, as bench/dispatch_queue.py) the dispatcher's queue (every
tab, a filter, a deep page, the search box), a community's board and Open311's requests.json
(default page, by status, service and dates) and one request.
Run: .venv/bin/python bench/scale.py [--reports N] [--repeat K] [--postgres]
     [--sqlite-file PATH: keep the large SQLite database there and reuse it next time]
"""
# ruff: noqa: E402

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]
sys.path.insert(0, str(HERE.parent))

import argparse
import contextlib
import io
import math
import statistics
import tempfile
import time
import urllib.parse
from datetime import timedelta

import flask_migrate
from serve import SETTINGS, login, smoke, time_requests
from sqlalchemy import event, func, select

from webapp import create_app
from webapp.domain import unit_of_work
from webapp.extensions import db
from webapp.models import OPEN_STATUSES, Community, Compound, Organization, Report
from webapp.seed import district
from webapp.seed.demo import DEMO_OVERSEERS, load_demo_data

WARMUP = 2
SMALL = 10_000  # reports of the small district: enough that every page has rows
GOAL_MS = 100
SEED = 1


@contextlib.contextmanager
def database(postgres: bool, path: Path):
    if not postgres:
        yield f"sqlite:///{path}"
        return
    sys.path.insert(0, str(HERE.parent / "tools"))
    from throwaway_postgres import cluster

    with cluster() as url:
        yield url


def built(url: str, reports: int, tmp: str, fresh: bool):
    """The app on `url`, with the demo data and the district (generated when `fresh`)."""
    app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "UPLOAD_FOLDER": f"{tmp}/uploads"})
    seconds = None
    with app.app_context():
        if fresh:
            with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines
                flask_migrate.upgrade()
            with unit_of_work():
                load_demo_data(app.config["SECRET_KEY"])
            t0 = time.perf_counter()
            with unit_of_work():
                rows = district.generate(app.config["SECRET_KEY"], reports, SEED,
                                         echo=lambda line: print("  " + line, flush=True))
            seconds = time.perf_counter() - t0
            print(f"  {sum(rows.values()):,} rows in {seconds:.0f} s", flush=True)
        if fresh and db.engine.dialect.name == "postgresql":
            # What autovacuum does after a big insert: the visibility map lets counts and
            # other index-only scans skip the table.
            with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
    return app, seconds


OVERSEER = DEMO_OVERSEERS[0][0]  # the demo district's account, over the generated one too


def pages(app) -> tuple[str, list[tuple[str, str, bool]]]:
    """The dispatcher of the generated community with the most open reports (so that in
    the small district, too, every page has rows to show) and the pages timed."""
    with app.app_context():
        community_id = db.session.scalar(
            select(Report.community_id).join(Community).where(
                Community.code.like(f"{district.DISTRICT[0]}-%"),  # not the demo's two
                Report.status.in_(OPEN_STATUSES))
            .group_by(Report.community_id).order_by(func.count().desc()).limit(1))
        community = db.session.get(Community, community_id)
        compound = db.session.scalars(select(Compound).where(
            Compound.community_id == community_id, Compound.partner_org_id.is_not(None))
            .order_by(Compound.id)).first()
        phone, number = db.session.execute(
            select(Report.contact_phone, Report.number).where(
                Report.community_id == community_id, Report.contact_phone.is_not(None))
            .order_by(Report.id.desc()).limit(1)).one()
        month = db.session.scalar(select(func.max(Report.created_at)).where(
            Report.community_id == community_id)) - timedelta(days=90)
        street = community.street.code
        company = db.session.scalar(
            select(Organization.company_id).join(Compound, Compound.partner_org_id ==
                                                  Organization.id)
            .where(Organization.company_id.is_not(None)).group_by(Organization.company_id)
            .order_by(func.count().desc()).limit(1))
    code = community.code
    searches = [("phone", phone), ("number tail", number.split("-")[1]),
                ("common word", "漏水"), ("rare word", "化粪池"), ("place", compound.name),
                ("place + word", f"{compound.name} 漏水")]
    window = (f"&start_date={month:%Y-%m-01T00:00:00}Z"
              f"&end_date={month + timedelta(days=31):%Y-%m-01T00:00:00}Z")
    o311 = f"/open311/v2/requests.json?jurisdiction_id={code}"
    timed = [*((f"queue: {tab}", f"/staff/queue?tab={tab}", True)
               for tab in ("open", "new", "unassigned", "mine", "overdue", "resolved",
                           "closed", "all")),
             ("queue: compound", f"/staff/queue?tab=all&compound={compound.id}", True),
             ("queue: page 200", "/staff/queue?tab=all&page=200", True),
             *((f"search: {label}", f"/staff/queue?tab=all&q={urllib.parse.quote(q)}", True)
               for label, q in searches),
             # Timed as a signed-in user, for whom the board is rendered afresh every time;
             # the public gets it from the workers' render cache (one statement).
             ("board", f"/board/?community={code}", True),
             ("board: compound", f"/board/{compound.id}", True),
             ("open311: list", o311, False),
             ("open311: open", f"{o311}&status=open", False),
             ("open311: water", f"{o311}&service_code=water", False),
             ("open311: a month", o311 + window, False),
             ("open311: one", f"/open311/v2/requests/{number}.json", False),
             # The district's overseer (the demo's account): the whole district, one street,
             # the company serving most compounds.
             ("district", "/district/", OVERSEER),
             ("district: a street", f"/district/?street={street}", OVERSEER),
             ("district: a company", f"/district/companies/{company}", OVERSEER)]
    return f"{code}-dispatcher1", timed


def measure(app, repeat):
    """{label: (latencies ms, statement counts, CPU ms)} of every page."""
    username, timed = pages(app)
    counter = [0]
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute",
                 lambda *_: counter.__setitem__(0, counter[0] + 1))
    staff, public, overseer = app.test_client(), app.test_client(), app.test_client()
    login(staff, username)
    login(overseer, OVERSEER)
    results = {}
    for label, path, is_staff in timed:
        client = overseer if is_staff == OVERSEER else staff if is_staff else public
        results[label] = time_requests(client, path, counter, repeat, WARMUP)
    engine.dispose()
    return results


def span(counts):
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def p95(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--postgres", action="store_true",
                        help="a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--sqlite-file", type=Path,
                        help="keep the large SQLite database here, and reuse it if there")
    args = smoke(parser, reports=300, repeat=1)
    db_name = "PostgreSQL" if args.postgres else "SQLite"

    with tempfile.TemporaryDirectory(prefix="mashang-scale-") as tmp:
        few = min(SMALL, args.reports)
        print(f"{db_name}: a small district ({few:,} reports)", flush=True)
        with database(args.postgres, Path(tmp) / "small.sqlite3") as url:
            small = measure(built(url, few, tmp, True)[0], 1)
        large_file = args.sqlite_file or Path(tmp) / "large.sqlite3"
        fresh = args.postgres or not large_file.exists()
        print(f"{db_name}: the district with {args.reports:,} reports"
              + ("" if fresh else f" (reusing {large_file})"), flush=True)
        with database(args.postgres, large_file) as url:
            app, seconds = built(url, args.reports, tmp, fresh)
            large = measure(app, args.repeat)

    print(f"\n{db_name}, {args.reports:,} reports"
          + (f" (generated in {seconds:.0f} s)" if seconds else "")
          + f"; {args.repeat} timed requests per page; goal: under {GOAL_MS} ms server "
            "time, statements as with a small district")
    print(f"{'page':<22} {'median ms':>9} {'p95 ms':>8} {'CPU ms':>7} {'stmts':>6} "
          f"{'small':>6}  goal")
    for label, (latencies, statements, cpu) in large.items():
        median = statistics.median(latencies)
        same = span(statements) == span(small[label][1])
        ok = "ok" if median < GOAL_MS and same else "MISSED"
        print(f"{label:<22} {median:>9.1f} {p95(latencies):>8.1f} "
              f"{statistics.median(cpu):>7.1f} {span(statements):>6} "
              f"{span(small[label][1]):>6}  {ok}")


if __name__ == "__main__":
    main()
