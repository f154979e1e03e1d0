"""Walk every route of the app as every role and as an anonymous visitor: what each gets must
follow the one permission table in domain/people/permissions.py, and no route may go undeclared."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret, demo_tracking_token, login
from webapp.access import API_CLIENT, PUBLIC, access_of
from webapp.domain import unit_of_work
from webapp.domain.consultations import opening, rooms
from webapp.domain.people import accounts, api_clients
from webapp.domain.people.permissions import ROLE_ACTIONS
from webapp.domain.reports import questions
from webapp.domain.services import booking, ledger
from webapp.domain.shared.tokens import new_submission_key
from webapp.extensions import db
from webapp.inputs import LARGEST_ID
from webapp.models import (
    Building,
    CareCard,
    CareVisit,
    Community,
    Company,
    Notification,
    Organization,
    QrCode,
    Redemption,
    Report,
    ReportPhoto,
    Reward,
    Role,
    ServiceType,
    Slot,
    User,
    VolunteerShift,
)
from webapp.models.types import utcnow
from webapp.seed.demo import _demo_password_hash
from webapp.seed.services import load_services


def draft():
    return opening.ConsultationDraft(
        title="更换供暖立管", proposal="更换立管", reason="漏水", cost_cents=100_00,
        share_basis="equal", deadline=utcnow() + timedelta(days=3),
        rule=opening.rules.PRESETS["half_households"])


ROLES = {None: None, Role.ADMIN: "admin", Role.DISPATCHER: "dispatcher",
         Role.HANDLER: "mateng", Role.VOLUNTEER: "volunteer", Role.OVERSEER: "district"}


@pytest.fixture
def walk(app, users, entrance_code):
    app.config["WTF_CSRF_ENABLED"] = False  # the guard is under test here, not CSRF
    office = db.session.scalars(select(Organization).where(Organization.kind == "office")).first()
    with unit_of_work():
        accounts.create_user("volunteer", "志愿者 小王", "volunteer-pass", Role.VOLUNTEER,
                             office)
    report = db.session.scalars(select(Report).where(
        Report.assigned_user_id == users["mateng"].id)).first()  # the demo's closed loop
    photo = ReportPhoto(report=report, stored_name="missing.jpg", width=1, height=1,
                        byte_size=1)
    item = Notification(user=users["dispatcher"], dedupe_key="walk", kind="new_report",
                        title="walk", body="", url=f"/staff/reports/{report.id}")
    db.session.add_all([photo, item])
    db.session.commit()
    return {
        "token": entrance_code.token, "tracking": demo_tracking_token(report),
        "report_id": report.id, "photo_id": photo.id, "action": "internal_note",
        "code": "en", "filename": "css/app.css", "compound_id": report.compound_id,
        "user_id": users["grid"].id, "category_id": report.category_id,
        "fmt": "svg", "kind": "building", "place_id": report.building_id, "change": "rename",
        "code_id": entrance_code.id, "service_id": 1, "slot_id": 1, "shift_id": 1,
        "booking_id": 1, "outcome": "done", "reward_id": 1, "redemption_id": 1,
        "decision": "reject", "card_id": 1, "transfer_id": 1, "visit_id": 1,
        "ext": "json", "service_code": "water", "service_request_id": report.number,
        "question_id": 1, "key_id": 1, "org_id": office.id,
        "notification_id": item.id, "override_id": 1,
        "other_id": report.id, "direction": "into-this",
        "company_id": report.assigned_org.company_id,
        "consultation_id": 1, "household_id": 1, "building_id": report.building_id,
    }


def test_every_endpoint_declares_who_may_open_it(app):
    undeclared = [rule.endpoint for rule in app.url_map.iter_rules()
                  if access_of(app, rule.endpoint) is None]
    assert undeclared == []


def test_every_id_in_a_route_stops_at_the_databases_largest(app):
    """A bigger number would reach the database and fail there (a 500), not answer 404."""
    unbounded = [f"{rule.rule} <{name}>" for rule in app.url_map.iter_rules()
                 for name, converter in rule._converters.items()
                 if hasattr(converter, "max") and converter.max != LARGEST_ID]
    assert unbounded == []


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_gets_what_the_table_says(app, walk, role):
    client = app.test_client()
    if ROLES[role]:
        login(client, ROLES[role], "volunteer-pass" if role == Role.VOLUNTEER else "mashang-demo")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "auth.logout":
            continue  # would end the session of the walk itself
        url = rule.build({name: walk[name] for name in rule.arguments}, append_unknown=False)[1]
        access = access_of(app, rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={})
            status = response.status_code
            where = f"{method} {url} as {role or 'anonymous'}: {status}"
            to_login = status in (302, 303) and "/login" in response.headers.get("Location", "")
            if access == PUBLIC:
                assert status not in (401, 403) and not to_login, where
            elif access == API_CLIENT:  # no api_key sent: the API's own 403, never a login
                assert status == 403 and not to_login, where
            elif role is None:
                assert to_login, where
            elif access in ROLE_ACTIONS[role]:
                assert status != 403 and not to_login, where
            else:
                assert status == 403, where
            assert status < 500, where
            checked += 1
    assert checked > 20


def test_htmx_requests_get_hx_redirect_to_login(client, demo):
    response = client.get("/staff/queue", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_a_handler_cannot_open_another_companys_report(client, users, entrance_code):
    report = db.session.scalars(select(Report).where(
        Report.assigned_user_id == users["mateng"].id)).first()
    login(client, "yianju")
    assert client.get(f"/staff/reports/{report.id}").status_code == 403
    login(client, "mateng")
    assert client.get(f"/staff/reports/{report.id}").status_code == 200


def test_login_is_rate_limited(client, demo):
    # then the throttle makes this address wait (domain/people/login_throttle.py)
    for _ in range(3):
        page = client.get("/login")
        from tests.conftest import csrf_from
        bad = client.post("/login", data={"csrf_token": csrf_from(page.text),
                                          "username": "dispatcher", "password": "wrong"},
                          headers={"Accept-Language": "en"})
        assert bad.status_code == 422 and "Wrong username or password" in bad.text
    page = client.get("/login")
    from tests.conftest import csrf_from
    blocked = client.post("/login", data={"csrf_token": csrf_from(page.text),
                                          "username": "dispatcher", "password": "mashang-demo"},
                          headers={"Accept-Language": "en"})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text


def test_disabled_accounts_cannot_log_in(client, users):
    users["grid"].active = False
    db.session.commit()
    page = client.get("/login")
    from tests.conftest import csrf_from
    response = client.post("/login", data={"csrf_token": csrf_from(page.text),
                                           "username": "grid", "password": "mashang-demo"})
    assert response.status_code == 422


def test_passwords_are_hashed(users):
    assert "mashang-demo" not in users["dispatcher"].password_hash
    assert users["dispatcher"].password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_qr_tokens_in_the_walk_exist(walk):
    assert db.session.scalar(select(QrCode.id).where(QrCode.token == walk["token"]))


def test_another_communitys_records_answer_like_missing_ones(client, app, demo):
    """An admin of 新桥北村社区 reaches 八一社区's report, slot, care card, API key and
    organisation by id: each answers 404, exactly as an id nobody has."""
    app.config["WTF_CSRF_ENABLED"] = False
    bayi, xinqiao = db.session.scalars(select(Community).order_by(Community.id)).all()[:2]
    office = db.session.scalars(select(Organization).where(
        Organization.community_id == xinqiao.id, Organization.kind == "office")).first()
    with unit_of_work():
        accounts.create_user("xq-admin", "新桥管理员", "xinqiao-pass", Role.ADMIN, office)
    card = CareCard(community_id=bayi.id, name="独居老人", phone="13700000001")
    db.session.add(card)
    db.session.commit()
    with unit_of_work():
        key, _raw = api_clients.issue_key(bayi, "热线平台")
    report = db.session.scalars(select(Report).where(Report.community_id == bayi.id)).first()
    slot = db.session.scalars(select(Slot).where(Slot.community_id == bayi.id)).first()
    bayi_org = db.session.scalars(select(Organization).where(
        Organization.community_id == bayi.id)).first()
    login(client, "xq-admin", "xinqiao-pass")
    for url, method in ((f"/staff/reports/{report.id}", client.get),
                        (f"/admin/slots/{slot.id}/cancel", client.post),
                        (f"/admin/care-cards/{card.id}/end", client.post),
                        (f"/admin/api-keys/{key.id}/revoke", client.post),
                        (f"/admin/organizations/{bayi_org.id}/robot", client.post),
                        (f"/admin/organizations/{bayi_org.id}/robot/test", client.post)):
        missing = url.replace(f"/{url.split('/')[3]}", f"/{LARGEST_ID}", 1)
        assert (method(url).status_code, method(missing).status_code) == (404, 404), url
    db.session.expire_all()
    assert slot.cancelled_at is None and card.active and key.revoked_at is None


# Records every community shares (a category: what an admin saves for it is their community's
# own, see test_category_settings.py) and pages public by design (every community's board, the
# Open311 request status that GeoReport makes public).
SHARED_IDS = {"category_id"}
PUBLIC_BY_DESIGN = {"board.compound", "open311.request_by_id", "resident.consultation",
                    "resident.consultation_photo"}
IGNORED_CHANGES = {"login_attempt": None, "account": None,  # sign-in, passbooks on first sight
                   "user": {"last_login_at", "feed_token_hash"}}


@pytest.fixture
def other(walk, app):
    """One record of each kind of 新桥北村社区, the demo's second community, by the names the
    walk's routes give their ids."""
    bayi, xinqiao = db.session.scalars(select(Community).order_by(Community.id)).all()[:2]
    office = db.session.scalars(select(Organization).where(
        Organization.community_id == xinqiao.id, Organization.kind == "office")).first()
    with unit_of_work():
        load_services(xinqiao, _demo_password_hash())
        admin = accounts.create_user("xq-admin", "新桥管理员", "xinqiao-pass", Role.ADMIN,
                                     office)
        helper = accounts.create_user("xq-volunteer", "新桥志愿者", "xinqiao-pass",
                                      Role.VOLUNTEER, office)
    service = db.session.scalars(select(ServiceType).where(
        ServiceType.category.has(community_id=xinqiao.id))).first()
    with unit_of_work():
        slot, = booking.publish(service, xinqiao.id, utcnow() + timedelta(days=2), capacity=3,
                                volunteer_capacity=3)
    shift = booking.sign_up(slot, helper)
    report = db.session.scalars(select(Report).where(Report.community_id == xinqiao.id)).first()
    code = db.session.scalars(select(QrCode).where(QrCode.building_id == report.building_id)
                              ).first()
    made, _new = booking.book(slot, code, booking.BookingDraft(
        submission_key=new_submission_key(), name="新桥居民 陈阿姨", phone="13900000077",
        floor_room="5楼 502"), secret=app_secret())
    reward = db.session.scalars(select(Reward).where(Reward.community_id == xinqiao.id)).first()
    redemption = Redemption(reward=reward, user=helper)
    with unit_of_work():
        award = ledger.adjust(helper, 10, "新桥活动", admin)
    card = CareCard(community_id=xinqiao.id, name="独居老人", phone="13700000001",
                    building_id=report.building_id)
    visit = CareVisit(community_id=xinqiao.id, care_card=card, due_on=utcnow().date())
    photo = ReportPhoto(report=report, stored_name="xinqiao.jpg", width=1, height=1,
                        byte_size=1)
    item = Notification(user=admin, dedupe_key="other", kind="new_report", url="/",
                        title="新桥居民 陈阿姨", body="")
    db.session.add_all([redemption, card, visit, photo, item])
    db.session.commit()
    with unit_of_work():
        key, _raw = api_clients.issue_key(xinqiao, "热线平台")
    with unit_of_work():
        question = questions.save_question(report.category, xinqiao.id, questions.QuestionDraft(
            code="plate", datatype="string", order=1, description_zh="车牌号"))
    # 新桥北村 leaves the demo's street: its company is outside the overseer's district.
    xinqiao.street = None
    company = Company(name="新桥北村物业公司")
    db.session.add(company)
    db.session.flush()
    db.session.scalars(select(Organization).where(
        Organization.community_id == xinqiao.id, Organization.kind == "property")
    ).first().company = company
    db.session.commit()
    with unit_of_work():  # 一事一议 in 新桥北村's building, with its rooms
        building = db.session.get(Building, report.building_id)
        rooms.save_rooms(building, "101, 80\n102, 90")
        consultation = opening.open_consultation(
            draft(), opening.Place(building.compound, building), admin,
            secret=app_secret(), upload_folder=app.config["UPLOAD_FOLDER"])
    assert bayi.id != xinqiao.id
    return {**walk, "report_id": report.id, "building_id": building.id,
            "consultation_id": consultation.id,
            "household_id": consultation.members[0].household_id, "photo_id": photo.id,
            "compound_id": report.compound_id, "user_id": admin.id,
            "place_id": report.building_id, "code_id": code.id, "service_id": service.id,
            "slot_id": slot.id, "shift_id": shift.id, "booking_id": made.id,
            "reward_id": reward.id, "redemption_id": redemption.id, "card_id": card.id,
            "transfer_id": award.id,
            "visit_id": visit.id,
            "key_id": key.id, "question_id": question.id, "org_id": office.id,
            "resident": "新桥居民 陈阿姨", "notification_id": item.id, "company_id": company.id}


