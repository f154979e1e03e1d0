"""Demo service catalog, volunteers and rewards, from the Tai'an and Jinan articles:
"7 categories, 15 items" (drain unclogging, gas checks, haircuts at home, tutoring, mediation,
legal advice, housekeeping, medical visits, appliance repair…) and a 红色存折 whose points
buy tissues, dumplings, a free car wash or a property-fee offset."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.domain.services import booking
from webapp.extensions import db
from webapp.models import (
    Community,
    Organization,
    OrgKind,
    Reward,
    Role,
    ServiceCategory,
    ServiceType,
    User,
)
from webapp.models.types import utcnow

# category (zh, en, icon): [(zh, en, minutes, at home, volunteers, points, free for care card)]
CATALOG = {
    ("日常应急", "Everyday emergencies", "🔧"): [
        ("疏通下水道", "Unclogging drains", 60, True, 1, 20, True),
        ("燃气安全检查", "Gas safety check", 30, True, 1, 15, True),
    ],
    ("关爱老人", "Care for the elderly", "👵"): [
        ("上门理发", "Haircut at home", 45, True, 1, 15, True),
        ("陪同就医", "Company to the doctor", 180, False, 1, 30, True),
    ],
    ("文化教育", "Culture and education", "📚"): [
        ("课业辅导", "Homework help", 90, False, 1, 20, False),
        ("智能手机课堂", "Smartphone class", 60, False, 2, 15, False),
    ],
    ("矛盾调解", "Mediation", "🤝"): [
        ("邻里纠纷调解", "Neighbour mediation", 60, False, 2, 25, False),
    ],
    ("法律服务", "Legal help", "⚖️"): [
        ("法律咨询", "Legal advice", 60, False, 1, 20, False),
    ],
    ("家政服务", "Housekeeping", "🧺"): [
        ("家庭保洁", "Home cleaning", 120, True, 2, 25, True),
        ("代买代办", "Errands and shopping", 60, True, 1, 10, True),
    ],
    ("医疗健康", "Health", "🩺"): [
        ("上门量血压", "Blood pressure at home", 30, True, 1, 10, True),
        ("健康讲座", "Health talk", 90, False, 1, 15, False),
    ],
    ("维修服务", "Repairs", "🛠️"): [
        ("家电维修", "Appliance repair", 90, True, 1, 25, False),
        ("换灯泡换水龙头", "Bulbs and taps", 30, True, 1, 10, True),
        ("自行车维修", "Bicycle repair", 60, False, 1, 10, False),
    ],
}

# Where a volunteer collects a reward the office approved.
COLLECT_ZH = "社区党群服务中心一楼服务台，工作日 9:00–17:00，凭手机号领取"
COLLECT_EN = "Community service centre, ground-floor desk, weekdays 9:00–17:00; give your phone"
REWARDS = [
    ("goods", "抽纸一提", "Tissues, one pack", 30, 50),
    ("goods", "水饺一袋", "A bag of dumplings", 50, 30),
    ("service", "免费洗车一次", "A free car wash", 80, 20),
    ("fee_offset", "抵扣物业费10元", "10 yuan off the property fee", 100, 100),
]

VOLUNTEERS = [("xiaowang", "志愿者 小王"), ("laoli", "志愿者 老李")]


def load_services(community: Community, password_hash: str) -> dict[str, int]:
    added = {"services": 0, "slots": 0, "volunteers": 0, "rewards": 0}
    if db.session.scalar(select(ServiceCategory.id).where(
            ServiceCategory.community_id == community.id)) is None:
        for order, ((zh, en, icon), items) in enumerate(CATALOG.items()):
            category = ServiceCategory(community_id=community.id, name_zh=zh, name_en=en,
                                       icon=icon, sort_order=order)
            db.session.add(category)
            for n, (szh, sen, minutes, home, volunteers, points, free) in enumerate(items):
                db.session.add(ServiceType(
                    category=category, name_zh=szh, name_en=sen, duration_minutes=minutes,
                    at_home=home, volunteers_needed=volunteers, points=points,
                    free_for_care_card=free, sort_order=n,
                    fee_note_zh=None if free else "材料费自理",
                    fee_note_en=None if free else "Materials at your own cost"))
                added["services"] += 1
        for kind, zh, en, cost, stock in REWARDS:
            db.session.add(Reward(community_id=community.id, kind=kind, name_zh=zh, name_en=en,
                                  cost=cost, stock=stock, collect_zh=COLLECT_ZH,
                                  collect_en=COLLECT_EN))
            added["rewards"] += 1
        db.session.flush()
        added["slots"] = _a_week_of_slots(community)

    office = db.session.scalars(select(Organization).where(
        Organization.community_id == community.id, Organization.kind == OrgKind.OFFICE)).first()
    for username, name in VOLUNTEERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is None:
            db.session.add(User(username=username, display_name=name, role=Role.VOLUNTEER,
                                organization=office, password_hash=password_hash))
            added["volunteers"] += 1
    return added


def _a_week_of_slots(community: Community) -> int:
    """Morning and afternoon slots of a few services over the next week."""
    zone = ZoneInfo(community.timezone)
    today = datetime.now(zone).date()
    services = db.session.scalars(select(ServiceType).join(ServiceCategory).where(
        ServiceCategory.community_id == community.id).order_by(ServiceType.id)).all()
    made = 0
    for offset in range(1, 8):
        day = today + timedelta(days=offset)
        for hour, service in ((9, services[offset % len(services)]),
                              (15, services[(offset * 3) % len(services)])):
            start = datetime.combine(day, time(hour), zone).astimezone(ZoneInfo("UTC"))
            # The office runs them itself: residents book before a volunteer signs up.
            booking.publish(service, community.id, start, capacity=3,
                            location=None if service.at_home else "社区党群服务中心",
                            now=utcnow(), runs_without_volunteer=True)
            made += 1
    return made




