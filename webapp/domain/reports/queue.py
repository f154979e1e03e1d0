"""The dispatcher's queue and the handler's job list: filters, SLA-urgency order, pages.
Each page costs a constant number of statements, whatever the number of reports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import joinedload, selectinload

from webapp.domain.reports import search
from webapp.extensions import db
from webapp.models import FINISHED_STATUSES, OPEN_STATUSES, Report, ReportStatus, User

PAGE_SIZE = 25
# Up to this many matching reports are fetched by the filter's own index and sorted; more are
# read by walking the queue's order index, which stops after a page. A tab that matches few
# of a community's reports (unassigned, new, resolved) would otherwise walk all of them.
SORT_FEW = 2000
TABS = ("open", "new", "unassigned", "mine", "overdue", "resolved", "closed", "all")
HANDLER_STATUSES = (ReportStatus.ASSIGNED, ReportStatus.ACCEPTED, ReportStatus.ON_SITE,
                    ReportStatus.ESCALATED, ReportStatus.REOPENED,
                    ReportStatus.NEEDS_CONSULTATION)


@dataclass(frozen=True)
class QueueFilter:
    tab: str = "open"
    compound_id: int | None = None
    category_id: int | None = None
    status: str | None = None
    page: int = 1
    q: str = ""  # the search box (search.py)

    def args(self, **changes) -> dict:
        """Query arguments for a link to this filter with some changes."""
        values = {"tab": self.tab, "compound": self.compound_id,
                  "category": self.category_id, "status": self.status, "page": self.page,
                  "q": self.q}
        values.update(changes)
        if values["page"] == 1:
            del values["page"]
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass
class QueuePage:
    reports: list[Report]
    total: int
    page: int
    pages: int
    newest_id: int
    new_since: int


def _conditions(f: QueueFilter, user: User, now):
    conditions = _filters(f, user, now)
    if (found := _found(f, user)) is not None:
        conditions.append(found.condition())
    return conditions


def _found(f: QueueFilter, user: User) -> search.Found | None:
    query = search.read_query(f.q)
    return search.find(query, user.organization.community_id) if query else None


def _filters(f: QueueFilter, user: User, now):
    conditions = [Report.community_id == user.organization.community_id]
    tab = f.tab
    if tab == "open":
        conditions.append(Report.status.in_(OPEN_STATUSES))
    elif tab == "new":
        conditions.append(Report.status == ReportStatus.SUBMITTED)
    elif tab == "unassigned":
        conditions += [Report.status.in_(OPEN_STATUSES), Report.assigned_org_id.is_(None)]
    elif tab == "mine":
        conditions.append(Report.assigned_user_id == user.id)
    elif tab == "overdue":
        conditions.append(Report.next_due_at <= now)
    elif tab == "resolved":
        conditions.append(Report.status == ReportStatus.RESOLVED)
    elif tab == "closed":
        conditions.append(Report.status.in_(FINISHED_STATUSES))
    if f.compound_id:
        conditions.append(Report.compound_id == f.compound_id)
    if f.category_id:
        conditions.append(Report.category_id == f.category_id)
    if f.status:
        conditions.append(Report.status == f.status)
    return conditions


def _with_row_data(query):
    return query.options(
        joinedload(Report.compound), joinedload(Report.building),
        joinedload(Report.entrance), joinedload(Report.category),
        joinedload(Report.assigned_org), joinedload(Report.assigned_user),
        selectinload(Report.milestones),
    )


def _page_of(conditions, order, outer_order, limit: int, offset: int = 0) -> list[Report]:
    """One page of reports: found and ordered on the report table alone, then read with what
    a row shows (places, category, assignee, clocks). Joined before the sort, each of 1,500
    matches of a search cost PostgreSQL its five lookups (110 ms); now 25 do. `outer_order`
    sorts the page again, spelt so that no index tempts the database to walk it."""
    page = (select(Report.id).where(*conditions).order_by(*order).limit(limit)
            .offset(offset).subquery())
    return list(db.session.scalars(_with_row_data(
        select(Report).join(page, Report.id == page.c.id).order_by(*outer_order))).unique())


def urgency_order(walk_index: bool = True):
    """Urgent and care-card reports first, then the clock that runs out first (the index
    ix_report_queue_order walks this order). Not `walk_index`: the same order, spelt so that
    no index matches it, for the database to sort the few rows its filter finds."""
    first = Report.goes_first if walk_index else cast(Report.goes_first, Integer)
    return (first.desc(), Report.next_due_at.is_(None), Report.next_due_at,
            Report.priority.desc(), Report.id.desc())


def queue_page(f: QueueFilter, user: User, now, seen_up_to: int | None = None) -> QueuePage:
    filters = _filters(f, user, now)
    found = _found(f, user)  # the search box
    conditions = filters if found is None else [*filters, found.condition()]
    total, newest = db.session.execute(
        select(func.count(Report.id), func.max(Report.id)).where(*conditions)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(f.page, pages)
    walk = total > SORT_FEW  # many: walk the queue's index, which stops after a page
    ordered = [*filters, found.condition(in_queue_order=True)] \
        if found is not None and walk else conditions
    reports = _page_of(ordered, urgency_order(walk_index=walk), urgency_order(False),
                       PAGE_SIZE, (page - 1) * PAGE_SIZE)
    newest = newest or 0
    seen = seen_up_to if seen_up_to is not None else newest
    new_since = 0
    if newest > seen:
        new_since = db.session.scalar(
            select(func.count(Report.id)).where(*conditions, Report.id > seen))
    return QueuePage(list(reports), total, page, pages, newest, new_since)


def waiting_count(community_id: int) -> int:
    """Reports waiting for dispatch: the count a dispatcher's tab title carries."""
    return db.session.scalar(select(func.count(Report.id)).where(
        Report.community_id == community_id, Report.status == ReportStatus.SUBMITTED))


def handler_jobs(user: User) -> list[Report]:
    return _page_of([Report.assigned_org_id == user.organization_id,
                     (Report.assigned_user_id.is_(None)) | (Report.assigned_user_id == user.id),
                     Report.status.in_(HANDLER_STATUSES)],
                    urgency_order(), urgency_order(False), 200)


def callback_list(user: User, limit: int = 200) -> list[Report]:
    """回访: closed reports the resident has not rated and nobody has called yet."""
    order = (Report.closed_at, Report.id)
    return _page_of([Report.community_id == user.organization.community_id,
                     Report.status == ReportStatus.CLOSED, Report.rating.is_(None),
                     Report.callback_at.is_(None)], order, order, limit)


def jobs_at_place(user: User, building_id: int, entrance_id: int | None) -> list[Report]:
    """The handler's accepted jobs at the place of a scanned door code."""
    conditions = [Report.building_id == building_id,
                  Report.assigned_org_id == user.organization_id,
                  (Report.assigned_user_id.is_(None)) | (Report.assigned_user_id == user.id),
                  Report.status == ReportStatus.ACCEPTED]
    if entrance_id is not None:
        conditions.append((Report.entrance_id == entrance_id) | Report.entrance_id.is_(None))
    return list(db.session.scalars(select(Report).where(*conditions).order_by(Report.id)))
