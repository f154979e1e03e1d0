"""Open311 GeoReport v2: what the API says and does, apart from its formats (open311/ views).

Services are the report categories (plus the bookable services, as information only); a
service request is a report. A request filed here goes through workflow.submit_report like a
scanned one: same routing, SLA clocks and timeline, with channel "open311". What the API tells
the world about a report never includes the resident's name, phone or room."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, exists, func, select
from werkzeug.datastructures import MultiDict

from webapp.domain import addresses, api_clients, category_settings, questions, sla, workflow
from webapp.domain.phones import InvalidPhone, normalise_phone
from webapp.domain.privacy import mask
from webapp.domain.tokens import new_request_token, new_submission_key
from webapp.extensions import db
from webapp.models import (
    OPEN_STATUSES,
    ApiKey,
    Building,
    Category,
    CategoryQuestion,
    CategorySetting,
    Community,
    Compound,
    Milestone,
    Open311Request,
    Organization,
    Report,
    ReportEvent,
    ReportMilestone,
    ReportPhoto,
    ServiceCategory,
    ServiceType,
    SlaTarget,
)
from webapp.models.text import max_length, plain
from webapp.models.types import utcnow

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
BOOKING_PREFIX = "booking-"
DESCRIPTION_MAX = 4000  # the spec's limit
MAX_SPAN = timedelta(days=90)
PAGE_SIZE, PAGE_SIZE_MAX = 100, 1000
NEAR_METRES = addresses.NEAR_METRES
WHOLE = re.compile(r"[0-9]{1,6}")  # ASCII digits only: "²".isdigit() is true, int("²") fails
# Staff-written public notes that explain a status (resident-written notes never are).
STATUS_NOTE_KINDS = ("reply", "resolved", "rejected", "needs_consultation", "duplicate")


class Open311Error(Exception):
    """An answer of the spec's error shape: HTTP status and a list of (code, description)."""

    def __init__(self, status: int, *descriptions: str, code: int | None = None):
        super().__init__(descriptions[0] if descriptions else str(status))
        self.status = status
        self.errors = [(code or status, d) for d in descriptions]


def _err(status: int, description: str) -> Open311Error:
    return Open311Error(status, description)


# --- API keys ------------------------------------------------------------------------------

def check_key(raw: str | None) -> ApiKey:
    if not raw:
        raise Open311Error(403, _("api_key was not provided -- can't proceed with "
                                  "create_request."))
    key = api_clients.key_for(raw)
    if key is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed with "
                                  "create_request."))
    return key


# --- jurisdictions -------------------------------------------------------------------------

@dataclass(frozen=True)
class Jurisdiction:
    id: int
    code: str
    name: str
    timezone: str
    hotline: str | None


_JURISDICTIONS = select(Community.id, Community.code, Community.name, Community.timezone,
                       Community.hotline).order_by(Community.id)


def jurisdictions() -> list[Jurisdiction]:
    with db.engine.connect() as connection:
        return [Jurisdiction(*row) for row in connection.execute(_JURISDICTIONS)]


def jurisdiction(code: str | None, *, required: bool, every: list[Jurisdiction] | None = None
                 ) -> Jurisdiction | None:
    """The community named by jurisdiction_id. It may be left out when there is only one, or
    (required=False) when the call does not need one."""
    every = every if every is not None else jurisdictions()
    code = (code or "").strip()
    if code:
        found = next((j for j in every if j.code == code), None)
        if found is None:
            raise Open311Error(404, _("jurisdiction_id %(code)s was not found; known: "
                                      "%(known)s.", code=code[:40],
                                      known=", ".join(j.code for j in every)))
        return found
    if len(every) == 1:
        return every[0]
    if required:
        raise Open311Error(400, _("jurisdiction_id was not provided; one of: %(known)s.",
                                  known=", ".join(j.code for j in every)))
    return None


def changeset() -> datetime:
    """The last change to a service definition (a category or its questions, or a
    community's own settings for one)."""
    latest = [db.session.scalar(select(func.max(Category.updated_at))),
              db.session.scalar(select(func.max(CategorySetting.updated_at)))]
    return max((t for t in latest if t is not None), default=datetime(2026, 1, 1, tzinfo=UTC))


