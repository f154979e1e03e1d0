"""Calendar files: a volunteer's private feed address, and the feed itself."""

from icalendar import Calendar

from tests.domain.services.conftest import volunteer
from webapp.domain import unit_of_work
from webapp.domain.services import calendar
from webapp.domain.shared.tokens import digest


def test_a_feed_address_opens_its_volunteers_feed_until_replaced_or_disabled(office):
    v = volunteer(office, "feedvol")
    with unit_of_work():
        first = calendar.new_feed_token(v)
    assert v.feed_token_hash == digest(first) != first  # only the digest is kept
    assert calendar.feed_owner(first) == v
    with unit_of_work():
        second = calendar.new_feed_token(v)
    assert second != first
    assert calendar.feed_owner(first) is None and calendar.feed_owner(second) == v
    assert calendar.feed_owner("not-a-token") is None
    with unit_of_work():
        v.active = False
    assert calendar.feed_owner(second) is None


def test_an_empty_feed_is_a_valid_calendar_named_for_the_volunteer():
    feed = Calendar.from_ical(calendar.shifts_ics([], "老李"))
    assert str(feed["prodid"]) == calendar.PRODID
    assert str(feed["version"]) == "2.0"
    assert str(feed["x-wr-calname"]) == "码上办 · 老李"
    assert list(feed.walk("VEVENT")) == []
