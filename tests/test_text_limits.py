"""Every text limit is its column's length, checked wherever text comes in.

PostgreSQL refuses a value longer than its column (it was a 500, or no answer at all) and
SQLite stores it whole. So every sized text column of every model is listed here with each
way a person's text reaches it — resident forms, staff and admin pages, Open311, CSV import,
the CLI — and each way is tried with exactly as many characters as the column holds (stored
whole) and one more (a 4xx or a refusal with a message, nothing stored). A new column must
be added to WAYS or to NOT_TYPED, or the first test fails. Run it on PostgreSQL as well:
tools/throwaway_postgres.py -- .venv/bin/pytest -q tests/test_text_limits.py"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from click.testing import Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import String, func, select, text

from tests.conftest import csrf_from, hidden_value, login
from tests.web.helpers import open_report_form, report_fields
from webapp.domain import unit_of_work
from webapp.domain.people import api_clients
from webapp.domain.reports import intake
from webapp.extensions import db
from webapp.models import (
    Category,
    Community,
    Organization,
    Report,
    ServiceCategory,
    ServiceType,
    Slot,
    User,
)
from webapp.models.reports import ACTOR_SEPARATOR
from webapp.models.text import TextTooLong, max_length
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}

# Written by the app itself (codes, digests, tokens, statuses, enum values), never typed.
NOT_TYPED = {
    "account.kind", "api_key.key_hash", "api_key.key_prefix", "booking.status",
    "attendance_event.kind", "care_visit.outcome",
    "booking.submission_key_hash", "booking.token_hash", "category.code", "category.icon",
    "category.routing", "category_setting.routing",
    "category_question.datatype",
    "community.timezone", "open311_request.token", "organization.kind",
    "organization.robot_kind", "qr_code.token",
    "redemption.status", "report.channel", "report.number", "report.status",
    "report.submission_key_hash", "report.tracking_token_hash", "report_event.actor_kind",
    "report_event.from_status", "report_event.kind", "report_event.to_status",
    "report_milestone.name", "report_milestone.pause_reason", "report_photo.stored_name",
    "reward.kind",
    "service_category.icon", "sla_target.milestone", "transfer.kind",
    "user.password_hash", "user.role", "user.feed_token_hash",
    # Cut to the column on purpose: only counted, to slow down password guessing.
    "login_attempt.remote_addr", "login_attempt.username",
    # Built from a display name and an organisation: test_a_longest_named_handler_can_act.
    "report_event.actor_label",
    # Notifications: written by the app, titles cut to the column by domain/notify/messages.
    "notification.dedupe_key", "notification.kind", "notification.title", "notification.url",
    "notification_preference.language", "outbox_message.channel", "outbox_message.dedupe_key",
    "outbox_message.kind", "outbox_message.language", "outbox_message.last_error",
    "outbox_message.locked_by", "outbox_message.recipient", "outbox_message.status",
    "outbox_message.title", "periodic_run.name", "report.language", "booking.language",
    # A browser's push keys are checked as keys of their exact size (tests/domain/notify);
    # the owner, the sealed page and why it ended are written by the app.
    "push_subscription.p256dh", "push_subscription.auth", "push_subscription.owner",
    "push_subscription.sealed_url", "push_subscription.end_reason",
    # The district's own tables, written by `flask` commands and the district generator.
    "company.name", "company.credit_code",
    # The first-run link: a digest of the token.
    "first_run_link.token_hash",
    # A waiting list entry: digests of the key and link, its status and the page's language.
    "waitlist_entry.status", "waitlist_entry.token_hash", "waitlist_entry.submission_key_hash",
    "waitlist_entry.language",
    # A neighbour following a report: digests of the key and link, the page's language.
    "report_follower.submission_key_hash", "report_follower.link_token_hash",
    "report_follower.language",
    # 一事一议: choices from fixed lists, the slip's nonce and digest, the log's kinds.
    "consultation.share_basis", "consultation.choice_kind", "consultation.rule_basis",
    "consultation.status", "consultation.outcome", "consultation_option.kind",
    "ballot.channel", "ballot_slip.nonce", "ballot_slip.token_hash",
    "consultation_event.kind", "consultation_photo.stored_name",
}


def sized_text_columns() -> dict[str, int]:
    return {f"{table.name}.{column.name}": column.type.length
            for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, String) and column.type.length}


def chinese(n: int) -> str:
    return "字" * n  # a character is not a byte: PostgreSQL counts characters


def latin(n: int) -> str:
    return "a" * n


def phone(n: int) -> str:
    """A mobile number padded with spaces to n characters, as a person may type it."""
    return "138" + " " * (n - 11) + "00138000"


def email(n: int) -> str:
    return "a" * 64 + "@" + "b" * (n - 68) + ".cn"


@dataclass(frozen=True)
class Way:
    """`send(ctx, value)` types `value` into the field; returns (status, message text)."""
    column: str
    send: object
    make: object = chinese
    # What the column holds afterwards, when it is not the value as typed.
    kept: object = None
    # `prepare(ctx)` makes what the way changes, before the column is first read.
    prepare: object = None

    def __str__(self):
        return f"{self.column}<-{self.send.__name__}"


def digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)[-11:]


# --- the ways in -------------------------------------------------------------------------------

def report_form(field):
    def send(ctx, value):
        fields = report_fields(open_report_form(ctx.client, ctx.code.token), **{field: value})
        response = ctx.client.post(f"/q/{ctx.code.token}/report", data=fields, headers=EN)
        return response.status_code, response.text
    send.__name__ = f"report_form.{field}"
    return send


def open311_post(field):
    def send(ctx, value):
        with unit_of_work():
            key = api_clients.issue_key(db.session.get(Community, ctx.code.building.compound
                                                   .community_id), "limits")[1]
        response = ctx.client.post("/open311/v2/requests.json", headers=EN, data={
            "api_key": key, "service_code": "water", "address_id": ctx.code.token,
            "description": "楼道的水管漏水了", field: value})
        return response.status_code, response.text
    send.__name__ = f"open311.{field}"
    return send


def booking_form(field):
    def send(ctx, value):
        slot = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
        url = f"/q/{ctx.code.token}/slots/{slot.id}/book"
        page = ctx.client.get(url, headers=EN).text
        fields = {"csrf_token": csrf_from(page),
                  "submission_key": hidden_value(page, "submission_key"),
                  "name": "赵奶奶", "phone": "13811112222", "floor_room": "4楼401", field: value}
        response = ctx.client.post(url, data=fields, headers=EN)
        return response.status_code, response.text
    send.__name__ = f"booking_form.{field}"
    return send


def waitlist_form(field):
    """The waiting list of a full slot: the booking form, sent to join the list."""
    def send(ctx, value):
        slot = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
        slot.capacity = slot.booked = 1
        db.session.commit()
        url = f"/q/{ctx.code.token}/slots/{slot.id}/wait"
        page = ctx.client.get(f"/q/{ctx.code.token}/slots/{slot.id}/book", headers=EN).text
        fields = {"csrf_token": csrf_from(page),
                  "submission_key": hidden_value(page, "submission_key"),
                  "name": "赵奶奶", "phone": "13811112222", "floor_room": "4楼401", field: value}
        response = ctx.client.post(url, data=fields, headers=EN)
        return response.status_code, response.text
    send.__name__ = f"waitlist_form.{field}"
    return send


def follow_form(field):
    """我也遇到了: a neighbour's open report at the door (filed first if there is none)."""
    def send(ctx, value):
        url = f"/q/{ctx.code.token}/report"
        page = ctx.client.get(url, headers=EN).text
        if "/follow/" not in page:
            ctx.client.post(url, data=report_fields(open_report_form(ctx.client, ctx.code.token)))
            page = ctx.client.get(url, headers=EN).text
        report_id = re.search(r'/follow/(\d+)"', page).group(1)
        fields = {name: re.search(rf'name="f{report_id}-{name}" type="hidden" value="([^"]+)"',
                                  page).group(1) for name in ("csrf_token", "submission_key")}
        fields[field] = value
        response = ctx.client.post(f"/q/{ctx.code.token}/follow/{report_id}", headers=EN,
                                   data={f"f{report_id}-{k}": v for k, v in fields.items()})
        return response.status_code, response.text
    send.__name__ = f"follow_form.{field}"
    return send


