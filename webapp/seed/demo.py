"""Demo data from the source articles: 八一社区 (Taiyuan) and 新桥北村社区 (Nantong).
Loading it twice changes nothing."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from webapp.domain.consultations import rooms
from webapp.domain.notify import feed as notify_feed
from webapp.domain.places.editing import ensure_code
from webapp.domain.reports import dispatch, intake, transitions
from webapp.extensions import db
from webapp.models import (
    Building,
    CannedReply,
    Category,
    CategoryQuestion,
    Community,
    Company,
    Compound,
    District,
    Entrance,
    Organization,
    OrgKind,
    QrCode,
    Role,
    Street,
    User,
)
from webapp.seed.community import ensure_standard_categories
from webapp.seed.services import load_services

# A category's extra questions (asked on the form and in Open311's service definitions).
DEMO_QUESTIONS = {
    "water": [dict(code="leak_place", datatype="singlevaluelist", sort_order=1,
                   description_zh="哪里漏水？", description_en="Where is the leak?",
                   values=[{"key": k, "name_zh": zh, "name_en": en} for k, zh, en in (
                       ("stairwell", "楼道", "Stairwell"), ("home", "室内", "In a home"),
                       ("basement", "地下室", "Basement"), ("roof", "屋顶", "Roof"),
                       ("outside", "室外", "Outside"))])],
    "elevator": [
        dict(code="trapped_note", variable=False, datatype="string", sort_order=1,
             description_zh="有人被困请立即按电梯内的紧急呼叫按钮或拨打 96333。",
             description_en="If someone is trapped, press the lift's alarm button or call "
                            "96333 now."),
        dict(code="floor", datatype="number", sort_order=2, description_zh="电梯停在几楼？",
             description_en="At which floor is the lift stuck?",
             datatype_description_zh="楼层数字", datatype_description_en="Floor number"),
    ],
}

# "1+N" pairings from the Taiyuan article: one company looks after one or two compounds.
PARTNERS = {
    "bayi": {
        "省直机关后勤保障中心": ["微波宿舍"],
        "太原市怡安居物业": ["建材宿舍", "海关宿舍"],
        "山西锦地物业": ["八九宿舍"],
        "山西柱天物业": ["商行宿舍"],
        "太原市富利盛物业": ["坞百宿舍"],
    },
    "xinqiaobeicun": {"新桥北村物业服务社": ["东方花苑"]},
}
OFFICES = {"bayi": "八一社区居委会", "xinqiaobeicun": "新桥北村社区居委会"}
GRIDS = {"bayi": "八一社区第一网格", "xinqiaobeicun": "新桥北村第一网格"}
DEPARTMENTS = {"bayi": ["坞城派出所", "小店区城管执法队"], "xinqiaobeicun": ["城东派出所"]}

DEMO_PASSWORD = "mashang-demo"
# username, display name, role, organisation
DEMO_USERS = [
    ("admin", "郭娟", Role.ADMIN, "八一社区居委会"),
    ("dispatcher", "社区派单员 李静", Role.DISPATCHER, "八一社区居委会"),
    ("mateng", "马腾飞", Role.HANDLER, "省直机关后勤保障中心"),
    ("yianju", "怡安居 王师傅", Role.HANDLER, "太原市怡安居物业"),
    ("grid", "网格员 张敏", Role.HANDLER, "八一社区第一网格"),
]

# The district over the demo communities (the Nantong one placed in it for the demo) and
# its overseer: username, display name, and the district's code and name, the street's.
DEMO_DISTRICT = ("xiaodian", "小店区", "wucheng", "坞城街道")
DEMO_OVERSEERS = [("district", "小店区 考核专员")]

CANNED_REPLIES = [
    (None, "您好，您的报事已收到，我们会尽快安排人员处理。"),
    ("water", "维修师傅已安排，将在约定时间上门，请保持电话畅通。"),
    ("parking", "网格员已到现场劝导，后续将加强巡查。"),
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


# 一事一议: the rooms of 八九宿舍 1号楼 (the demo's leaking basement pipe), three entrances of
# six floors with two flats each: "2-301" is entrance 2, floor 3, flat 1, with its area.
DEMO_ROOMS = ("bayi", "八九宿舍", "1号楼", "\n".join(
    f"{e}-{floor}0{flat}, {78.5 if flat == 1 else 92}, {e}单元"
    for e in (1, 2, 3) for floor in range(1, 7) for flat in (1, 2)))


def load_demo_data(secret: str) -> dict[str, int]:
    """Create what is missing; return how many rows of each kind were added. The caller's
    unit of work commits it. The demo's past tells nobody."""
    with notify_feed.silenced():
        return _load_demo_data(secret)