def w3c(moment: datetime | None, timezone: str) -> str | None:
    """A W3C/ISO 8601 time with its offset, in the community's time zone."""
    if moment is None:
        return None
    return moment.astimezone(_zone(timezone)).isoformat(timespec="seconds")


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# --- services ------------------------------------------------------------------------------

def _duration(minutes: int) -> str:
    if minutes % 1440 == 0:
        return ngettext("%(num)d day", "%(num)d days", minutes // 1440)
    if minutes >= 120 and minutes % 60 == 0:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def service_notice(is_major: bool, targets: dict[str, int]) -> str:
    """What the SLA promises for a category, in the current language."""
    if is_major:
        return _("Accepted within %(accept)s; a plan within %(plan)s of accepting (major job: "
                 "may need a residents' decision).",
                 accept=_duration(targets[Milestone.ACCEPT]),
                 plan=_duration(targets[Milestone.PLAN]))
    return _("Accepted within %(accept)s; on site %(arrive)s after accepting; fixed within "
             "%(resolve)s of arriving.", accept=_duration(targets[Milestone.ACCEPT]),
             arrive=_duration(targets[Milestone.ARRIVE]),
             resolve=_duration(targets[Milestone.RESOLVE]))


def notice_for(category: Category, community_id: int) -> str:
    return service_notice(category.is_major, sla.targets_for(category, community_id))


@lru_cache(maxsize=1)
def _service_statements():
    """Built once: constructing these costs more than running them."""
    has_questions = exists().where(CategoryQuestion.category_id == Category.id,
                                   CategoryQuestion.active,
                                   questions.asked_in(bindparam("community_id")))
    return (
        select(Category.code, Category.name_zh, Category.name_en, Category.is_major,
               Category.id, has_questions)
        .where(Category.active).order_by(Category.sort_order, Category.id),
        select(SlaTarget.category_id, SlaTarget.milestone, SlaTarget.minutes)
        .where(SlaTarget.community_id.is_(None)
               | (SlaTarget.community_id == bindparam("community_id")))
        .order_by(SlaTarget.community_id.is_not(None), SlaTarget.id),
        select(ServiceType.id, ServiceType.name_zh, ServiceType.name_en,
               ServiceType.description_zh, ServiceType.description_en,
               ServiceCategory.name_zh, ServiceCategory.name_en)
        .join(ServiceCategory, ServiceType.category_id == ServiceCategory.id)
        .where(ServiceCategory.community_id == bindparam("community_id"), ServiceType.active)
        .order_by(ServiceCategory.sort_order, ServiceType.sort_order, ServiceType.id),
    )


def service_rows(place: Jurisdiction) -> tuple:
    """Everything the service list is made of, as plain tuples: it keys a cache of the
    rendered list, so that any change to a category, question, SLA target or service gives a
    new key."""
    categories, targets, types = _service_statements()
    with db.engine.connect() as connection:
        here = {"community_id": place.id}
        return (tuple(map(tuple, connection.execute(categories, here))),
                tuple(map(tuple, connection.execute(targets, here))),
                tuple(map(tuple, connection.execute(types, here))))


def service_list(place: Jurisdiction, locale: str, rows: tuple | None = None) -> list[dict]:
    categories, target_rows, types = rows or service_rows(place)
    zh = locale.startswith("zh")
    own_targets: dict[int, dict[str, int]] = defaultdict(dict)
    for category_id, milestone, minutes in target_rows:
        own_targets[category_id][milestone] = minutes
    services = []
    for code, name_zh, name_en, is_major, cat_id, metadata in categories:
        name = name_zh if zh else name_en
        notice = service_notice(is_major, sla.merged_targets(is_major,
                                                             own_targets.get(cat_id, {})))
        services.append({
            "service_code": code,
            "service_name": name,
            "description": (_("Report a problem: %(name)s (major job).", name=name)
                            if is_major else _("Report a problem: %(name)s.", name=name))
            + " " + notice,
            "metadata": bool(metadata),
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys([name_zh, name_en, code])),
            "group": _("Report a problem"),
        })
    group = _("Bookable services (information only)")
    for sid, name_zh, name_en, desc_zh, desc_en, cat_zh, cat_en in types:
        text = (desc_zh if zh else desc_en) or ""
        services.append({
            "service_code": f"{BOOKING_PREFIX}{sid}",
            "service_name": name_zh if zh else name_en,
            "description": (text + " " if text else "")
            + _("Information only: residents book it from the code at their door, not "
                "through this API."),
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join(dict.fromkeys([name_zh, name_en, cat_zh, cat_en])),
            "group": group,
        })
    return services