def admin_post(page, url, field, **others):
    """A field of an admin page's form, the other fields filled in sensibly."""
    def send(ctx, value):
        login(ctx.client, "admin")
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          ctx.client.get(page, headers=EN).text).group(1)
        fields = {k: (v(ctx) if callable(v) else v) for k, v in others.items()}
        response = ctx.client.post(url(ctx) if callable(url) else url, headers=EN,
                                   data={"csrf_token": token, **fields, field: value})
        return response.status_code, response.text
    send.__name__ = f"{page}.{field}"
    return send


def consultation_form(field):
    """Opening a consultation (一事一议) for the door's building, its rooms listed first; a
    plan's words are one line of the plans."""
    def send(ctx, value):
        login(ctx.client, "dispatcher")
        rooms_url = f"/staff/buildings/{ctx.code.building_id}/rooms"
        ctx.client.post(rooms_url, data={"csrf_token": csrf_from(ctx.client.get(rooms_url).text),
                                         "rooms": "101\n102"})
        page = ctx.client.get("/staff/consultations/new").text
        fields = {"csrf_token": csrf_from(page), "place": f"b{ctx.code.building_id}",
                  "title": "更换立管", "proposal": "更换立管", "reason": "漏水", "cost": "100",
                  "share_basis": "equal",
                  "deadline": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
                  "rule": "half_households", "choice_kind": "yes_no"}
        if field == "plans":
            fields.update(choice_kind="plans", plans=f"{value}\n另一方案")
        else:
            fields[field] = value
        response = ctx.client.post("/staff/consultations/new", headers=EN, data=fields)
        return response.status_code, response.text
    send.__name__ = f"consultation_form.{field}"
    return send


