"""The district overview: per community and per property company across communities, a
month's figures from the rollup, "overdue now" from one indexed query, and a 12-month trend.
A constant number of statements, whatever the number of reports.

Median time to resolve is estimated from the rollup's buckets (models/rollup.py): the bucket
holding the middle report is found exactly, and the estimate interpolates linearly inside
it. The true median lies in the same bucket, so the error is at most the bucket's width:
under 10 minutes below 20 minutes, and at most a third of the estimate above (steps of at
most 1.5x). On lifelike (log-normal) durations it is within a few percent
(tests/domain/district/test_figures.py measures it). Beyond 90 days it says "over 90 days".

物业服务考核评价, the companies' score out of 100:
  40 × share resolved on time
+ 40 × satisfaction: the average rating on 1–5 mapped to 0–1, with five 3-star ratings
       added to every company's own, so a few ratings cannot make or break it
+ 20 × (1 − share reopened): reopens of the reports received, over those received.
A company is ranked only with at least MIN_SAMPLE reports resolved in the month; below that
it is listed apart, unranked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, true

from webapp.domain.shared.months import month_days, months_back
from webapp.extensions import db
from webapp.models import OPEN_STATUSES, Company, Organization, Report
from webapp.models.rollup import BUCKET_BOUNDS, BUCKETS, COUNTS, report_rollup

MIN_SAMPLE = 10
PRIOR_RATINGS, PRIOR_STARS = 5, 3
TREND_MONTHS = 12


def estimated_median(buckets: list[int]) -> float | None:
    """Minutes: the middle of the counts, interpolated inside its bucket."""
    total = sum(buckets)
    if not total:
        return None
    half, below = total / 2, 0
    for i, count in enumerate(buckets):
        if count and below + count >= half:
            low = BUCKET_BOUNDS[i - 1] if i else 0
            if i == len(BUCKET_BOUNDS):
                return float(low)  # the open bucket: at least this long
            return low + (BUCKET_BOUNDS[i] - low) * (half - below) / count
        below += count
    return None


@dataclass
class Figures:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    overdue_now: int = 0

    def add(self, row) -> None:
        for name in COUNTS:
            self.counts[name] += row[name] or 0

    def __getattr__(self, name):
        counts = self.__dict__.get("counts")
        if counts is not None and name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def median_minutes(self) -> float | None:
        return estimated_median([self.counts[name] for name in BUCKETS])

    @property
    def median_is_lower_bound(self) -> bool:
        median = self.median_minutes
        return median is not None and median >= BUCKET_BOUNDS[-1]

    @property
    def on_time_share(self) -> float | None:
        """Of those resolved and those overdue now, the share resolved on time: "100 %"
        beside reports overdue would not be true."""
        counted = self.resolved + self.overdue_now
        return self.on_time / counted if counted else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None

    @property
    def reopened_share(self) -> float | None:
        return min(1.0, self.reopened / self.received) if self.received else None

    @property
    def satisfaction(self) -> float:
        stars = (self.rating_sum + PRIOR_RATINGS * PRIOR_STARS) / \
            (self.rating_count + PRIOR_RATINGS)
        return (stars - 1) / 4

    @property
    def score(self) -> float | None:
        """物业服务考核评价, out of 100 (see the module's note); None without resolutions."""
        if not self.resolved:
            return None
        return 100 * (0.4 * self.on_time_share + 0.4 * self.satisfaction
                      + 0.2 * (1 - (self.reopened_share or 0)))


@dataclass
class CompanyFigures:
    company_id: int
    name: str
    total: Figures
    by_community: dict[int, Figures]


@dataclass
class Overview:
    month: str
    total: Figures
    by_community: dict[int, Figures]
    ranked: list[CompanyFigures]      # best score first
    unranked: list[CompanyFigures]    # fewer than MIN_SAMPLE resolved: listed apart
    trend: list[tuple[str, Figures]]  # oldest month first, ending with `month`


def _sums():
    return [func.sum(report_rollup.c[name]).label(name) for name in COUNTS]


def overview(community_ids: list[int], month: str, now: datetime,
             company_id: int | None = None) -> Overview:
    """The figures of these communities for `month` (every report, those hidden from the
    public board included), with `company_id` the one company's alone."""
    start, end = month_days(month)
    in_scope = [report_rollup.c.community_id.in_(community_ids),
                report_rollup.c.whole_month.is_(true())]
    org = Organization.__table__
    if company_id is not None:
        in_scope.append(org.c.company_id == company_id)

    by_community: dict[int, Figures] = defaultdict(Figures)
    companies: dict[int, CompanyFigures] = {}
    total = Figures()
    for row in db.session.execute(
            select(report_rollup.c.community_id, org.c.company_id, Company.name, *_sums())
            .select_from(report_rollup)
            .outerjoin(org, org.c.id == report_rollup.c.org_id)
            .outerjoin(Company, Company.id == org.c.company_id)
            .where(*in_scope, report_rollup.c.day == start)
            .group_by(report_rollup.c.community_id, org.c.company_id, Company.name)
    ).mappings():
        _count(row, total, by_community, companies, row["community_id"])

    overdue = (select(Report.community_id, org.c.company_id, Company.name,
                      func.count().label("overdue_now"))
               .select_from(Report)
               .outerjoin(org, org.c.id == Report.assigned_org_id)
               .outerjoin(Company, Company.id == org.c.company_id)
               .where(Report.community_id.in_(community_ids), Report.next_due_at <= now,
                      Report.status.in_(OPEN_STATUSES),
                      *([org.c.company_id == company_id] if company_id is not None else []))
               .group_by(Report.community_id, org.c.company_id, Company.name))
    for row in db.session.execute(overdue).mappings():
        _overdue(row, total, by_community, companies, row["community_id"])

    months = months_back(month, TREND_MONTHS)
    trend = {m: Figures() for m in months}
    trend_rows = select(report_rollup.c.day, *_sums()).select_from(report_rollup)
    if company_id is not None:
        trend_rows = trend_rows.join(org, org.c.id == report_rollup.c.org_id)
    for row in db.session.execute(
            trend_rows.where(*in_scope, report_rollup.c.day >= month_days(months[0])[0],
                             report_rollup.c.day <= start)
            .group_by(report_rollup.c.day)).mappings():
        trend[f"{row['day']:%Y-%m}"].add(row)

    listed = sorted(companies.values(), key=lambda c: (-(c.total.score or 0), c.name))
    return Overview(
        month=month, total=total, by_community=dict(by_community),
        ranked=[c for c in listed if c.total.resolved >= MIN_SAMPLE],
        unranked=sorted((c for c in listed if c.total.resolved < MIN_SAMPLE),
                        key=lambda c: c.name),
        trend=list(trend.items()))


def _company(companies, row) -> CompanyFigures | None:
    if row["company_id"] is None:
        return None
    found = companies.get(row["company_id"])
    if found is None:
        found = companies[row["company_id"]] = CompanyFigures(
            row["company_id"], row["name"], Figures(), defaultdict(Figures))
    return found


def _count(row, total, by_community, companies, community_id) -> None:
    total.add(row)
    by_community[community_id].add(row)
    company = _company(companies, row)
    if company is not None:
        company.total.add(row)
        company.by_community[community_id].add(row)


def _overdue(row, total, by_community, companies, community_id) -> None:
    n = row["overdue_now"]
    total.overdue_now += n
    by_community[community_id].overdue_now += n
    company = _company(companies, row)
    if company is not None:
        company.total.overdue_now += n
        company.by_community[community_id].overdue_now += n