def find_service(code: str | None, place: Jurisdiction | None = None):
    """The active category, or bookable service type, that service_code names (404 if none)."""
    code = (code or "").strip()
    if not code:
        raise _err(400, _("service_code was not provided."))
    if code.startswith(BOOKING_PREFIX) and WHOLE.fullmatch(code[len(BOOKING_PREFIX):]):
        service = db.session.get(ServiceType, int(code[len(BOOKING_PREFIX):]))
        if service is not None and service.active and \
                (place is None or service.category.community_id == place.id):
            return service
    else:
        category = db.session.scalar(select(Category).where(Category.code == code,
                                                            Category.active))
        if category is not None:
            return category
    raise _err(404, _("service_code %(code)s was not found.", code=code[:60]))


def attribute_dict(question: CategoryQuestion, locale: str) -> dict:
    found = {
        "variable": question.variable,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": question.datatype_description(locale),
        "order": question.sort_order,
        "description": question.description(locale),
    }
    if question.values:
        found["values"] = [{"key": k, "name": n} for k, n in question.options(locale)]
    return found


def service_definition(service, locale: str, place: Jurisdiction | None = None) -> dict:
    """Without a jurisdiction (more than one community), the shared questions only."""
    if isinstance(service, ServiceType):
        return {"service_code": f"{BOOKING_PREFIX}{service.id}", "attributes": []}
    asked = questions.questions_of(service.id, place.id if place else None)
    return {"service_code": service.code,
            "attributes": [attribute_dict(q, locale) for q in asked]}


# --- where: address_id, address_string, lat/long -------------------------------------------

def locate(form: MultiDict, community_id: int) -> addresses.Location:
    """The place a request is for, from address_id (a code token, or E<entrance id>,
    B<building id> or a bare entrance id), else address_string, else lat/long."""
    address_id = (form.get("address_id") or "").strip()
    address = (form.get("address_string") or "").strip()
    lat, lng = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    if address_id:
        try:
            found = addresses.by_address_id(address_id, community_id)
        except addresses.CodeReplaced:
            raise _err(400, _("address_id %(id)s is a code that was replaced; use the new code "
                              "on the door.", id=address_id[:40])) from None
        if found is None:
            raise _err(400, _("address_id %(id)s was not found in this jurisdiction.",
                              id=address_id[:40]))
        return found
    if address:
        found = addresses.match_address(address, community_id)
        if found is not None:
            return found
        if not (lat or lng):
            raise _err(400, _("address_string “%(address)s” does not name a building of this "
                              "community: give compound, building and, if you like, entrance, "
                              "as on the code at the door (e.g. 微波宿舍 1号楼 2单元).",
                              address=address[:80]))
    if lat or lng:
        return _by_coordinates(lat, lng, community_id)
    raise _err(400, _("A location is required: address_id, address_string or lat and long."))


def _by_coordinates(lat_text: str, lng_text: str, community_id: int) -> addresses.Location:
    try:
        lat, lng = float(lat_text), float(lng_text)
    except ValueError as error:
        raise _err(400, _("lat and long must both be given, as decimal degrees.")) from error
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat + lng):
        raise _err(400, _("lat and long are out of range."))
    found = addresses.near(lat, lng, community_id)
    if found is None:
        raise _err(400, _("No building of this community within %(m)d m of lat/long; give "
                          "address_id or address_string instead.", m=NEAR_METRES))
    return found


