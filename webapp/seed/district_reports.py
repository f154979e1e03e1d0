"""A year of a generated district's reports, each lived through the workflow as the app would
have recorded it (transitions.py, dispatch.py, sla.py): its events, its clocks (met, late,
cancelled, standing still while a department has it), its search row and its answers, up to
`now`. What has not happened by `now` has not happened: recent reports are still open, some
of them overdue.

The mix: seasons per category (heating in winter, greenery in summer), fewer reports at
weekends and at the Spring Festival, the hours of a day; most reports closed, rated by the
resident or closed unrated after a week (some called back), a few rejected, merged as
duplicates, passed to a department (吹哨), reopened, or stuck and overdue."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.domain.reports import sla
from webapp.domain.reports.calendar import WorkCalendar
from webapp.domain.shared.tokens import digest, tracking_token
from webapp.extensions import db
from webapp.models import Category, CategoryQuestion, Milestone
from webapp.models.search import search_body
from webapp.seed.bulk import BulkWriter, naive
from webapp.seed.district import SURNAMES, Door, Place
from webapp.seed.district_mix import (
    CATEGORY_MIX,
    CHANNELS,
    DESCRIPTIONS,
    RATING_WEIGHTS,
    RATINGS,
    REJECT_REASONS,
    REPLIES,
    RESOLVED_NOTES,
    STAFF_FILED,
    arrivals,
)

M = Milestone
AUTO_CLOSE = timedelta(days=7)  # MASHANG_AUTO_CLOSE_DAYS' default


def write(w: BulkWriter, places: list[Place], count: int, rnd: random.Random, now: datetime,
          secret: str) -> None:
    _declare(w)
    life = _Life(w, places, rnd, naive(now), secret)
    for created in arrivals(count, rnd, naive(now)):
        life.report(created)


def _declare(w: BulkWriter) -> None:
    w.table("report", "id", "version", "number", "tracking_token_hash", "submission_key_hash",
            "channel", "community_id", "compound_id", "building_id", "entrance_id",
            "qr_code_id", "category_id", "description", "floor_room", "contact_name",
            "contact_phone", "care_card", "sms_updates", "language", "status", "priority",
            "goes_first", "assigned_org_id", "assigned_user_id", "duplicate_of_id",
            "plan_note", "plan_done_by", "hidden_from_board", "photos_public", "next_due_at",
            "accepted_at", "arrived_at", "callback_at", "created_at", "updated_at",
            "resolved_at", "closed_at", "rating", "rating_comment")
    w.table("report_search", "report_id", "community_id", "compound_id", "building_id",
            "entrance_id", "body")
    w.table("report_event", "id", "report_id", "created_at", "actor_kind", "actor_id",
            "actor_label", "kind", "from_status", "to_status", "note", "is_public")
    w.table("report_milestone", "id", "report_id", "cycle", "name", "started_at", "due_at",
            "met_at", "breached_at", "cancelled_at", "target_minutes", "working_days",
            "paused_at", "pause_reason")
    w.table("report_answer", "id", "report_id", "question_id", "value")


def _minutes(rnd: random.Random, typical: float, spread: float = 0.6) -> timedelta:
    """A delay around `typical` minutes (log-normal: mostly near it, sometimes much longer)."""
    return timedelta(minutes=typical * math.exp(rnd.gauss(0, spread)))


class _Life:
    """What every report shares: the doors, categories, questions, calendar and id counters."""

    def __init__(self, w: BulkWriter, places: list[Place], rnd: random.Random, now: datetime,
                 secret: str):
        self.w, self.rnd, self.now, self.secret = w, rnd, now, secret
        self.doors: list[tuple[Place, Door]] = [(p, d) for p in places for d in p.doors]
        self.report_ids, self.event_ids = w.ids("report"), w.ids("report_event")
        self.clock_ids, self.answer_ids = w.ids("report_milestone"), w.ids("report_answer")
        self.categories = [c for c in db.session.execute(
            select(Category.id, Category.code, Category.is_major, Category.routing)
            .where(Category.active).order_by(Category.id)) if c.code in CATEGORY_MIX]
        self.month_cum = [list(itertools.accumulate(
            CATEGORY_MIX[c.code][0] * CATEGORY_MIX[c.code][1][m] for c in self.categories))
            for m in range(12)]
        self.questions = _questions()
        self.calendar = WorkCalendar("Asia/Shanghai")
        self.zone = ZoneInfo("Asia/Shanghai")
        # The latest report per community and category: what a later one duplicates.
        self.latest: dict[tuple[int, int], tuple[int, str, datetime]] = {}
        self.channel_cum = list(itertools.accumulate(n for _, n in CHANNELS))
        self.targets = {True: sla.merged_targets(True), False: sla.merged_targets(False)}

    def report(self, created: datetime) -> None:
        rnd = self.rnd
        place, door = self.doors[rnd.randrange(len(self.doors))]
        cum = self.month_cum[(created + timedelta(hours=8)).month - 1]
        category = self.categories[bisect.bisect(cum, rnd.random() * cum[-1])]
        report = _Report(self, next(self.report_ids), created, place, door, category)
        report.live()
        report.write()
        if report.status != "duplicate":
            self.latest[door.community, category.id] = (report.id, report.number, created)

    def due_after(self, start: datetime, minutes: int) -> datetime:
        """sla.due_after on naive UTC times."""
        if minutes < sla.DAY:
            return start + timedelta(minutes=minutes)
        return naive(self.calendar.add_working_time(start.replace(tzinfo=UTC),
                                                    timedelta(minutes=minutes)))


def _questions() -> dict[int, list[tuple]]:
    """The shared questions residents answer, per category (the generated communities ask
    none of their own)."""
    found: dict[int, list[tuple]] = {}
    for q in db.session.scalars(select(CategoryQuestion).where(
            CategoryQuestion.active, CategoryQuestion.variable,
            CategoryQuestion.community_id.is_(None)).order_by(CategoryQuestion.sort_order)):
        keys = [v["key"] for v in q.values or []]
        found.setdefault(q.category_id, []).append((q.id, q.datatype, q.required, keys))
    return found


# A clock: [cycle, name, started, due, met, breached, cancelled, target, working days,
# paused, pause reason] — the columns of report_milestone.
CYCLE, NAME, STARTED, DUE, MET, BREACHED, CANCELLED, TARGET, WORKING, PAUSED, REASON = range(11)


class _Report:
    """One report lived through: each step is taken only if its time has come by `now`
    (`step` answers False, and the report stays as it is)."""

    def __init__(self, life: _Life, report_id: int, created: datetime, place: Place,
                 door: Door, category):
        rnd = self.rnd = life.rnd
        self.life, self.id, self.created, self.t = life, report_id, created, created
        self.place, self.door, self.category, self.major = place, door, category, \
            category.is_major
        self.status, self.cycle = None, 0
        self.events: list[tuple] = []
        self.clocks: list[list] = []
        self.org = self.user = self.duplicate_of = None
        self.accepted_at = self.arrived_at = self.resolved_at = self.closed_at = None
        self.callback_at = self.rating = self.rating_comment = None
        self.plan_note = self.plan_done_by = None
        self.care_card = rnd.random() < 0.03
        self.priority = 1 if self.care_card else 0  # as intake sets it
        self.urgent = self.care_card
        self.channel = CHANNELS[bisect.bisect(
            life.channel_cum, rnd.random() * life.channel_cum[-1])][0]
        local = created + timedelta(hours=8)
        self.number = f"{local.year:04d}{local.month:02d}{local.day:02d}-{report_id:04d}"
        self.dispatcher = rnd.choice(place.dispatchers)
        # One in 25 gets stuck at one step for days: recent ones are open and overdue.
        self.stuck_at = rnd.randrange(4) if rnd.random() < 0.04 else None
        self.waits = 0

    # --- the life ------------------------------------------------------------------------

    def live(self) -> None:
        rnd, door, place = self.rnd, self.door, self.place
        filer = None
        if self.channel in STAFF_FILED:
            filer = place.staff[door.grid][0] if self.channel == "patrol" else self.dispatcher
        self.event("submitted", "submitted", filer)
        self.start(M.ACCEPT, self.created)
        chance = rnd.random()
        if chance < 0.025:
            if self.step(self.wait(90), "rejected", "rejected", self.dispatcher,
                         rnd.choice(REJECT_REASONS)):
                self.cancel_open()
            return
        if chance < 0.055 and self.merged():
            return
        if rnd.random() < 0.02 and not self.urgent:
            self.urgent, self.priority = True, 2
            if not self.step(self.wait(5), "priority", None, self.dispatcher, "紧急", False):
                return
            self.retime()
        if rnd.random() < 0.02:
            handler = self.escalated()
        else:
            handler = self.assigned_and_accepted()
        if handler is None or not self.worked(handler):
            return
        if rnd.random() < 0.02:  # the resident says it is not fixed
            if not self.step(self.wait(360), "reopened", "reopened", None, "还是没修好。"):
                return
            self.resolved_at = None
            self.restart()
            if not self.step(self.wait(30), "accepted", "accepted", handler):
                return
            self.accepted(handler)
            if not self.worked(handler):
                return
        self.closed()

    def merged(self) -> bool:
        """A duplicate of the latest report of the community and category, if that is recent;
        False when there is none to merge into."""
        latest = self.life.latest.get((self.door.community, self.category.id))
        if latest is None or self.created - latest[2] > timedelta(days=3):
            return False
        if self.step(self.wait(30), "duplicate", "duplicate", self.dispatcher, latest[1]):
            self.duplicate_of = latest[0]
            self.cancel_open()
        return True

    def assigned_and_accepted(self):
        door, place = self.door, self.place
        route = self.category.routing
        # Without property management a compound's repairs go to its grid.
        org = (door.partner or door.grid) if route == "partner" else \
            door.grid if route == "grid" else place.office
        if not self.step(self.wait(8), "assigned", "assigned", self.dispatcher,
                         place.org_names[org]):
            return None
        self.org, self.user, self.accepted_at, self.arrived_at = org, None, None, None
        handler = (place.staff[org] or place.dispatchers)[0]
        if not self.step(self.wait(12), "accepted", "accepted", handler):
            return None
        self.accepted(handler)
        return handler

    def escalated(self):
        """吹哨: to a department, whose own clock runs while the community's stand still,
        until the department takes the job over by accepting it."""
        place, rnd = self.place, self.rnd
        department = rnd.choice(place.departments)
        if not self.step(self.wait(60), "escalated", "escalated", self.dispatcher,
                         place.org_names[department]):
            return None
        self.event("note", None, self.dispatcher, "需要执法部门到场处理。", public=False)
        self.org, self.user = department, None
        for clock in self.open():
            if clock[NAME] != M.RESPOND and clock[PAUSED] is None:
                clock[PAUSED], clock[REASON] = self.t, sla.DEPARTMENT
        self.start(M.RESPOND, self.t)
        handler = place.staff[department][0]
        if not self.step(self.wait(600), "accepted", "accepted", handler):
            return None
        self.meet(M.RESPOND)
        self.restart()
        self.accepted(handler)
        return handler

    def accepted(self, handler) -> None:
        self.user = self.user or handler[0]
        self.accepted_at = self.t
        self.meet(M.ACCEPT)
        if self.major:
            self.start(M.PLAN, self.t)
        if not self.major or self.priority >= 2:  # sla.needs_arrival
            self.start(M.ARRIVE, self.t)
        if self.rnd.random() < 0.2:
            self.step(self.wait(20), "reply", None, self.dispatcher, self.rnd.choice(REPLIES))

    def worked(self, handler) -> bool:
        """On site, a plan or the residents' decision for a major job, then resolved."""
        rnd = self.rnd
        if not self.major or self.priority >= 2:
            if not self.step(self.wait(10), "arrived", "on_site", handler):
                return False
            self.arrived_at = self.t
            self.meet(M.ARRIVE)
            if not self.major:
                self.start(M.RESOLVE, self.t)
        if self.major:
            if rnd.random() < 0.1:
                if not self.step(self.wait(600), "needs_consultation", "needs_consultation",
                                 self.dispatcher, "需要业主一事一议，分摊维修费用。"):
                    return False
                self.meet(M.PLAN)
            else:
                if not self.step(self.wait(900), "plan_submitted", None, handler,
                                 "已联系厂家，更换配件后修复。"):
                    return False
                self.plan_note = "已联系厂家，更换配件后修复。"
                local = self.t.replace(tzinfo=UTC).astimezone(self.life.zone).date()
                self.plan_done_by = local + timedelta(days=rnd.randint(1, 10))
                self.meet(M.PLAN)
        if not self.step(self.wait(3 * 1440 if self.major else 18), "resolved", "resolved",
                         handler, rnd.choice(RESOLVED_NOTES)):
            return False
        self.resolved_at = self.t
        self.meet(M.RESOLVE)
        self.meet(M.PLAN)
        self.cancel_open()
        return True

    def closed(self) -> None:
        """评单: rated by the resident, or closed unrated after a week (and perhaps called
        back, 回访)."""
        rnd = self.rnd
        if rnd.random() < 0.7:
            rating = rnd.choices(RATINGS, RATING_WEIGHTS)[0]
            comment = rnd.choice(("师傅来得很快，谢谢！", "满意。", None)) if rating >= 4 else \
                rnd.choice(("处理太慢了。", None))
            if self.step(self.wait(600, 1.0), "rated", "closed", None, comment):
                self.rating, self.rating_comment, self.closed_at = rating, comment, self.t
            return
        at = self.resolved_at + AUTO_CLOSE + timedelta(seconds=rnd.randrange(60))
        if not self.step(at - self.t, "auto_closed", "closed", None, actor_kind="system"):
            return
        self.closed_at = self.t
        if rnd.random() < 0.4 and self.step(self.wait(1440), "callback", None, self.dispatcher,
                                            "电话回访，居民表示已修好。", public=False):
            self.callback_at = self.t
            self.rating = rnd.choice((None, 3, 4, 5, 5))

    # --- steps and clocks ---------------------------------------------------------------

    def wait(self, typical: float, spread: float = 0.6) -> timedelta:
        delay = _minutes(self.rnd, typical, spread)
        self.waits += 1
        if self.waits - 1 == self.stuck_at:
            delay += timedelta(days=self.rnd.expovariate(1 / 6))
        return delay

    def step(self, delay: timedelta, kind: str, to_status: str | None, actor, note=None,
             public=True, actor_kind=None) -> bool:
        at = self.t + delay
        if at > self.life.now:
            return False
        self.t = at
        self.event(kind, to_status, actor, note, public, actor_kind)
        return True

    def event(self, kind, to_status, actor, note=None, public=True, actor_kind=None) -> None:
        self.events.append((
            self.t, actor_kind or ("staff" if actor else "resident"),
            actor[0] if actor else None, actor[1] if actor else None, kind,
            self.status if to_status else None, to_status, note, public))
        if to_status:
            self.status = to_status

    def start(self, name: str, at: datetime, new_cycle: bool = False) -> None:
        minutes = self.life.targets[self.major].get(name, sla.EXTRA_DEFAULTS.get(name))
        if self.urgent:
            minutes = sla.shortened(minutes, sla.URGENT_PERCENT)
        if new_cycle or self.cycle == 0:
            self.cycle += 1
        self.clocks.append([self.cycle, name, at, self.life.due_after(at, minutes), None, None,
                            None, minutes, minutes >= sla.DAY, None, None])

    def retime(self) -> None:
        """Urgent now: the running clocks take the shorter targets from when each started."""
        for clock in self.open():
            minutes = sla.shortened(clock[TARGET], sla.URGENT_PERCENT)
            clock[DUE] = self.life.due_after(clock[STARTED], minutes)
            clock[TARGET], clock[WORKING] = minutes, minutes >= sla.DAY

    def open(self) -> list[list]:
        return [c for c in self.clocks
                if c[CYCLE] == self.cycle and c[MET] is None and c[CANCELLED] is None]

    def meet(self, name: str) -> None:
        for clock in self.open():
            if clock[NAME] == name:
                clock[MET] = self.t
                if self.t > clock[DUE]:
                    clock[BREACHED] = clock[DUE]

    def cancel_open(self) -> None:
        for clock in self.open():
            clock[CANCELLED] = self.t

    def restart(self) -> None:
        self.cancel_open()
        self.start(M.ACCEPT, self.t, new_cycle=True)

    # --- rows ----------------------------------------------------------------------------

    def write(self) -> None:
        life, w, rnd, door = self.life, self.life.w, self.rnd, self.door
        texts = DESCRIPTIONS[self.category.code]
        floor = rnd.randint(1, 18)
        description = rnd.choice(texts).format(f=f"{floor}楼")
        room = f"{floor}0{rnd.randint(1, 4)}室" if rnd.random() < 0.5 else None
        name = f"{rnd.choice(SURNAMES)}{rnd.choice(('先生', '女士'))}" \
            if rnd.random() < 0.35 else None
        phone = f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}" \
            if rnd.random() < 0.45 else None
        key = f"district-{self.id:012d}"
        due = [c[DUE] for c in self.open() if c[PAUSED] is None]
        w.add("report", (
            self.id, len(self.events), self.number,
            digest(tracking_token(key, life.secret)), digest(key), self.channel,
            door.community, door.compound, door.building, door.entrance,
            door.code if self.channel == "qr" else None, self.category.id, description, room,
            name, phone, self.care_card, False, "zh", self.status, self.priority,
            self.priority >= 2 or self.care_card, self.org, self.user, self.duplicate_of,
            self.plan_note, self.plan_done_by, False, False, min(due) if due else None,
            self.accepted_at, self.arrived_at, self.callback_at, self.created, self.t,
            self.resolved_at, self.closed_at, self.rating, self.rating_comment))
        w.add("report_search", (self.id, door.community, door.compound, door.building,
                                door.entrance, search_body(description, room, name, phone)))
        for event in self.events:
            w.add("report_event", (next(life.event_ids), self.id, *event))
        for clock in self.clocks:
            w.add("report_milestone", (next(life.clock_ids), self.id, *clock))
        for question_id, datatype, required, keys in life.questions.get(self.category.id, ()):
            if required or rnd.random() < 0.6:
                value = rnd.choice(keys) if keys else str(rnd.randint(1, 18)) \
                    if datatype == "number" else "见描述"
                w.add("report_answer", (next(life.answer_ids), self.id, question_id, value))