def stored_rows() -> dict[str, set]:
    """Every row of every table, less the changes that signing in itself makes."""
    rows = {}
    for table in db.metadata.sorted_tables:
        ignored = IGNORED_CHANGES.get(table.name, set())
        if ignored is None:
            continue
        columns = [c for c in table.columns if c.name not in ignored]
        rows[table.name] = {repr(tuple(row)) for row in db.session.execute(select(*columns))}
    return rows


@pytest.mark.parametrize("role", [r for r in ROLES if r])
def test_no_role_reaches_another_communitys_records(app, other, role):
    """Every route with an id, opened with 新桥北村社区's ids by each role of 八一社区: 404 or
    403, never a page or a success, and nothing stored."""
    client = app.test_client()
    login(client, ROLES[role], "volunteer-pass" if role == Role.VOLUNTEER else "mashang-demo")
    checked = 0
    for rule in app.url_map.iter_rules():
        ids = {name for name in rule.arguments if name.endswith("_id")} - SHARED_IDS
        if not ids or rule.endpoint in PUBLIC_BY_DESIGN:
            continue
        url = rule.build({name: other[name] for name in rule.arguments},
                         append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            db.session.expire_all()
            before = stored_rows()
            response = client.open(url, method=method, data={
                "reason": "x", "note": "x", "original": "x", "name": "x", "text": "x"})
            where = f"{method} {url} as {role}: {response.status_code}"
            assert response.status_code in (403, 404), where
            assert other["resident"] not in response.get_data(as_text=True), where
            db.session.expire_all()
            assert stored_rows() == before, where
            checked += 1
    assert checked > 15


def test_a_volunteer_never_sees_another_communitys_residents(app, other):
    """A shift in 新桥北村社区 (signed up for before the bound existed) shows neither on the
    volunteer's page nor in their calendar feed."""
    app.config["WTF_CSRF_ENABLED"] = False
    volunteer = db.session.scalars(select(User).where(
        User.username == "volunteer")).one()
    slot = db.session.get(Slot, other["slot_id"])
    stale = VolunteerShift(slot=slot, user=volunteer, created_at=utcnow() - timedelta(days=1))
    db.session.add(stale)
    db.session.commit()
    client = app.test_client()
    login(client, "volunteer", "volunteer-pass")
    page = client.get("/volunteer/").get_data(as_text=True)
    assert other["resident"] not in page and "13900000077" not in page
    made = client.post("/volunteer/feed").get_data(as_text=True)
    feed_path = re.search(r"(/volunteer/feed/[\w-]+\.ics)", made).group(1)
    feed = client.get(feed_path).get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in feed and f"shift-{stale.id}@" not in feed