# --- filing a request ----------------------------------------------------------------------

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")
URL = re.compile(r"^https?://[^\s<>\"]{3,2000}$", re.IGNORECASE)


def attribute_values(form: MultiDict, code: str) -> list[str]:
    """attribute[code]=v, or attribute[code][]=v1&attribute[code][]=v2 for a multi-value list."""
    return form.getlist(f"attribute[{code}]") + form.getlist(f"attribute[{code}][]")


def _longer_than(name: str, limit: int) -> Open311Error:
    return _err(400, _("%(field)s is longer than %(max)d characters.", field=name, max=limit))


def _optional(form: MultiDict, name: str) -> str | None:
    """A parameter kept as sent, in the Open311Request column of its name."""
    value = plain(form.get(name) or "").strip()
    limit = max_length(getattr(Open311Request, name))
    if len(value) > limit:
        raise _longer_than(name, limit)
    return value or None


@dataclass(frozen=True)
class Filed:
    service_request_id: str
    token: str
    service_notice: str
    account_id: str | None


def file_request(form: MultiDict, key: ApiKey, upload_folder, secret: str) -> Filed:
    """POST requests: check everything first (every problem is listed), then file the report
    through the same workflow as a scanned one."""
    every = jurisdictions()
    place = jurisdiction(form.get("jurisdiction_id"), required=False, every=every)
    if place is not None and place.id != key.community_id:
        raise Open311Error(403, _("This api_key is not for jurisdiction_id %(code)s.",
                                  code=place.code))
    service = find_service(form.get("service_code"))
    if isinstance(service, ServiceType):
        raise _err(400, _("service_code %(code)s is a bookable service: residents book it "
                          "from the code at their door; it cannot be requested here.",
                          code=form.get("service_code")))
    community = next(j for j in every if j.id == key.community_id)

    problems: list[str] = []
    location = None
    try:
        location = locate(form, community.id)
    except Open311Error as error:
        problems += [d for _c, d in error.errors]
    asked = questions.questions_of(service.id, community.id)
    answers, wrong = questions.check_answers(
        asked, lambda q: attribute_values(form, q.code), community.timezone)
    by_id = {q.id: q for q in asked}
    problems += [f"attribute[{by_id[qid].code}]: {text}" for qid, text in wrong.items()]

    contact = {}
    for check in (_description, _name, _phone, _email, _media):
        try:
            contact.update(check(form))
        except Open311Error as error:
            problems += [d for _c, d in error.errors]
    try:
        extra = {name: _optional(form, name) for name in ("account_id", "device_id")}
        address_string = _optional(form, "address_string")
    except Open311Error as error:
        problems += [d for _c, d in error.errors]
    if problems:
        raise Open311Error(400, *problems)

    draft = workflow.ReportDraft(
        submission_key=new_submission_key(), category_id=service.id,
        description=contact["description"], contact_name=contact["name"],
        contact_phone=contact["phone"], channel="open311", answers=tuple(answers))

    token = new_request_token()
    notice = notice_for(service, community.id)
    numbers = []

    def note_the_client(report):
        key.last_used_at = report.created_at
        numbers.append(report.number)
        db.session.add(Open311Request(
            report=report, api_key=key, token=token, email=contact["email"],
            media_url=contact["media_url"], address_string=address_string, **extra))

    workflow.submit_report(
        location.qr, draft, (), upload_folder, building=location.building,
        entrance_id=location.entrance_id,
        on_created=note_the_client, secret=secret)
    return Filed(numbers[0], token, notice, extra["account_id"])