def _load_demo_data(secret: str) -> dict[str, int]:
    added = {"categories": 0, "questions": 0, "places": 0, "codes": 0, "organisations": 0,
             "accounts": 0, "reports": 0}
    added["categories"] += ensure_standard_categories()

    for code, asked in DEMO_QUESTIONS.items():
        category = db.session.scalar(select(Category).where(Category.code == code))
        for fields in asked:
            _get_or_add(CategoryQuestion, added, category_id=category.id, code=fields["code"],
                        defaults={k: v for k, v in fields.items() if k != "code"},
                        counter="questions")

    for spec in COMMUNITIES:
        community = _get_or_add(Community, added, code=spec["code"], defaults=dict(
            name=spec["name"], hotline=spec["hotline"], hotline_24h=spec["hotline_24h"]))
        for compound_name, buildings in spec["compounds"].items():
            compound = _get_or_add(Compound, added, community_id=community.id, name=compound_name)
            for b_order, (building_name, entrances) in enumerate(buildings.items()):
                building = _get_or_add(Building, added, compound_id=compound.id,
                                       name=building_name, defaults=dict(sort_key=b_order))
                added["codes"] += ensure_code(building, None) is not None
                for e_order, entrance_name in enumerate(entrances):
                    entrance = _get_or_add(Entrance, added, building_id=building.id,
                                           name=entrance_name, defaults=dict(sort_key=e_order))
                    added["codes"] += ensure_code(building, entrance) is not None
        _load_organisations(community, added)
    _load_accounts(added)
    _load_district(added)
    bayi = db.session.scalars(select(Community).where(Community.code == "bayi")).one()
    for kind, count in load_services(bayi, _demo_password_hash()).items():
        added[kind] = added.get(kind, 0) + count
    _load_canned_replies()
    _load_rooms()

    for community_code, compound, building, entrance, category, text, room, key in DEMO_REPORTS:
        if intake.find_by_submission_key(key):
            continue
        qr = _code_for(community_code, compound, building, entrance)
        category_id = db.session.scalar(select(Category.id).where(Category.code == category))
        draft = intake.ReportDraft(submission_key=key, category_id=category_id,
                                     description=text, floor_room=room)
        report, _created = intake.submit_report(qr, draft, [], upload_folder=None,
                                                    secret=secret)
        added["reports"] += 1
        if key == DEMO_REPORTS[0][-1]:
            _walk_through_the_loop(report)
    return added


def _walk_through_the_loop(report) -> None:
    """The first demo report goes round the whole five-step loop, so the board shows it."""
    def user(name):
        return db.session.scalars(select(User).where(User.username == name)).one()

    dispatcher, handler = user("dispatcher"), user("mateng")
    dispatch.assign(report, dispatcher, report.compound.partner_org, handler)
    transitions.accept(report, handler)
    transitions.arrive(report, handler)
    transitions.resolve(report, handler, "已更换三楼楼道灯泡。")
    transitions.confirm_fixed(report, 5, "马师傅来得很快，谢谢！")


DEMO_ROBOT_WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=mashang-demo"


def _load_organisations(community: Community, added) -> None:
    def org(name, kind):
        return _get_or_add(Organization, added, community_id=community.id, name=name,
                           defaults=dict(kind=kind), counter="organisations")

    org(OFFICES[community.code], OrgKind.OFFICE)
    grid = org(GRIDS[community.code], OrgKind.GRID)
    for name in DEPARTMENTS[community.code]:
        org(name, OrgKind.DEPARTMENT)
    for company, compound_names in PARTNERS[community.code].items():
        partner = org(company, OrgKind.PROPERTY)
        if partner.robot_kind is None:
            # The company's WeCom group. `make run` writes robot posts to the log
            # (ROBOT_DELIVERY=log): admins read them at /admin/sent-messages.
            partner.robot_kind, partner.robot_webhook = "wecom", DEMO_ROBOT_WEBHOOK
        for compound in community.compounds:
            if compound.name in compound_names:
                compound.partner_org = compound.partner_org or partner
            compound.grid_org = compound.grid_org or grid


def _load_district(added) -> None:
    """The demo district, its street over the demo communities, a company behind each
    property organisation, and the district's overseer."""
    code, name, street_code, street_name = DEMO_DISTRICT
    district = _get_or_add(District, added, code=code, defaults=dict(name=name))
    street = _get_or_add(Street, added, code=street_code,
                         defaults=dict(name=street_name, district_id=district.id))
    for community in db.session.scalars(select(Community).where(
            Community.code.in_([spec["code"] for spec in COMMUNITIES]))):
        community.street = community.street or street
    for partners in PARTNERS.values():
        for company_name in partners:
            org = db.session.scalars(select(Organization).where(
                Organization.name == company_name)).one()
            org.company = org.company or _get_or_add(Company, added, name=company_name)
    for username, display_name in DEMO_OVERSEERS:
        if not db.session.scalar(select(User.id).where(User.username == username)):
            db.session.add(User(username=username, display_name=display_name,
                                role=Role.OVERSEER, district=district,
                                password_hash=_demo_password_hash()))
            added["accounts"] += 1


@cache
def _demo_password_hash() -> str:
    return generate_password_hash(DEMO_PASSWORD)


def _load_accounts(added) -> None:
    for username, name, role, org_name in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        org = db.session.scalars(select(Organization).where(Organization.name == org_name)).one()
        db.session.add(User(username=username, display_name=name, role=role, organization=org,
                            password_hash=_demo_password_hash()))
        added["accounts"] += 1


def _load_rooms() -> None:
    community_code, compound, building, text = DEMO_ROOMS
    rooms.save_rooms(_code_for(community_code, compound, building, "1单元").building, text)


def _load_canned_replies() -> None:
    if db.session.scalar(select(CannedReply.id).limit(1)):
        return
    for code, text in CANNED_REPLIES:
        category_id = db.session.scalar(select(Category.id).where(Category.code == code)) \
            if code else None
        db.session.add(CannedReply(category_id=category_id, text=text))


def _get_or_add(model, added, defaults=None, counter="places", **keys):
    row = db.session.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.session.add(row)
        db.session.flush()
        added[counter] += 1
    return row


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
