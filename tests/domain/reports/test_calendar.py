"""The working-day calendar: pure, no database. China's 2026 holidays and 调休 make-up days come
from the State Council notice (via the holidays package); the community's overrides win."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from webapp.domain.reports.calendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar("Asia/Shanghai")


def local(*args):
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def test_a_make_up_saturday_is_a_working_day_and_a_national_day_weekday_is_not():
    assert CAL.is_working_day(date(2026, 10, 10))      # Saturday, 调休 for 国庆
    assert CAL.is_working_day(date(2026, 2, 14))       # Saturday, 调休 for 春节
    assert not CAL.is_working_day(date(2026, 10, 1))   # Thursday, 国庆节
    assert not CAL.is_working_day(date(2026, 10, 7))   # Wednesday, day off moved from 10-10
    assert not CAL.is_working_day(date(2026, 10, 17))  # an ordinary Saturday
    assert CAL.is_working_day(date(2026, 10, 12))      # an ordinary Monday


def test_two_working_days_filed_the_friday_before_spring_festival_land_after_it():
    # Fri 13 Feb 15:00 → Sat 14 (make-up day) is the first; 15–23 Feb are off; Tue 24 the second.
    due = CAL.add_working_time(local(2026, 2, 13, 15, 0), timedelta(days=2))
    assert due == local(2026, 2, 24, 15, 0)


def test_a_target_started_on_a_day_off_counts_from_the_next_working_day():
    # Sunday 10:00 in an ordinary week: Monday and Tuesday are the two days.
    assert CAL.add_working_time(local(2026, 11, 22, 10, 0), timedelta(days=2)) == \
        local(2026, 11, 25, 0, 0)


def test_working_time_between_skips_the_days_off():
    assert CAL.working_time_between(local(2026, 11, 20, 12, 0), local(2026, 11, 23, 12, 0)) == \
        timedelta(hours=24)  # Friday noon to Monday noon: the weekend does not count
    assert CAL.working_time_between(local(2026, 11, 23), local(2026, 11, 20)) == timedelta(0)


def test_the_communitys_overrides_win_over_the_national_calendar():
    cal = WorkCalendar("Asia/Shanghai", {date(2026, 11, 23): False, date(2026, 11, 21): True})
    assert not cal.is_working_day(date(2026, 11, 23))  # a local holiday on a Monday
    assert cal.is_working_day(date(2026, 11, 21))      # a campaign Saturday
    # Friday 12:00 + 1 working day: Friday's 12 hours, Saturday's first 12 hours.
    assert cal.add_working_time(local(2026, 11, 20, 12, 0), timedelta(days=1)) == \
        local(2026, 11, 21, 12, 0)


def test_special_days_list_the_days_that_differ_from_their_weekday():
    days = {d.day: d for d in CAL.special_days(date(2026, 9, 19), date(2026, 10, 11))}
    assert days[date(2026, 9, 20)].working and days[date(2026, 10, 10)].working
    assert not days[date(2026, 10, 1)].working and days[date(2026, 10, 1)].name
    assert date(2026, 10, 3) not in days  # a Saturday off is no news
    assert date(2026, 9, 21) not in days