def _description(form):
    text = plain(form.get("description") or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise _err(400, _("description is longer than %(max)d characters.",
                          max=DESCRIPTION_MAX))
    return {"description": text}


def _name(form):
    name = " ".join(p for p in (plain(form.get("first_name") or "").strip(),
                                plain(form.get("last_name") or "").strip()) if p)
    limit = max_length(Report.contact_name)
    if len(name) > limit:
        raise _err(400, _("first_name and last_name together are longer than %(max)d "
                          "characters.", max=limit))
    return {"name": name or None}


def _phone(form):
    raw = plain(form.get("phone") or "").strip()
    # Checked before any parsing: whatever the number, more than the column holds is
    # refused, never cut to fit.
    if len(raw) > max_length(Report.contact_phone):
        raise _longer_than("phone", max_length(Report.contact_phone))
    try:  # a number from abroad has its +country code
        return {"phone": normalise_phone(raw)}
    except InvalidPhone as invalid:
        raise _err(400, _("phone: %(problem)s", problem=str(invalid))) from None


def _email(form):
    email = plain(form.get("email") or "").strip()
    if len(email) > max_length(Open311Request.email):
        raise _longer_than("email", max_length(Open311Request.email))
    if email and not EMAIL.match(email):
        raise _err(400, _("email is not an e-mail address."))
    return {"email": email or None}


def _media(form):
    url = plain(form.get("media_url") or "").strip()
    if url and not URL.match(url):
        raise _err(400, _("media_url must be an http or https URL."))
    return {"media_url": url or None}


# --- reading requests ----------------------------------------------------------------------

@dataclass
class RequestQuery:
    ids: list[str]
    service_codes: list[str]
    start: datetime
    end: datetime
    statuses: set[str]
    page: int
    page_size: int


def _w3c_arg(value: str, name: str, timezone: str) -> datetime:
    try:
        return questions.parse_w3c(value, timezone).astimezone(UTC)
    except ValueError:
        raise _err(400, _("%(name)s must be a W3C date and time such as "
                          "2026-11-01T00:00:00Z.", name=name)) from None


def _listed(args, name: str) -> list[str]:
    values = []
    for raw in args.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    return values


def parse_query(args: MultiDict, timezone: str, now: datetime | None = None) -> RequestQuery:
    now = now or utcnow()
    problems = []
    ids = _listed(args, "service_request_id")[:PAGE_SIZE_MAX]
    start = end = None
    try:
        if args.get("start_date"):
            start = _w3c_arg(args["start_date"], "start_date", timezone)
        if args.get("end_date"):
            end = _w3c_arg(args["end_date"], "end_date", timezone)
    except Open311Error as error:
        problems += [d for _c, d in error.errors]
    if start is None and end is None:
        start, end = now - MAX_SPAN, now
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = min(start + MAX_SPAN, max(now, start))
    if end < start:
        problems.append(_("end_date is before start_date."))
    elif end - start > MAX_SPAN and not ids:
        problems.append(_("start_date and end_date may not span more than 90 days."))
    statuses = set(_listed(args, "status"))
    if statuses - {"open", "closed"}:
        problems.append(_("status is open or closed."))
    page, page_size = args.get("page", "1"), args.get("page_size", str(PAGE_SIZE))
    if not WHOLE.fullmatch(page) or int(page) < 1:
        problems.append(_("page is a whole number from 1."))
    if not WHOLE.fullmatch(page_size) or not 1 <= int(page_size) <= PAGE_SIZE_MAX:
        problems.append(_("page_size is a whole number from 1 to %(max)d.", max=PAGE_SIZE_MAX))
    if problems:
        raise Open311Error(400, *problems)
    return RequestQuery(ids, _listed(args, "service_code"), start, end, statuses,
                        int(page), int(page_size))


def _request_columns():
    return (Report.id, Report.number, Report.status, Report.description, Report.created_at,
            Report.updated_at, Report.hidden_from_board, Report.photos_public,
            Report.building_id, Report.entrance_id, Report.category_id,
            Report.contact_name, Report.contact_phone, Report.floor_room,
            Category.code, Category.name_zh, Category.name_en, Category.is_major,
            Building.name, Building.latitude, Building.longitude, Compound.name,
            Community.name, Community.timezone, Organization.name, Report.community_id,
            category_settings.report_is_private().label("is_private"), Community.hotline,
            Community.hotline_24h)


def _request_select():
    return (select(*_request_columns())
            .join(Category, Report.category_id == Category.id)
            .join(Building, Report.building_id == Building.id)
            .join(Compound, Report.compound_id == Compound.id)
            .join(Community, Report.community_id == Community.id)
            .outerjoin(Organization, Report.assigned_org_id == Organization.id))


@lru_cache(maxsize=64)
def _list_statement(by_place: bool, by_ids: bool, by_codes: bool, status: str | None):
    """The listing's statement for one shape of query, built once; values are parameters."""
    statement = _request_select()
    if by_place:
        statement = statement.where(Report.community_id == bindparam("community_id"))
    if by_ids:
        statement = statement.where(Report.number.in_(bindparam("ids", expanding=True)))
    else:
        statement = statement.where(Report.created_at >= bindparam("start"),
                                    Report.created_at <= bindparam("end"))
        if by_codes:
            statement = statement.where(Category.code.in_(bindparam("codes", expanding=True)))
        if status == "open":
            statement = statement.where(Report.status.in_(OPEN_STATUSES))
        elif status == "closed":
            statement = statement.where(Report.status.not_in(OPEN_STATUSES))
    return statement.order_by(Report.created_at.desc(), Report.id.desc()) \
        .limit(bindparam("limit")).offset(bindparam("offset"))


def list_requests(place: Jurisdiction | None, query: RequestQuery, locale: str,
                  media_url_for) -> list[dict]:
    """GET requests: one page, newest first, on one plain connection (no ORM session)."""
    status = next(iter(query.statuses)) if len(query.statuses) == 1 else None
    statement = _list_statement(place is not None, bool(query.ids),
                                bool(query.service_codes) and not query.ids, status)
    params = {"limit": query.page_size, "offset": (query.page - 1) * query.page_size}
    if place is not None:
        params["community_id"] = place.id
    if query.ids:
        params["ids"] = query.ids
    else:
        params.update(start=query.start, end=query.end)
        if query.service_codes:
            params["codes"] = query.service_codes
    with db.engine.connect() as connection:
        rows = connection.execute(statement, params).all()
        return request_dicts(connection, rows, locale, media_url_for)


def get_request(number: str, place: Jurisdiction | None, locale: str, media_url_for
                ) -> list[dict]:
    statement = _list_statement(place is not None, True, False, None)
    params = {"ids": [number], "limit": 1, "offset": 0}
    if place is not None:
        params["community_id"] = place.id
    with db.engine.connect() as connection:
        rows = connection.execute(statement, params).all()
        return request_dicts(connection, rows, locale, media_url_for)


@lru_cache(maxsize=1)
def _page_statements():
    """The four small queries of a page (status notes, running clocks, first photos, media
    links sent with the request), built once."""
    ids = bindparam("ids", expanding=True)
    return (
        select(ReportEvent.report_id, ReportEvent.kind, ReportEvent.note)
        .where(ReportEvent.report_id.in_(ids), ReportEvent.is_public,
               ReportEvent.actor_kind == workflow.STAFF,
               ReportEvent.kind.in_(STATUS_NOTE_KINDS), ReportEvent.note.is_not(None))
        .order_by(ReportEvent.id),
        select(ReportMilestone.report_id, ReportMilestone.name, ReportMilestone.due_at)
        .where(ReportMilestone.report_id.in_(ids), ReportMilestone.met_at.is_(None),
               ReportMilestone.cancelled_at.is_(None)),
        select(ReportPhoto.report_id, func.min(ReportPhoto.id))
        .where(ReportPhoto.report_id.in_(ids)).group_by(ReportPhoto.report_id),
        select(Open311Request.report_id, Open311Request.media_url)
        .where(Open311Request.report_id.in_(ids), Open311Request.media_url.is_not(None)),
        select(SlaTarget.community_id, SlaTarget.category_id, SlaTarget.milestone,
               SlaTarget.minutes).order_by(SlaTarget.community_id.is_not(None), SlaTarget.id),
    )


def request_dicts(connection, rows, locale: str, media_url_for) -> list[dict]:
    """The spec's fields for each report row, with four more small queries for the whole page
    (status notes, open clocks, Open311 details, photos) whatever its length."""
    if not rows:
        return []
    zh = locale.startswith("zh")
    ids = [row[0] for row in rows]
    notes_q, clocks_q, photos_q, media_q, targets_q = _page_statements()
    notes = {}
    for report_id, kind, note in connection.execute(notes_q, {"ids": ids}):  # latest wins
        notes[report_id] = kind, note
    clocks = defaultdict(list)
    for report_id, name, due_at in connection.execute(clocks_q, {"ids": ids}):
        clocks[report_id].append((name, due_at))
    # Words and photos of a report hidden from the board or of a private category stay
    # out; the report itself is still listed, so counts still count it.
    withheld = {row.id for row in rows if row.hidden_from_board or row.is_private}
    public_ids = [row.id for row in rows if row.photos_public and row.id not in withheld]
    photos = dict(connection.execute(photos_q, {"ids": public_ids}).all()) \
        if public_ids else {}
    external = dict(connection.execute(media_q, {"ids": public_ids}).all()) \
        if public_ids else {}
    shared: dict[int, dict[str, int]] = defaultdict(dict)
    own: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for community_id, category_id, milestone, minutes in connection.execute(targets_q):
        if community_id is None:
            shared[category_id][milestone] = minutes
        else:
            own[community_id, category_id][milestone] = minutes
    per_category = {}  # targets and notice: the same for every report of a category here

    found = []
    for (report_id, number, status, description, created_at, updated_at, _hidden, _public,
         building_id, entrance_id, category_id, name, phone, room, code, cat_zh, cat_en,
         is_major, building, lat, lng, compound, community, timezone, org,
         community_id, _private, *hotlines) in rows:
        if (community_id, category_id) not in per_category:
            targets = sla.merged_targets(is_major, shared.get(category_id, {}),
                                         own.get((community_id, category_id), {}))
            per_category[community_id, category_id] = targets, service_notice(is_major, targets)
        targets, notice = per_category[community_id, category_id]
        is_open = status in OPEN_STATUSES
        photo = photos.get(report_id)
        found.append({
            "service_request_id": number,
            "status": "open" if is_open else "closed",
            "status_notes": None if report_id in withheld else
            _status_note(*notes.get(report_id, (None, None)), [name, phone, room], hotlines),
            "service_name": cat_zh if zh else cat_en,
            "service_code": code,
            "description": None if report_id in withheld else
            mask(description, [name, phone, room], hotlines) or None,
            "agency_responsible": org,
            "service_notice": notice,
            "requested_datetime": w3c(created_at, timezone),
            "updated_datetime": w3c(updated_at, timezone),
            "expected_datetime": w3c(sla.expected_by(clocks.get(report_id, []), is_major, targets),
                                     timezone) if is_open else None,
            "address": ", ".join([building, compound, community]),
            "address_id": addresses.address_id_of(building_id, entrance_id),
            "lat": lat,
            "long": lng,
            "media_url": media_url_for(photo) if photo else external.get(report_id),
        })
    return found


def _status_note(kind: str | None, note: str | None, own: list, hotlines) -> str | None:
    """The latest public staff note, masked like the description: staff write word for word
    what residents told them."""
    if kind == "duplicate":
        return _("Duplicate of request %(id)s.", id=note)
    return mask(note, own, hotlines)


def token_lookup(token: str, place: Jurisdiction | None) -> dict:
    statement = (select(Open311Request.token, Report.number)
                 .join(Report, Open311Request.report_id == Report.id)
                 .where(Open311Request.token == token))
    if place is not None:
        statement = statement.where(Report.community_id == place.id)
    row = db.session.execute(statement).first()
    if row is None:
        raise _err(404, _("token %(token)s was not found.", token=token[:40]))
    return {"service_request_id": row[1], "token": row[0]}


def public_photo(photo_id: int) -> ReportPhoto | None:
    """A photo staff published (and did not hide from the board), of a category that is not
    private, else None."""
    return db.session.scalar(
        select(ReportPhoto).join(Report, ReportPhoto.report_id == Report.id)
        .join(Category, Report.category_id == Category.id)
        .where(ReportPhoto.id == photo_id, Report.photos_public,
               Report.hidden_from_board.is_(False), ~category_settings.report_is_private()))


def open311_details(report_id: int) -> Open311Request | None:
    return db.session.scalar(select(Open311Request).where(Open311Request.report_id == report_id))
