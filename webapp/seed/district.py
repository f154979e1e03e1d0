"""A generated district on the scale of 小店区 (DESIGN §11): 1 district, 5 street offices, 80
communities, 1,157 compounds (296 of them without property management: their repairs go to
the grid), ~40 property companies each serving compounds in many communities, grids and
departments, buildings and entrances with their door codes, staff and volunteer accounts, a
year of reports (district_reports.py) and of bookings, shifts and points (district_services.py).

Everything is bulk-written (bulk.py) and the same for the same seed and `now`. The rows obey
the rules of rows the app writes: a report's events, clocks and search row, numbers of the
form the app gives, a slot's places counted, a ledger whose transfers each sum to zero."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from webapp.domain.district import rollup
from webapp.extensions import db
from webapp.models import Community, Company, District, OrgKind, Role, Street
from webapp.models.reports import ACTOR_SEPARATOR
from webapp.models.types import utcnow
from webapp.seed.bulk import BulkWriter, naive
from webapp.seed.community import ensure_standard_categories
from webapp.seed.deferred import indexes_deferred
from webapp.seed.demo import DEMO_PASSWORD

DISTRICT = ("xiaodian", "小店区")
STREETS = [("wucheng", "坞城街道"), ("yingpan", "营盘街道"), ("pingyanglu", "平阳路街道"),
           ("huangling", "黄陵街道"), ("longcheng", "龙城街道")]
COMMUNITIES, COMPOUNDS, WITHOUT_PROPERTY, COMPANIES = 80, 1157, 296, 40
# The tables of a million rows and more: written without their indexes, which are built after.
REPORT_TABLES = ["report", "report_search", "report_event", "report_milestone",
                 "report_answer"]
CENTRE = (37.736, 112.565)  # 小店区, WGS84

_WORDS = ("太榆", "学府", "康宁", "亲贤", "双塔", "龙城", "许坦", "真武", "嘉节", "北张", "东峰",
          "坞城", "营盘", "平阳", "黄陵", "内环", "体育", "长风", "滨河", "晋阳")
_B = "东西南北中新华安和兴盛泰"
_HOMES = ("小区", "花园", "苑", "家园", "公寓", "新村")
_WORKS = ("机械厂", "电业局", "粮食局", "省建", "交通厅", "铁路", "纺织厂", "化工", "邮电",
          "医院", "师范", "税务", "水利", "农科院")
_COMPANY = ("锦地", "怡安居", "柱天", "富利盛", "晋阳", "万科", "碧桂园", "保利", "绿城",
            "金地", "华润", "中海", "融创", "龙湖", "长城", "汾河", "双塔", "迎泽", "并州",
            "三晋", "和信", "鑫源", "恒大", "世茂", "天骄", "润达", "宏图", "安泰", "乐居",
            "嘉禾", "德润", "诚信", "同创", "鼎盛", "昌源", "永泰", "新晋", "广厦", "凯旋",
            "瑞丰")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


@dataclass
class Door:
    """A place a report can come from, with who looks after it."""

    community: int
    compound: int
    building: int
    entrance: int | None
    code: int
    partner: int | None
    grid: int


@dataclass
class Place:
    """One generated community: its organisations and people by role."""

    id: int
    code: str
    office: int
    grids: list[int]
    departments: list[int]
    partners: list[int] = field(default_factory=list)
    org_names: dict[int, str] = field(default_factory=dict)
    staff: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # org → (id, label)
    admin: int = 0
    dispatchers: list[tuple[int, str]] = field(default_factory=list)
    volunteers: list[int] = field(default_factory=list)
    doors: list[Door] = field(default_factory=list)


class DistrictExists(ValueError):
    pass


def generate(secret: str, reports: int = 100_000, seed: int = 1, now: datetime | None = None,
             echo=lambda line: None) -> dict[str, int]:
    """Write the district and a year of activity up to `now`; returns rows per table. The
    caller's transaction commits it."""
    from webapp.seed import district_reports, district_services

    if db.session.scalar(select(Community.id).where(Community.code == f"{DISTRICT[0]}-001")):
        raise DistrictExists(f"The district {DISTRICT[1]} is there already.")
    ensure_standard_categories()
    db.session.flush()
    now = now or utcnow()
    started = time.perf_counter()
    writer = BulkWriter(db.session.connection())
    places = _places(writer, random.Random(seed), generate_password_hash(DEMO_PASSWORD))
    writer.flush()
    echo(f"places, organisations, accounts: {time.perf_counter() - started:.1f} s")
    t0 = time.perf_counter()
    with indexes_deferred(writer.connection, REPORT_TABLES):
        district_reports.write(writer, places, reports, random.Random(seed + 1), now, secret)
        writer.flush()
        echo(f"reports written in {time.perf_counter() - t0:.1f} s; indexes and keys next")
    elapsed = time.perf_counter() - t0
    rows = writer.written["report"] + writer.written["report_event"] + \
        writer.written["report_milestone"] + writer.written["report_search"]
    echo(f"{reports:,} reports ({rows:,} rows with events, clocks, search rows) in "
         f"{elapsed:.1f} s: {reports / max(elapsed, 1e-9):,.0f} reports/s, "
         f"{rows / max(elapsed, 1e-9):,.0f} rows/s")
    district_services.write(writer, places, random.Random(seed + 2), now, secret)
    writer.finish()
    _analyze()
    # The rows above bypass the listeners that keep the district's figures (per day,
    # community and organisation) current: recompute them, in this transaction.
    rollup_started = time.perf_counter()
    rollup.rebuild()
    echo(f"rollups rebuilt: {time.perf_counter() - rollup_started:.1f} s")
    echo(f"total: {time.perf_counter() - started:.1f} s")
    return dict(writer.written)