def rooms_form(ctx, value):
    login(ctx.client, "dispatcher")
    url = f"/staff/buildings/{ctx.code.building_id}/rooms"
    response = ctx.client.post(url, headers=EN, data={
        "csrf_token": csrf_from(ctx.client.get(url).text), "rooms": value})
    return response.status_code, response.text


def first_id(model):
    return lambda ctx: str(db.session.scalar(select(func.min(model.id))))


def office_id(ctx):
    return str(db.session.scalar(select(Organization.id).where(
        Organization.name == "八一社区居委会")))


def compound_id(ctx):
    return ctx.code.building.compound_id


def volunteer_offer(ctx, value):
    login(ctx.client, "laoli")
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      ctx.client.get("/volunteer/").text).group(1)
    response = ctx.client.post("/volunteer/availability", headers=EN, data={
        "csrf_token": token, "service": first_id(ServiceType)(ctx), "places": "2",
        "start": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"), "location": value})
    return response.status_code, response.text


def push_endpoint(n: int) -> str:
    """A push service's address of n characters, as a browser's subscription carries it."""
    return "https://push.example.com/" + "x" * (n - 25)


def push_subscription(ctx, value):
    login(ctx.client, "dispatcher")
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', ctx.client.get("/staff/queue").text).group(1)
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    keys = {"p256dh": base64.urlsafe_b64encode(point).decode().rstrip("="),
            "auth": "AAAAAAAAAAAAAAAAAAAAAA"}
    response = ctx.client.post("/push/subscriptions", headers={"X-CSRFToken": csrf, **EN},
                               json={"subscription": {"endpoint": value, "keys": keys}})
    return response.status_code, response.text


def csv_import(column):
    def send(ctx, value):
        cells = ["新小区", "1号楼", "1单元"]
        cells[["compound", "building", "entrance"].index(column)] = value
        return admin_post("/admin/places", "/admin/places/import", "csv_text",
                          confirm="1")(ctx, ",".join(cells))
    send.__name__ = f"csv_import.{column}"
    return send


def cli(command, option, **others):
    def send(ctx, value):
        args = [*command, option, value]
        for name, other in others.items():
            args += [f"--{name.replace('_', '-')}", other]
        result: Result = ctx.app.test_cli_runner().invoke(args=args)
        return (200 if result.exit_code == 0 else 400), result.output
    send.__name__ = f"cli.{' '.join(command)}.{option}"
    return send


QUESTION = {"code": "floor", "variable": "1", "datatype": "string", "order": "1",
            "description_zh": "几楼？", "description_en": "Which floor?"}
SERVICE = {"category": first_id(ServiceCategory), "name_zh": "理发", "name_en": "Haircut",
           "duration": "60", "points": "10", "volunteers": "1", "cutoff": "2"}
SLOT = {"service": first_id(ServiceType), "weeks": "1", "capacity": "3",
        "start": lambda ctx: (utcnow() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")}
NEW_USER = {"username": "newbie", "display_name": "新同事", "password": "long-enough-1",
            "role": "handler", "org": office_id}
NEW_COMMUNITY = {"code": "xinjian", "name": "新建社区", "office": "新建社区居委会"}
QUESTIONS_URL = "/admin/categories/{}/questions"
WECOM_WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="


def webhook(n: int) -> str:
    return WECOM_WEBHOOK + "k" * (n - len(WECOM_WEBHOOK))


def robot_url(ctx):
    return f"/admin/organizations/{office_id(ctx)}/robot"


def add_question_url(ctx):
    return QUESTIONS_URL.format(db.session.scalar(select(Category.id).where(
        Category.code == "water")))


def own_category(ctx):
    """A category of 八一社区's own, to be renamed."""
    admin_post("/admin/categories", "/admin/categories", "name_zh", name_en="Mine",
               icon="🔧")(ctx, "我的")


def category_names_url(ctx):
    own = db.session.scalar(select(Category.id).where(Category.community_id.is_not(None)))
    return f"/admin/categories/{own}/names"


WAYS = [
    Way("report.floor_room", report_form("floor_room")),
    Way("report.contact_name", report_form("contact_name")),
    Way("report.contact_phone", report_form("contact_phone"), phone, digits),
    Way("report.contact_name", open311_post("first_name")),
    Way("report.contact_phone", open311_post("phone"), phone, digits),
    Way("open311_request.email", open311_post("email"), email),
    Way("open311_request.address_string", open311_post("address_string")),
    Way("open311_request.account_id", open311_post("account_id")),
    Way("open311_request.device_id", open311_post("device_id")),
    Way("report_follower.phone", follow_form("phone"), phone, digits),
    Way("booking.name", booking_form("name")),
    Way("booking.phone", booking_form("phone"), phone, digits),
    Way("booking.floor_room", booking_form("floor_room")),
    Way("waitlist_entry.name", waitlist_form("name")),
    Way("waitlist_entry.phone", waitlist_form("phone"), phone, digits),
    Way("waitlist_entry.floor_room", waitlist_form("floor_room")),
    Way("user.username", admin_post("/admin/users", "/admin/users", "username", **NEW_USER),
        latin),
    Way("user.display_name", admin_post("/admin/users", "/admin/users", "display_name",
                                        **NEW_USER)),
    Way("user.phone", admin_post("/admin/users", "/admin/users", "phone", **NEW_USER), phone,
        digits),
    Way("user.username", cli(["users", "create"], "--username", name="新同事", role="handler",
                             org="八一社区居委会", password="long-enough-1"), latin),
    Way("user.display_name", cli(["users", "create"], "--name", username="newbie",
                                 role="handler", org="八一社区居委会",
                                 password="long-enough-1")),
    Way("compound.name", admin_post("/admin/places", "/admin/places", "name")),
    Way("building.name", admin_post(
        "/admin/places", lambda ctx: f"/admin/places/compound/{compound_id(ctx)}/add", "name")),
    Way("entrance.name", admin_post(
        "/admin/places", lambda ctx: f"/admin/places/building/{ctx.code.building_id}/add",
        "name")),
    Way("compound.name", csv_import("compound")),
    Way("building.name", csv_import("building")),
    Way("entrance.name", csv_import("entrance")),
    Way("community.code", cli(["community", "create"], "--code", **{
        k: v for k, v in NEW_COMMUNITY.items() if k != "code"}), latin),
    Way("community.name", cli(["community", "create"], "--name", **{
        k: v for k, v in NEW_COMMUNITY.items() if k != "name"})),
    Way("organization.name", cli(["community", "create"], "--office", **{
        k: v for k, v in NEW_COMMUNITY.items() if k != "office"})),
    Way("district.code", cli(["district", "create"], "--code", name="新区"), latin),
    Way("district.name", cli(["district", "create"], "--name", code="xinqu")),
    Way("street.code", cli(["street", "create"], "--code", district="xiaodian",
                           name="新街道"), latin),
    Way("street.name", cli(["street", "create"], "--name", district="xiaodian",
                           code="xinjiedao")),
    Way("community.hotline", cli(["community", "create"], "--hotline", **NEW_COMMUNITY),
        latin),
    Way("community.hotline_24h", cli(["community", "create"], "--hotline-24h",
                                     **NEW_COMMUNITY), latin),
    *(Way(f"category_question.{field}", admin_post("/admin/categories", add_question_url,
                                                   field, **QUESTION),
          latin if field == "code" else chinese)
      for field in ("code", "description_zh", "description_en", "datatype_description_zh",
                    "datatype_description_en")),
    *(Way(f"category.{field}", admin_post("/admin/categories", "/admin/categories", field,
                                          name_zh="充电", name_en="Chargers", icon="🚲"))
      for field in ("name_zh", "name_en")),
    *(Way(f"category.{field}", admin_post("/admin/categories", category_names_url, field,
                                          name_zh="充电", name_en="Chargers", icon="🚲"),
          prepare=own_category)
      for field in ("name_zh", "name_en")),
    *(Way(f"service_category.{field}", admin_post("/admin/services", "/admin/service-categories",
                                                  field, name_zh="家政", name_en="Home help"))
      for field in ("name_zh", "name_en")),
    *(Way(f"service_type.{field}", admin_post("/admin/services", "/admin/services", field,
                                              **SERVICE))
      for field in ("name_zh", "name_en", "fee_note_zh", "fee_note_en")),
    Way("slot.location", admin_post("/admin/services", "/admin/slots", "location", **SLOT)),
    Way("slot.location", volunteer_offer),
    *(Way(f"reward.{field}", admin_post("/admin/points", "/admin/rewards", field, kind="goods",
                                        name_zh="大米", name_en="Rice", cost="50", stock="3"))
      for field in ("name_zh", "name_en", "collect_zh", "collect_en")),
    Way("care_card.name", admin_post("/admin/care-cards", "/admin/care-cards", "name",
                                     phone="13855556666")),
    Way("care_card.phone", admin_post("/admin/care-cards", "/admin/care-cards", "phone",
                                      name="赵奶奶"), phone, digits),
    Way("api_key.client_name", admin_post("/admin/api-keys", "/admin/api-keys",
                                          "client_name")),
    Way("working_day_override.note", admin_post("/admin/calendar", "/admin/calendar", "note",
                                                day="2026-12-24", working="0")),
    Way("organization.robot_webhook", admin_post("/admin/organizations", robot_url, "webhook",
                                                 kind="wecom"), webhook),
    Way("organization.robot_secret", admin_post(
        "/admin/organizations", robot_url, "secret", kind="dingtalk",
        webhook="https://oapi.dingtalk.com/robot/send?access_token=t"), latin),
    Way("push_subscription.endpoint", push_subscription, push_endpoint),
    Way("organization.name", admin_post("/admin/organizations", "/admin/organizations", "name",
                                        kind="property")),
    Way("organization.phone", admin_post("/admin/organizations", "/admin/organizations",
                                         "phone", kind="property", name="恒安物业"),
        phone, digits),
    Way("consultation.title", consultation_form("title")),
    Way("consultation_option.label", consultation_form("plans")),
    Way("household.room", rooms_form),
]


def test_every_sized_text_column_is_typed_through_a_listed_way_or_by_nobody(app):
    columns = set(sized_text_columns())
    listed = {way.column for way in WAYS}
    assert columns - listed - NOT_TYPED == set(), "new columns: add their ways to WAYS"
    assert (listed | NOT_TYPED) - columns == set(), "gone or misspelt"


def test_every_text_column_refuses_one_character_more_than_it_holds(app):
    """Through the ORM itself, whichever code sets it: the last line of defence."""
    for mapper in db.Model.registry.mappers:
        for prop in mapper.column_attrs:
            limit = max_length(prop.class_attribute)
            if not isinstance(prop.columns[0].type, String) or limit is None:
                continue
            row = mapper.class_()
            setattr(row, prop.key, "x" * limit)
            assert getattr(row, prop.key) == "x" * limit
            with pytest.raises(TextTooLong):
                setattr(row, prop.key, "x" * (limit + 1))


@dataclass
class Context:
    app: object
    client: object
    code: object


def stored_values(column: str) -> list[str]:
    table, name = column.split(".")
    quoted = db.engine.dialect.identifier_preparer.quote(table)
    db.session.rollback()
    return sorted(db.session.execute(text(
        f"SELECT {name} FROM {quoted} WHERE {name} IS NOT NULL")).scalars())


@pytest.mark.parametrize("way", WAYS, ids=str)
def test_as_long_as_the_column_is_stored_whole_one_more_is_refused(app, client, entrance_code,
                                                                   way):
    limit = sized_text_columns()[way.column]
    ctx = Context(app, client, entrance_code)
    if way.prepare is not None:
        way.prepare(ctx)
    before = stored_values(way.column)

    too_long = way.make(limit + 1)
    status, message = way.send(ctx, too_long)
    assert status in (400, 422), message[:2000]
    assert re.search(rf"(?<![0-9]){limit}(?![0-9])", message), message[:2000]  # names it
    assert stored_values(way.column) == before, "nothing of a refused input is stored"

    fits = way.make(limit)
    assert len(fits) == limit
    status, message = way.send(ctx, fits)
    assert status < 400, message[:2000]
    kept = way.kept or (lambda value: value)
    assert kept(fits) in [kept(v) for v in stored_values(way.column)]


def test_a_longest_named_handler_can_act(demo, client):
    """The timeline's actor label is display name + organisation: the column holds both at
    their longest, so a valid account is never refused at its first action."""
    org = db.session.scalar(select(Organization).where(Organization.name == "八一社区居委会"))
    org.name = chinese(max_length(Organization.name))
    handler = db.session.scalar(select(User).where(User.username == "dispatcher"))
    handler.display_name = chinese(max_length(User.display_name))
    db.session.commit()
    report = db.session.scalars(select(Report).where(Report.status == "submitted")).first()
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{report.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/staff/reports/{report.id}/internal_note", data={
        "csrf_token": token, "version": str(report.version), "note": "先看看"})
    assert response.status_code == 303, response.text[:1000]
    db.session.expire_all()
    labels = {e.actor_label for e in db.session.get(Report, report.id).events}
    assert handler.display_name + ACTOR_SEPARATOR + org.name in labels


def test_a_longer_username_at_login_is_a_wrong_login_not_an_error(demo, client):
    page = client.get("/login").text
    response = client.post("/login", headers=EN, data={
        "csrf_token": csrf_from(page), "username": latin(max_length(User.username) + 30),
        "password": "whatever-it-is"})
    assert response.status_code in (200, 401, 422)


def test_a_draft_too_long_for_its_column_is_refused_before_anything_is_written(demo):
    """Domain callers (CLI, Open311, tests) get the same limit as the forms."""
    with pytest.raises(TextTooLong):
        intake.ReportDraft(submission_key="k", category_id=1, description="漏水了",
                             contact_phone=phone(max_length(Report.contact_phone) + 1))
