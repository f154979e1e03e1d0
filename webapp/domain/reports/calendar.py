"""The community's working-day calendar: China's public holidays and 调休 make-up working days
(the `holidays` package keeps the State Council's yearly notices), with the community's own
overrides over them. Day-scale SLA targets ("a plan within 2 working days") count working
time on it: every hour of a working day counts, no hour of a day off does, so a target of N
working days ends at the same time of day N working days later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import Community, WorkingDayOverride

MAX_DAYS = 3 * 366  # no target walks further than this: a guard, not a rule
NOTE_MAX = WorkingDayOverride.__table__.c.note.type.length


@lru_cache(maxsize=32)
def _china(year: int, language: str = "zh_CN") -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=year, language=language)


@dataclass(frozen=True)
class WorkCalendar:
    timezone: str = "Asia/Shanghai"
    # The community's own days: True a working day, False a day off, over the national ones.
    overrides: Mapping[date, bool] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _china(day.year).is_working_day(day)

    def _days(self, start: datetime):
        """(local day, its first instant, the next day's first instant) from `start`'s day on,
        instants in UTC."""
        zone = ZoneInfo(self.timezone)
        day = start.astimezone(zone).date()
        for _ in range(MAX_DAYS):
            begin = datetime.combine(day, time(0), zone).astimezone(UTC)
            end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
            yield day, begin, end
            day += timedelta(days=1)
        raise ValueError("a working-day span longer than the calendar walks")

    def add_working_time(self, start: datetime, span: timedelta) -> datetime:
        """The instant `span` of working time after `start`."""
        left = span
        for day, begin, end in self._days(start):
            if not self.is_working_day(day):
                continue
            begin = max(begin, start)
            if left <= end - begin:
                return begin + left
            left -= end - begin
        raise AssertionError("unreachable")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time from `start` to `end` (nothing when end is not later)."""
        total = timedelta(0)
        if end <= start:
            return total
        for day, begin, day_end in self._days(start):
            if begin >= end:
                return total
            if self.is_working_day(day):
                total += min(day_end, end) - max(begin, start)
        raise AssertionError("unreachable")

    def special_days(self, first: date, last: date, language: str = "zh") -> list[SpecialDay]:
        """The days from `first` to `last` that are not what their weekday says: national
        holidays on weekdays, make-up working days on weekends, and the community's own."""
        lang = "zh_CN" if language.startswith("zh") else "en_US"
        days, day = [], first
        while day <= last:
            weekend = day.weekday() >= 5
            working = self.is_working_day(day)
            if day in self.overrides or working == weekend:
                name = _china(day.year, lang).get(day) or ""
                days.append(SpecialDay(day, working, name, day in self.overrides))
            day += timedelta(days=1)
        return days


@dataclass(frozen=True)
class SpecialDay:
    day: date
    working: bool
    name: str
    local: bool  # one of the community's own overrides


# --- the community's calendar and its overrides -------------------------------------------

def for_community(community_id: int | None) -> WorkCalendar:
    community = db.session.get(Community, community_id) if community_id else None
    if community is None:
        return WorkCalendar()
    rows = db.session.execute(select(WorkingDayOverride.day, WorkingDayOverride.working)
                              .where(WorkingDayOverride.community_id == community_id)).all()
    return WorkCalendar(community.timezone, {day: working for day, working in rows})


def overrides_of(community_id: int) -> list[WorkingDayOverride]:
    return list(db.session.scalars(select(WorkingDayOverride)
                                   .where(WorkingDayOverride.community_id == community_id)
                                   .order_by(WorkingDayOverride.day)))


class CalendarRefused(DomainRefused):
    """str() says why, for the admin who asked."""


def set_override(community_id: int, day: date | None, working: bool | None,
                 note: str | None) -> WorkingDayOverride:
    """The community's own word on one day (a local holiday, a day worked for a campaign);
    a second word on the same day replaces the first."""
    if day is None:
        raise CalendarRefused(_l("Choose a date."), field="day")
    if working is None:
        raise CalendarRefused(_l("Say whether the day is worked or not."), field="working")
    note = (note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        raise CalendarRefused(_l("A note may be at most %(n)d characters.", n=NOTE_MAX),
                              field="note")
    row = db.session.scalar(select(WorkingDayOverride).where(
        WorkingDayOverride.community_id == community_id, WorkingDayOverride.day == day))
    row = row or WorkingDayOverride(community_id=community_id, day=day)
    row.working, row.note = working, note or None
    db.session.add(row)
    return row


def remove_override(override: WorkingDayOverride) -> None:
    db.session.delete(override)
