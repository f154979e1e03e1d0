"""A year of a generated district's services: each community's catalog (the demo's 7
categories and 15 services) and rewards, a few slots a week with their bookings and volunteer
shifts, the points each done service earned, and rewards redeemed — as booking.py and
ledger.py would have written them: a slot's places counted from its bookings and shifts, one
award per done booking and volunteer, every transfer summing to zero, no balance below zero."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from webapp.domain.shared.tokens import booking_token, digest
from webapp.models import Redemption, Reward
from webapp.seed.bulk import BulkWriter, naive
from webapp.seed.district import SURNAMES, Place
from webapp.seed.services import CATALOG, REWARDS

SLOTS_A_WEEK = 3
WEEKS_BACK, WEEKS_AHEAD = 52, 1


def write(w: BulkWriter, places: list[Place], rnd: random.Random, now: datetime,
          secret: str) -> None:
    _declare(w)
    now = naive(now)
    for place in places:
        _Community(w, place, rnd, now, secret).write()
    w.flush()
    ids = [place.id for place in places]
    w.connection.execute(update(Reward).where(Reward.community_id.in_(ids)).values(
        stock=Reward.stock - select(func.count(Redemption.id)).where(
            Redemption.reward_id == Reward.id, Redemption.status == "approved")
        .scalar_subquery()))


def _declare(w: BulkWriter) -> None:
    w.table("service_category", "id", "community_id", "name_zh", "name_en", "icon", "sort_order")
    w.table("service_type", "id", "category_id", "name_zh", "name_en", "duration_minutes",
            "at_home", "volunteers_needed", "points", "free_for_care_card", "fee_note_zh",
            "fee_note_en", "cancel_cutoff_hours", "sort_order", "active")
    w.table("reward", "id", "community_id", "kind", "name_zh", "name_en", "cost", "stock",
            "active")
    w.table("slot", "id", "community_id", "service_type_id", "starts_at", "ends_at",
            "location", "capacity", "booked", "volunteer_capacity", "volunteers_booked",
            "created_by_id", "created_at", "cancelled_at")
    w.table("booking", "id", "slot_id", "token_hash", "submission_key_hash", "name", "phone",
            "sms_updates", "language", "floor_room", "building_id", "entrance_id",
            "qr_code_id", "is_free", "status", "created_at", "cancelled_at", "cancel_reason",
            "completed_at")
    w.table("volunteer_shift", "id", "slot_id", "user_id", "created_at", "cancelled_at")
    w.table("account", "id", "community_id", "kind", "user_id", "lock_version")
    w.table("transfer", "id", "kind", "reason", "booking_id", "volunteer_id",
            "created_by_id", "created_at")
    w.table("entry", "id", "transfer_id", "account_id", "amount")
    w.table("redemption", "id", "reward_id", "user_id", "status", "created_at", "decided_at",
            "decided_by_id", "transfer_id", "note", "points")


class _Community:
    def __init__(self, w: BulkWriter, place: Place, rnd: random.Random, now: datetime,
                 secret: str):
        self.w, self.place, self.rnd, self.now, self.secret = w, place, rnd, now, secret
        self.pool, self.sink = self.account("pool"), self.account("sink")
        self.passbooks = {user: self.account("volunteer", user) for user in place.volunteers}
        self.balances = dict.fromkeys(place.volunteers, 0)

    def account(self, kind: str, user: int | None = None) -> int:
        account = self.w.next_id("account")
        self.w.add("account", (account, self.place.id, kind, user, 0))
        return account

    def write(self) -> None:
        services = self.catalog()
        rewards = self.rewards()
        start = self.now - timedelta(weeks=WEEKS_BACK)
        for week in range(WEEKS_BACK + WEEKS_AHEAD):
            for _ in range(SLOTS_A_WEEK):
                day = start + timedelta(weeks=week, days=self.rnd.randrange(7))
                # 09:00 or 15:00 Beijing time, in UTC
                begins = day.replace(hour=self.rnd.choice((1, 7)), minute=0, second=0,
                                     microsecond=0)
                self.slot(self.rnd.choice(services), begins)
            if week % 8 == 7:
                self.redeem(rewards, start + timedelta(weeks=week, days=6))

    def catalog(self) -> list[tuple]:
        services = []
        for order, ((zh, en, icon), items) in enumerate(CATALOG.items()):
            category = self.w.next_id("service_category")
            self.w.add("service_category", (category, self.place.id, zh, en, icon, order))
            for n, (szh, sen, minutes, home, volunteers, points, free) in enumerate(items):
                service = self.w.next_id("service_type")
                self.w.add("service_type", (
                    service, category, szh, sen, minutes, home, volunteers, points, free,
                    None if free else "材料费自理", None if free else "Materials at your own cost",
                    2, n, True))
                services.append((service, szh, minutes, home, volunteers, points))
        return services

    def rewards(self) -> list[list]:
        rewards = []
        for kind, zh, en, cost, stock in REWARDS:
            reward = self.w.next_id("reward")
            # The stock as it was a year ago; `write` takes what was redeemed off it after.
            self.w.add("reward", (reward, self.place.id, kind, zh, en, cost, stock, True))
            rewards.append([reward, zh, cost, stock])
        return rewards

    def slot(self, service: tuple, begins: datetime) -> None:
        rnd, place, w = self.rnd, self.place, self.w
        service_id, name, minutes, at_home, needed, points = service
        slot = w.next_id("slot")
        capacity, past = 3, begins < self.now
        bookings = []
        for n in range(rnd.randint(0, capacity)):
            door = rnd.choice(place.doors)
            booked_at = begins - timedelta(days=rnd.uniform(1, 6))
            status = rnd.choices(("done", "no_show", "cancelled"), (85, 5, 10))[0] if past \
                else rnd.choices(("booked", "cancelled"), (90, 10))[0]
            key = f"district-booking-{slot:09d}-{n}"
            bookings.append((
                w.next_id("booking"), slot, digest(booking_token(key, self.secret)),
                digest(key), f"{rnd.choice(SURNAMES)}{rnd.choice(('先生', '女士', '阿姨'))}",
                f"13{rnd.randrange(10**9):09d}", False, "zh",
                f"{rnd.randint(1, 18)}0{rnd.randint(1, 4)}室", door.building, door.entrance,
                door.code, False, status, booked_at,
                booked_at + timedelta(hours=2) if status == "cancelled" else None,
                "临时有事" if status == "cancelled" else None,
                begins + timedelta(minutes=minutes) if status in ("done", "no_show") else None))
        volunteers = rnd.sample(place.volunteers, needed)
        live = sum(1 for b in bookings if b[13] != "cancelled")
        w.add("slot", (slot, place.id, service_id, begins, begins + timedelta(minutes=minutes),
                       None if at_home else "社区党群服务中心", capacity, live, needed,
                       len(volunteers), place.admin, begins - timedelta(days=7), None))
        for booking in bookings:
            w.add("booking", booking)
        for volunteer in volunteers:
            w.add("volunteer_shift", (w.next_id("volunteer_shift"), slot, volunteer,
                                      begins - timedelta(days=5), None))
        for booking in bookings:
            if booking[13] != "done":
                continue
            for volunteer in volunteers:  # ledger.award_for_booking
                self.transfer("award", f"{name} · {begins:%Y-%m-%d}", booking[0], volunteer,
                              None, booking[17], [(self.pool, -points),
                                                  (self.passbooks[volunteer], points)])
                self.balances[volunteer] += points

    def redeem(self, rewards: list[list], at: datetime) -> None:
        """Each volunteer asks for the dearest reward their points buy; most are approved."""
        if at > self.now:
            return
        for volunteer, balance in self.balances.items():
            affordable = [r for r in rewards if r[2] <= balance and r[3] > 0]
            if not affordable:
                continue
            reward_id, name, cost, _stock = reward = max(affordable, key=lambda r: r[2])
            redemption = self.w.next_id("redemption")
            decided = at + timedelta(days=1)
            if self.rnd.random() < 0.1:
                self.w.add("redemption", (redemption, reward_id, volunteer, "rejected", at,
                                          decided, self.place.admin, None, "本月名额已满", cost))
                continue
            transfer = self.transfer("redemption", name, None, volunteer, self.place.admin,
                                     decided, [(self.passbooks[volunteer], -cost),
                                               (self.sink, cost)])
            self.balances[volunteer] -= cost
            reward[3] -= 1
            self.w.add("redemption", (redemption, reward_id, volunteer, "approved", at,
                                      decided, self.place.admin, transfer, None, cost))

    def transfer(self, kind, reason, booking, volunteer, by, at, moves) -> int:
        transfer = self.w.next_id("transfer")
        self.w.add("transfer", (transfer, kind, reason, booking, volunteer, by, at))
        for account, amount in moves:
            self.w.add("entry", (self.w.next_id("entry"), transfer, account, amount))
        return transfer
