"""Server time and SQL statements of the district overview, over a generated district.

Builds a fresh SQLite database with the demo data, times the overview on it, then generates
streets, communities, property companies and a year of reports with a minimal loader of its
own (core inserts, bypassing the session, then `rollup.rebuild()` as any bulk loader must),
and times the overview again through the Flask test client as the demo's `district` account.
Run: .venv/bin/python bench/district.py [--reports N] [--communities C] [--repeat K]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import flask_migrate  # noqa: E402
from sqlalchemy import event, func, insert, select  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.domain import unit_of_work  # noqa: E402
from webapp.domain.district import rollup  # noqa: E402
from webapp.domain.shared.tokens import digest  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import (  # noqa: E402
    Building,
    Category,
    Community,
    Company,
    Compound,
    District,
    Organization,
    OrgKind,
    Report,
    ReportEvent,
    ReportMilestone,
    ReportStatus,
    Street,
)
from webapp.models.rollup import report_rollup  # noqa: E402
from webapp.seed.demo import load_demo_data  # noqa: E402

S = ReportStatus
STATUS_MIX = {S.SUBMITTED: 3, S.ASSIGNED: 3, S.ACCEPTED: 2, S.RESOLVED: 8, S.CLOSED: 78,
              S.REJECTED: 3, S.DUPLICATE: 2, S.REOPENED: 1}
STREETS = ["坞城街道", "营盘街道", "平阳路街道", "龙城街道", "黄陵街道"]
BATCH = 10_000
WARMUP = 3
GOAL_MS = 100


def generate(communities: int, companies: int, reports: int, seed: int = 1,
             now: datetime | None = None) -> None:
    """Streets of the demo district, `communities` communities with three compounds each,
    `companies` property companies (each serving compounds in several communities), and
    `reports` reports over the last year; then the rollup rebuilt. Inside an app context."""
    rnd, now = random.Random(seed), now or datetime.now(UTC)
    district = db.session.scalars(select(District).where(District.code == "xiaodian")).one()
    streets = [db.session.scalars(select(Street).where(Street.district_id == district.id)).first()]
    for i, name in enumerate(STREETS[1:]):
        streets.append(Street(district=district, code=f"gen-street-{i}", name=name))
    firms = [Company(name=f"太原市第{i + 1}物业服务有限公司") for i in range(companies)]
    db.session.add_all(streets + firms)
    places = []  # (community id, compound id, building id, organisation id)
    for c in range(communities):
        community = Community(code=f"gen{c:04d}", name=f"生成第{c + 1}社区",
                              street=streets[c % len(streets)])
        db.session.add(community)
        for firm in rnd.sample(firms, 3):
            org = Organization(community=community, kind=OrgKind.PROPERTY, name=firm.name,
                               company=firm)
            compound = Compound(community=community, name=f"{firm.name[:6]}小区",
                                partner_org=org)
            building = Building(compound=compound, name="1号楼", sort_key=0)
            db.session.add_all([org, compound, building])
            places.append((community, compound, building, org))
    db.session.flush()
    places = [(c.id, k.id, b.id, o.id) for c, k, b, o in places]
    categories = db.session.scalars(select(Category.id)).all()
    statuses, weights = list(STATUS_MIX), list(STATUS_MIX.values())
    next_id = (db.session.scalar(select(func.max(Report.id))) or 0) + 1
    rows, clocks, events = [], [], []

    def flush():
        for model, batch in ((Report, rows), (ReportMilestone, clocks), (ReportEvent, events)):
            if batch:
                db.session.execute(insert(model.__table__), batch)
                batch.clear()

    for i in range(next_id, next_id + reports):
        community_id, compound_id, building_id, org_id = rnd.choice(places)
        status = rnd.choices(statuses, weights)[0]
        created = now - timedelta(minutes=rnd.uniform(1, 365 * 24 * 60))
        row = dict(id=i, number=f"G{i:010d}", tracking_token_hash=digest(f"gen-t-{i}"),
                   submission_key_hash=digest(f"gen-k-{i}"), channel="qr", version=1,
                   community_id=community_id, compound_id=compound_id,
                   building_id=building_id, category_id=rnd.choice(categories),
                   description="楼道灯不亮了", status=status, priority=0, care_card=False,
                   goes_first=False, hidden_from_board=False, created_at=created,
                   updated_at=created, assigned_org_id=None if status == S.SUBMITTED
                   else org_id, next_due_at=None, resolved_at=None, closed_at=None,
                   rating=None)
        if status in (S.RESOLVED, S.CLOSED):
            resolved = min(created + timedelta(minutes=rnd.lognormvariate(5.5, 1.2)), now)
            row.update(resolved_at=resolved, closed_at=resolved if status == S.CLOSED else None,
                       rating=rnd.choice([3, 4, 4, 5, 5, 5]) if rnd.random() < 0.7 else None)
            due = created + timedelta(minutes=240)
            clocks.append(dict(report_id=i, cycle=1, name="resolve", started_at=created,
                               due_at=due, met_at=resolved,
                               breached_at=due if resolved > due else None))
        elif status in (S.SUBMITTED, S.ASSIGNED, S.ACCEPTED, S.REOPENED):
            # Most clocks still running: a few ran out within the last day.
            row.update(next_due_at=now + timedelta(minutes=rnd.uniform(-1440, 4 * 1440)))
        if status == S.REOPENED:
            events.append(dict(report_id=i, created_at=created, actor_kind="resident",
                               kind="reopened", is_public=True))
        rows.append(row)
        if len(rows) >= BATCH:
            flush()
    flush()
    rollup.rebuild()
    db.session.commit()


def measure(client, path, counter, repeat):
    latencies, statements = [], []
    for n in range(WARMUP + repeat):
        before, t0 = counter[0], time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}, expected 200")
        if n >= WARMUP:
            latencies.append(elapsed)
            statements.append(counter[0] - before)
    return latencies, statements


def main():
    from serve import SETTINGS, login, smoke  # bench/'s helpers (not needed by generate())

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--communities", type=int, default=80)
    parser.add_argument("--companies", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=20)
    args = smoke(parser, reports=300, communities=5, companies=4, repeat=1)
    with tempfile.TemporaryDirectory(prefix="mashang-bench-") as tmp:
        app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3",
                          "UPLOAD_FOLDER": f"{tmp}/uploads", "TESTING": True})
        counter = [0]
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):
                flask_migrate.upgrade()
            with unit_of_work():
                load_demo_data(app.config["SECRET_KEY"])
            engine = db.engine
        event.listen(engine, "before_cursor_execute",
                     lambda *_: counter.__setitem__(0, counter[0] + 1))
        client = app.test_client()
        login(client, "district")
        pages = ["/district/", "/district/?street=wucheng"]
        small = {p: measure(client, p, counter, 3)[1] for p in pages}
        t0 = time.perf_counter()
        with app.app_context():
            generate(args.communities, args.companies, args.reports)
            rows = db.session.scalar(select(func.count()).select_from(report_rollup))
            company = db.session.scalar(select(func.min(Company.id)).where(
                Company.name.like("太原市第%")))
        load_s = time.perf_counter() - t0
        pages.append(f"/district/companies/{company}")
        print(f"district: {args.communities} communities in {len(STREETS)} streets, "
              f"{args.companies} companies, {args.reports} reports; generated and rolled up "
              f"in {load_s:.1f} s ({rows} rollup rows)")
        print(f"goal: under {GOAL_MS} ms server time, statements constant")
        print(f"{'page':<32} {'median ms':>9} {'p95 ms':>8} {'stmts small':>11} {'stmts N':>8}")
        for path in pages:
            latencies, statements = measure(client, path, counter, args.repeat)
            if path in small and set(statements) != set(small[path]):
                sys.exit(f"{path}: {statements} statements, {small[path]} on the small DB")
            p95 = sorted(latencies)[max(0, int(0.95 * len(latencies)) - 1)]
            print(f"{path:<32} {statistics.median(latencies):>9.1f} {p95:>8.1f} "
                  f"{str(small.get(path, ['-'])[0]):>11} {statements[0]:>8}")
        engine.dispose()


if __name__ == "__main__":
    main()