def _analyze() -> None:
    """Fresh statistics for the query planner: a million rows arrived at once, and SQLite has
    no autovacuum to notice. Whole: a sample (analysis_limit) misjudged a community's rows
    by forty times, and the queue's "mine" tab walked a community instead of a person."""
    db.session.connection().exec_driver_sql("ANALYZE")


def _places(w: BulkWriter, rnd: random.Random, password_hash: str) -> list[Place]:
    for name, *columns in (
            ("district", "id", "code", "name"), ("street", "id", "district_id", "code", "name"),
            ("community", "id", "code", "name", "street_id", "hotline", "hotline_24h",
             "timezone"),
            ("company", "id", "name", "credit_code"),
            ("organization", "id", "community_id", "kind", "name", "active", "phone",
             "company_id"),
            ("compound", "id", "community_id", "name", "partner_org_id", "grid_org_id"),
            ("building", "id", "compound_id", "name", "sort_key", "latitude", "longitude"),
            ("entrance", "id", "building_id", "name", "sort_key"),
            ("qr_code", "id", "token", "building_id", "entrance_id", "created_at"),
            ("user", "id", "username", "display_name", "password_hash", "role",
             "organization_id", "phone", "active", "created_at")):
        w.table(name, *columns)
    # The demo's district and street (seed/demo.py), when loaded, are extended, not doubled.
    district = db.session.scalar(select(District.id).where(District.code == DISTRICT[0]))
    if district is None:
        district = w.next_id("district")
        w.add("district", (district, *DISTRICT))
    known = dict(db.session.execute(select(Street.name, Street.id).where(
        Street.district_id == district)).all())
    streets = []
    for code, name in STREETS:
        if name in known:
            streets.append(known[name])
            continue
        streets.append(w.next_id("street"))
        w.add("street", (streets[-1], district, f"{DISTRICT[0]}-{code}", name))
    companies = _companies(w, rnd)
    # Bigger companies serve more communities (one company, many communities: 1+N 帮建).
    company_weights = [1 / (rank + 1) ** 0.7 for rank in range(len(companies))]
    compounds_left, plain_left = COMPOUNDS, WITHOUT_PROPERTY
    names = _community_names(rnd)
    places = []
    created = naive(datetime(2020, 1, 1, tzinfo=UTC))
    for n in range(COMMUNITIES):
        share = compounds_left // (COMMUNITIES - n)
        size = share if n == COMMUNITIES - 1 else max(3, share + rnd.randint(-6, 6))
        plain = round(size * plain_left / compounds_left)
        compounds_left, plain_left = compounds_left - size, plain_left - plain
        place = _community(w, rnd, n, names[n], streets[n * len(streets) // COMMUNITIES])
        serving = set()
        while len(serving) < min(rnd.randint(3, 8), size - plain or 1):
            serving.add(rnd.choices(companies, company_weights)[0])
        for company_id, company_name in sorted(serving):
            place.partners.append(_org(w, place, OrgKind.PROPERTY, company_name, company_id))
        for org_id in [place.office, *place.grids, *place.departments, *place.partners]:
            place.staff[org_id] = []
        _accounts(w, rnd, place, password_hash, created)
        _compounds(w, rnd, place, size, plain, created)
        places.append(place)
    return places


def _companies(w: BulkWriter, rnd: random.Random) -> list[tuple[int, str]]:
    taken = set(db.session.scalars(select(Company.name)))
    companies = []
    for word in _COMPANY[:COMPANIES]:
        name = f"山西{word}物业管理有限公司"
        if name in taken:
            continue
        companies.append((w.next_id("company"), name))
        credit = f"9114{rnd.randrange(10**13):013d}X"
        w.add("company", (*companies[-1], credit))
    return companies


def _community_names(rnd: random.Random) -> list[str]:
    names = [f"{a}{b}社区" for a in _WORDS for b in _B]
    rnd.shuffle(names)
    return names[:COMMUNITIES]


def _community(w: BulkWriter, rnd: random.Random, n: int, name: str, street: int) -> Place:
    community = w.next_id("community")
    code = f"{DISTRICT[0]}-{n + 1:03d}"
    hotline = f"0351-7{rnd.randrange(10**6):06d}"
    w.add("community", (community, code, name, street, hotline, hotline[:-2] + "00",
                        "Asia/Shanghai"))
    place = Place(community, code, office=0, grids=[], departments=[])
    place.office = _org(w, place, OrgKind.OFFICE, f"{name[:-2]}社区居委会")
    place.grids = [_org(w, place, OrgKind.GRID, f"{name[:-2]}第{'一二三'[g]}网格")
                   for g in range(rnd.randint(1, 3))]
    place.departments = [_org(w, place, OrgKind.DEPARTMENT, department)
                         for department in (f"{name[:2]}派出所", "小店区城管执法队")]
    return place


def _org(w: BulkWriter, place: Place, kind: str, name: str, company: int | None = None) -> int:
    org = w.next_id("organization")
    phone = f"0351-8{org % 10**6:06d}"
    w.add("organization", (org, place.id, kind, name, True, phone, company))
    place.org_names[org] = name
    return org


def _accounts(w: BulkWriter, rnd: random.Random, place: Place, password_hash: str,
              created: datetime) -> None:
    def account(role: str, org: int, kind: str, title: str) -> tuple[int, str]:
        """The account's id and its label on a report's timeline (labels.actor_label)."""
        user = w.next_id("user")
        name = f"{title} {rnd.choice(SURNAMES)}{rnd.choice('敏静伟强军芳丽磊洋勇')}"
        w.add("user", (user, f"{place.code}-{kind}", name, password_hash, role, org,
                       f"139{rnd.randrange(10**8):08d}", True, created))
        return user, f"{name}{ACTOR_SEPARATOR}{place.org_names[org]}"

    place.admin = account(Role.ADMIN, place.office, "admin", "社区管理员")[0]
    place.dispatchers = [account(Role.DISPATCHER, place.office, f"dispatcher{i}", "派单员")
                         for i in (1, 2)]
    for i, org in enumerate([*place.grids, *place.departments, *place.partners]):
        kind = "grid" if org in place.grids else "dept" if org in place.departments else "wy"
        person = account(Role.HANDLER, org, f"{kind}{i + 1}", "网格员" if kind == "grid"
                         else "工作人员" if kind == "dept" else "维修师傅")
        place.staff[org].append(person)
    place.volunteers = [account(Role.VOLUNTEER, place.office, f"volunteer{i}", "志愿者")[0]
                        for i in range(1, 5)]


def _compounds(w: BulkWriter, rnd: random.Random, place: Place, size: int, plain: int,
               created: datetime) -> None:
    lat0 = CENTRE[0] + rnd.uniform(-0.04, 0.04)
    lng0 = CENTRE[1] + rnd.uniform(-0.05, 0.05)
    used = set()
    for n in range(size):
        partner = None if n < plain else rnd.choice(place.partners)
        name = (f"{rnd.choice(_WORKS)}宿舍" if partner is None else
                f"{rnd.choice(_WORDS)}{rnd.choice(_B)}{rnd.choice(_HOMES)}")
        if name in used:  # names are unique in a community
            name = f"{name}{n + 1}号院"
        used.add(name)
        grid = rnd.choice(place.grids)
        compound = w.next_id("compound")
        w.add("compound", (compound, place.id, name, partner, grid))
        buildings = rnd.randint(1, 3) if partner is None else rnd.randint(4, 18)
        lat, lng = lat0 + rnd.uniform(-0.01, 0.01), lng0 + rnd.uniform(-0.01, 0.01)
        for b in range(buildings):
            building = w.next_id("building")
            w.add("building", (building, compound, f"{b + 1}号楼", b,
                               round(lat + rnd.uniform(-0.001, 0.001), 6),
                               round(lng + rnd.uniform(-0.001, 0.001), 6)))
            code = _code(w, rnd, building, None, created)
            place.doors.append(Door(place.id, compound, building, None, code, partner, grid))
            for e in range(rnd.randint(1, 4)):
                entrance = w.next_id("entrance")
                w.add("entrance", (entrance, building, f"{e + 1}单元", e))
                code = _code(w, rnd, building, entrance, created)
                place.doors.append(Door(place.id, compound, building, entrance, code,
                                        partner, grid))


_QR = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # tokens.QR_ALPHABET


def _code(w: BulkWriter, rnd: random.Random, building: int, entrance: int | None,
          created: datetime) -> int:
    code = w.next_id("qr_code")
    # Twelve letters of the app's alphabet, as new_qr_token() makes; unique by construction:
    # a random part, then the id spelt in that alphabet.
    token = "".join(rnd.choice(_QR) for _ in range(6)) + _base(code)
    w.add("qr_code", (code, token, building, entrance, created))
    return code


def _base(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, len(_QR))
        digits = _QR[digit] + digits
        if not number:
            return digits.rjust(6, _QR[0])
