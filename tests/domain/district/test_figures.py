"""The overview's figures: read from the rollup in a constant number of statements, the
median estimated from buckets within its documented error, companies ranked by the score
only with enough reports."""

import math
import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import app_secret
from tests.domain.reports.conftest import category_coded
from webapp.domain import unit_of_work
from webapp.domain.district import figures, places, rollup
from webapp.domain.reports import intake
from webapp.extensions import db
from webapp.models import Community, Company, Organization, OrgKind
from webapp.models.rollup import BUCKET_BOUNDS, BUCKETS

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)


def count_statements(run) -> int:
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def community_with_companies(i: int, street, companies) -> Community:
    community = Community(code=f"gen{i:03d}", name=f"生成社区{i:03d}", street=street)
    db.session.add(community)
    for company in companies:
        db.session.add(Organization(community=community, kind=OrgKind.PROPERTY,
                                    name=company.name, company=company))
    db.session.flush()
    return community


def counts(resolved=0, on_time=0, ratings=(), reopened=0, received=None, bucket=3):
    row = {"received": received if received is not None else resolved,
           "resolved": resolved, "on_time": on_time, "late": resolved - on_time,
           "rating_count": len(ratings), "rating_sum": sum(ratings), "reopened": reopened}
    if resolved:
        row[BUCKETS[bucket]] = resolved
    return row


def load_year(communities, rng):
    """A year of rollup rows for every organisation of these communities."""
    rows = {}
    orgs = db.session.execute(select(Organization.id, Organization.community_id).where(
        Organization.community_id.in_([c.id for c in communities]))).all()
    for day in range(365):
        for org_id, community_id in orgs:
            n = rng.randint(0, 6)
            rows[(date(2026, 11, 30) - timedelta(days=day), community_id, org_id, True)] = \
                counts(resolved=n, on_time=rng.randint(0, n), ratings=[5] * (n // 2))
    with unit_of_work():
        rollup.add(db.session.connection(), rows)


def test_the_overview_costs_the_same_statements_however_much_data(demo):
    street = places.street_coded("wucheng")
    ids = [c.id for c in street.communities]
    db.session.commit()
    few = count_statements(lambda: figures.overview(ids, "2026-11", NOW))
    rng = random.Random(3)
    with unit_of_work():
        companies = [Company(name=f"生成物业{i:02d}") for i in range(8)]
        db.session.add_all(companies)
        more = [community_with_companies(i, street, rng.sample(companies, 2))
                for i in range(20)]
    load_year(more, rng)
    ids = [c.id for c in street.communities]
    found = []
    many = count_statements(lambda: found.append(figures.overview(ids, "2026-11", NOW)))
    assert many == few == 3
    overview = found[0]
    assert len(overview.by_community) >= 20 and len(overview.ranked) == 8
    assert sum(f.received for _, f in overview.trend) > 20 * 2 * 365  # a year, read whole


def test_ranked_by_score_only_with_enough_reports_resolved(demo):
    street = places.street_coded("wucheng")
    with unit_of_work():
        good, poor, small = (Company(name=n) for n in ("好物业", "差物业", "小物业"))
        one = community_with_companies(1, street, [good, poor, small])
        two = community_with_companies(2, street, [good])
    org = {(o.community_id, o.company_id): o.id for o in db.session.scalars(
        select(Organization).where(Organization.community_id.in_([one.id, two.id])))}
    day = date(2026, 11, 5)
    with unit_of_work():
        rollup.add(db.session.connection(), {
            (day, one.id, org[(one.id, good.id)], True): counts(8, 8, [5, 5, 4]),
            (day, two.id, org[(two.id, good.id)], False): counts(4, 3, [5]),  # hidden counts
            (day, one.id, org[(one.id, poor.id)], True): counts(20, 10, [2, 1], reopened=5),
            (day, one.id, org[(one.id, small.id)], True): counts(2, 2, [5, 5]),
        })
    overview = figures.overview([c.id for c in street.communities], "2026-11", NOW)
    assert [c.name for c in overview.ranked] == ["好物业", "差物业"]
    assert [c.name for c in overview.unranked] == ["小物业"]  # 2 resolved: listed apart
    best = overview.ranked[0]
    assert (best.total.resolved, set(best.by_community)) == (12, {one.id, two.id})
    # 40 × 11/12 + 40 × ((19 + 15) / 9 − 1) / 4 + 20 × 1
    assert best.total.score == pytest.approx(40 * 11 / 12 + 40 * ((34 / 9) - 1) / 4 + 20)
    assert overview.by_community[two.id].resolved == 4
    company = figures.overview([one.id, two.id], "2026-11", NOW, company_id=good.id)
    assert company.total.resolved == 12 and len(company.ranked) == 1


def test_overdue_now_counts_open_reports_whose_clock_ran_out(demo, entrance_code):
    before = figures.overview([entrance_code.building.compound.community_id], "2026-11",
                              NOW).total.overdue_now
    draft = intake.ReportDraft(submission_key="overdue-now-00000001",
                               category_id=category_coded("water").id, description="漏水")
    with unit_of_work():
        intake.submit_report(entrance_code, draft, [], None, now=NOW - timedelta(days=3),
                             secret=app_secret())
    after = figures.overview([entrance_code.building.compound.community_id], "2026-11", NOW)
    assert after.total.overdue_now == before + 1


def test_the_median_from_buckets_stays_within_its_bucket_and_near_the_truth():
    rng = random.Random(11)
    errors = []
    for _ in range(300):
        # Time to resolve of a month's reports: log-normal around 40 minutes to 2 days.
        centre = math.log(rng.uniform(40, 2880))
        minutes = [rng.lognormvariate(centre, 1.0) for _ in range(rng.randint(20, 400))]
        buckets = [0] * len(BUCKETS)
        for m in minutes:
            buckets[rollup.bucket_of(int(m * 60))] += 1
        estimate, truth = figures.estimated_median(buckets), statistics.median(minutes)
        i = rollup.bucket_of(int(truth * 60))
        low, high = (BUCKET_BOUNDS[i - 1] if i else 0), BUCKET_BOUNDS[i]
        assert low <= estimate <= high  # the documented bound: the true median's bucket
        errors.append(abs(estimate - truth) / truth)
    assert statistics.mean(errors) < 0.05 and max(errors) < 0.34
    assert figures.estimated_median([0] * len(BUCKETS)) is None
    assert figures.estimated_median([0] * (len(BUCKETS) - 1) + [3]) == BUCKET_BOUNDS[-1]


def test_on_time_counts_the_reports_overdue_now():
    """The issue saw "100 % on time" beside five reports overdue: they count as late."""
    month = figures.Figures()
    month.counts.update(resolved=10, on_time=10)
    assert month.on_time_share == 1.0
    month.overdue_now = 5
    assert month.on_time_share == pytest.approx(10 / 15)
