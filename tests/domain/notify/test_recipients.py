"""Fanning out: quiet hours hold back what is not urgent; push and SMS as each person chose;
who dispatches where there is no dispatcher."""

from datetime import UTC, datetime

from sqlalchemy import select

from webapp.domain import unit_of_work
from webapp.domain.notify import recipients
from webapp.domain.notify.messages import Notice
from webapp.extensions import db
from webapp.models import Channel, NotificationPreference, OutboxMessage, Role

# 23:30 and 08:00 in Shanghai
NIGHT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
MORNING = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def quiet(**changes):
    fields = dict(user_id=1, quiet_hours=True, quiet_from=22 * 60, quiet_until=7 * 60)
    fields.update(changes)
    return NotificationPreference(**fields)


def test_quiet_hours_hold_back_all_but_urgent_items_until_they_end():
    wake = recipients.deliver_at(quiet(), "Asia/Shanghai", NIGHT, urgent=False)
    assert wake == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # 07:00 the next morning
    assert recipients.deliver_at(quiet(), "Asia/Shanghai", NIGHT, urgent=True) == NIGHT
    assert recipients.deliver_at(quiet(), "Asia/Shanghai", MORNING, urgent=False) == MORNING
    assert recipients.deliver_at(quiet(quiet_hours=False), "Asia/Shanghai", NIGHT,
                                 urgent=False) == NIGHT
    # a day-time quiet span (a night-shift worker sleeping 09:00–17:00)
    day = quiet(quiet_from=9 * 60, quiet_until=17 * 60)
    at_noon = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    assert recipients.deliver_at(day, "Asia/Shanghai", at_noon, urgent=False) == \
        datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_a_user_who_chose_texts_gets_them_at_their_mobile(users):
    handler = users["mateng"]
    handler.phone = "13800138000"
    db.session.add(NotificationPreference(user_id=handler.id, sms=True, push=False,
                                          language="en"))
    db.session.commit()
    notice = Notice(key="event:1", kind="assigned", community_id=None, staff_path="/staff/jobs",
                    facts={"number": "7", "category": {"zh": "水电", "en": "Water"}},
                    urgent=True)
    with unit_of_work():
        recipients.tell_user(notice, handler)
        recipients.tell_user(notice, users["yianju"])  # no phone, no preference row
    [text] = db.session.scalars(select(OutboxMessage)).all()
    assert (text.channel, text.recipient, text.language) == (Channel.SMS,
                                                             "phone:+8613800138000", "en")
    assert text.title == "New job 7" and text.url == "/staff/jobs"


def test_admins_dispatch_where_there_is_no_dispatcher(users):
    community_id = users["dispatcher"].organization.community_id
    assert recipients.dispatchers(community_id) == [users["dispatcher"]]
    users["dispatcher"].active = False
    db.session.commit()
    assert all(u.role == Role.ADMIN for u in recipients.dispatchers(community_id))
    assert recipients.dispatchers(community_id)
