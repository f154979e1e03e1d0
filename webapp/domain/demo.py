"""Demo data from the source articles: 八一社区 (Taiyuan) and 新桥北村社区 (Nantong).
Loading it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from webapp.domain import workflow
from webapp.domain.tokens import new_qr_token
from webapp.extensions import db
from webapp.models import Building, Category, Community, Compound, Entrance, QrCode

# code, zh, en, icon, is_major
CATEGORIES = [
    ("water", "水电 · 上下水", "Water and drains", "💧", False),
    ("electricity", "电路照明", "Electricity and lighting", "💡", False),
    ("sanitation", "环境卫生", "Sanitation and rubbish", "🧹", False),
    ("greenery", "绿化", "Greenery", "🌳", False),
    ("parking", "停车", "Parking", "🚗", False),
    ("safety", "安全隐患", "Safety hazard", "⚠️", False),
    ("elevator", "电梯", "Elevator", "🛗", True),
    ("heating", "供暖", "Heating", "🔥", True),
    ("dispute", "邻里纠纷", "Neighbour dispute", "🤝", False),
    ("other", "其他", "Other", "📝", False),
]

# Each compound of 八一社区 is a one-building "micro compound" with no property company.
COMMUNITIES = [
    {
        "code": "bayi",
        "name": "八一社区",
        "hotline": "0351-7654321",
        "hotline_24h": "0351-7654300",
        "compounds": {
            name: {"1号楼": ["1单元", "2单元", "3单元"]}
            for name in ["微波宿舍", "建材宿舍", "海关宿舍", "八九宿舍", "商行宿舍", "坞百宿舍"]
        },
    },
    {
        "code": "xinqiaobeicun",
        "name": "新桥北村社区",
        "hotline": "0513-8123456",
        "hotline_24h": "0513-8123400",
        "compounds": {
            "东方花苑": {f"{n}幢": ["1单元", "2单元"] for n in range(1, 11)},
        },
    },
]

DEMO_REPORTS = [
    ("bayi", "微波宿舍", "1号楼", "2单元", "electricity",
     "楼道三楼的灯不亮了，晚上上下楼看不清。", "3楼", "d3m0-bayi-light-0001"),
    ("bayi", "八九宿舍", "1号楼", "1单元", "water",
     "地下管道漏水，单元门口一直有积水。", None, "d3m0-bayi-pipe-00002"),
    ("xinqiaobeicun", "东方花苑", "3幢", "1单元", "parking",
     "消防通道被私家车长期占用。", None, "d3m0-xqbc-park-00003"),
]


def load_demo_data() -> dict[str, int]:
    """Create what is missing; return how many rows of each kind were added."""
    added = {"categories": 0, "places": 0, "codes": 0, "reports": 0}
    for order, (code, zh, en, icon, major) in enumerate(CATEGORIES):
        if db.session.scalar(select(Category).where(Category.code == code)) is None:
            db.session.add(Category(code=code, name_zh=zh, name_en=en, icon=icon,
                                    is_major=major, sort_order=order))
            added["categories"] += 1

    for spec in COMMUNITIES:
        community = _get_or_add(Community, added, code=spec["code"], defaults=dict(
            name=spec["name"], hotline=spec["hotline"], hotline_24h=spec["hotline_24h"]))
        for compound_name, buildings in spec["compounds"].items():
            compound = _get_or_add(Compound, added, community_id=community.id, name=compound_name)
            for b_order, (building_name, entrances) in enumerate(buildings.items()):
                building = _get_or_add(Building, added, compound_id=compound.id,
                                       name=building_name, defaults=dict(sort_key=b_order))
                _ensure_code(building, None, added)
                for e_order, entrance_name in enumerate(entrances):
                    entrance = _get_or_add(Entrance, added, building_id=building.id,
                                           name=entrance_name, defaults=dict(sort_key=e_order))
                    _ensure_code(building, entrance, added)
    db.session.commit()

    for community_code, compound, building, entrance, category, text, room, key in DEMO_REPORTS:
        if workflow.find_by_submission_key(key):
            continue
        qr = _code_for(community_code, compound, building, entrance)
        category_id = db.session.scalar(select(Category.id).where(Category.code == category))
        draft = workflow.ReportDraft(submission_key=key, category_id=category_id,
                                     description=text, floor_room=room)
        workflow.submit_report(qr, draft, [], upload_folder=None)
        added["reports"] += 1
    return added


def _get_or_add(model, added, defaults=None, **keys):
    row = db.session.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.session.add(row)
        db.session.flush()
        added["places"] += 1
    return row


def _ensure_code(building: Building, entrance: Entrance | None, added) -> None:
    exists = db.session.scalar(
        select(QrCode.id).where(
            QrCode.building_id == building.id,
            QrCode.entrance_id.is_(None) if entrance is None else QrCode.entrance_id == entrance.id,
            QrCode.revoked_at.is_(None),
        )
    )
    if exists is None:
        db.session.add(QrCode(token=new_qr_token(), building_id=building.id,
                              entrance_id=entrance.id if entrance else None))
        added["codes"] += 1


def _code_for(community_code, compound, building, entrance) -> QrCode:
    return db.session.scalars(
        select(QrCode)
        .join(Entrance, QrCode.entrance_id == Entrance.id)
        .join(Building, Entrance.building_id == Building.id)
        .join(Compound, Building.compound_id == Compound.id)
        .join(Community, Compound.community_id == Community.id)
        .where(Community.code == community_code, Compound.name == compound,
               Building.name == building, Entrance.name == entrance,
               QrCode.revoked_at.is_(None))
    ).one()
