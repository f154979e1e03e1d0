"""Service requests: filing one (POST requests), reading a page of them or one (GET), and
finding one by the token its client was given. A request is a report; what is told about it
never includes the resident's name, phone or room (domain/reports/privacy.py masks the words)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, literal, null, select, type_coerce, union_all
from werkzeug.datastructures import MultiDict

from webapp.domain.people import api_clients
from webapp.domain.places import addresses
from webapp.domain.reports import category_settings, intake, sla, timeline
from webapp.domain.reports.calendar import WorkCalendar
from webapp.domain.reports.privacy import mask
from webapp.domain.shared.tokens import new_request_token, new_submission_key
from webapp.extensions import db
from webapp.models import (
    OPEN_STATUSES,
    ApiKey,
    Building,
    Category,
    Community,
    Compound,
    Open311Request,
    Organization,
    Report,
    ReportEvent,
    ReportMilestone,
    ReportPhoto,
    ServiceType,
    SlaTarget,
)
from webapp.open311.catalogue import find_service, notice_for, service_notice
from webapp.open311.errors import Open311Error, bad
from webapp.open311.jurisdictions import Jurisdiction, jurisdiction, w3c
from webapp.open311.params import RequestQuery, read_post

# Staff-written public notes that explain a status (resident-written notes never are).
STATUS_NOTE_KINDS = ("reply", "resolved", "rejected", "needs_consultation", "duplicate")


# --- POST requests -------------------------------------------------------------------------

def check_key(raw: str | None) -> ApiKey:
    if not raw:
        raise Open311Error(403, _("api_key was not provided -- can't proceed with "
                                  "create_request."))
    key = api_clients.key_for(raw)
    if key is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed with "
                                  "create_request."))
    return key


@dataclass(frozen=True)
class Filed:
    service_request_id: str
    token: str
    service_notice: str
    account_id: str | None


def file_request(form: MultiDict, key: ApiKey, upload_folder, secret: str) -> Filed:
    """POST requests: check everything first (every problem is listed), then file the report
    through the same workflow as a scanned one."""
    community = Jurisdiction(key.community_id, key.community.code, key.community.name,
                             key.community.timezone, key.community.hotline)
    asked = (form.get("jurisdiction_id") or "").strip()
    if asked and asked != community.code:
        place = jurisdiction(asked, required=False)  # 404 for a code nobody has
        raise Open311Error(403, _("This api_key is not for jurisdiction_id %(code)s.",
                                  code=place.code))
    service = find_service(form.get("service_code"), community)
    if isinstance(service, ServiceType):
        raise bad(_("service_code %(code)s is a bookable service: residents book it "
                    "from the code at their door; it cannot be requested here.",
                    code=form.get("service_code")))
    posted = read_post(form, service, community)

    draft = intake.ReportDraft(
        submission_key=new_submission_key(), category_id=service.id,
        description=posted.description, contact_name=posted.name,
        contact_phone=posted.phone, channel="open311", answers=posted.answers)
    token = new_request_token()
    notice = notice_for(service, community.id)
    numbers = []

    def note_the_client(report):
        api_clients.note_use(key, report.created_at)
        numbers.append(report.number)
        db.session.add(Open311Request(
            report=report, api_key=key, token=token, email=posted.email,
            media_url=posted.media_url, address_string=posted.address_string,
            account_id=posted.account_id, device_id=posted.device_id))

    location = posted.location
    intake.submit_report(
        location.qr, draft, (), upload_folder, building=location.building,
        entrance_id=location.entrance_id, on_created=note_the_client, secret=secret,
        new_key=True, offered=service)
    return Filed(numbers[0], token, notice, posted.account_id)


# --- GET requests: a page of them, or one --------------------------------------------------

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
    """The small queries of a page (status notes with running clocks, first photos, media
    links sent with the request, the categories' targets), built once."""
    ids = bindparam("ids", expanding=True)
    # Status notes and running clocks in one round trip: (report, "note" or "clock", note's
    # kind or clock's name, note, due time, order), notes oldest first: the latest wins.
    notes = select(ReportEvent.report_id, literal("note").label("row"), ReportEvent.kind,
                   ReportEvent.note,
                   # typed, or the union's due times come back from SQLite as text
                   type_coerce(null(), ReportMilestone.due_at.type).label("due_at"),
                   ReportEvent.id.label("sort")) \
        .where(ReportEvent.report_id.in_(ids), ReportEvent.is_public,
               ReportEvent.actor_kind == timeline.STAFF,
               ReportEvent.kind.in_(STATUS_NOTE_KINDS), ReportEvent.note.is_not(None))
    # A clock that stands still (the report waits on residents or a department) says
    # nothing of when the work will be done.
    clocks = select(ReportMilestone.report_id, literal("clock"), ReportMilestone.name,
                    null(), ReportMilestone.due_at, ReportMilestone.id) \
        .where(ReportMilestone.report_id.in_(ids), ReportMilestone.met_at.is_(None),
               ReportMilestone.cancelled_at.is_(None), ReportMilestone.paused_at.is_(None))
    both = union_all(notes, clocks).subquery()
    return (
        select(both).order_by(both.c.row, both.c.sort),
        select(ReportPhoto.report_id, func.min(ReportPhoto.id))
        .where(ReportPhoto.report_id.in_(ids)).group_by(ReportPhoto.report_id),
        select(Open311Request.report_id, Open311Request.media_url)
        .where(Open311Request.report_id.in_(ids), Open311Request.media_url.is_not(None)),
        select(SlaTarget.community_id, SlaTarget.category_id, SlaTarget.milestone,
               SlaTarget.minutes)
        .where(SlaTarget.category_id.in_(bindparam("categories", expanding=True)))
        .order_by(SlaTarget.community_id.is_not(None), SlaTarget.id),
    )


def request_dicts(connection, rows, locale: str, media_url_for) -> list[dict]:
    """The spec's fields for each report row, with a few more small queries for the whole
    page (status notes, open clocks, Open311 details, photos, its categories' targets)
    whatever its length."""
    if not rows:
        return []
    zh = locale.startswith("zh")
    ids = [row[0] for row in rows]
    notes_and_clocks_q, photos_q, media_q, targets_q = _page_statements()
    notes, clocks = {}, defaultdict(list)
    for report_id, row, name, note, due_at, _sort in connection.execute(notes_and_clocks_q,
                                                                        {"ids": ids}):
        if row == "note":
            notes[report_id] = name, note  # the latest wins
        else:
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
    categories = sorted({row.category_id for row in rows})
    for community_id, category_id, milestone, minutes in connection.execute(
            targets_q, {"categories": categories}):
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
            "expected_datetime": w3c(sla.expected_by(clocks.get(report_id, []), is_major, targets,
                                                     WorkCalendar(timezone)),
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
        raise Open311Error(404, _("token %(token)s was not found.", token=token[:40]))
    return {"service_request_id": row[1], "token": row[0]}


def public_photo(photo_id: int) -> ReportPhoto | None:
    """A photo staff published (and did not hide from the board), of a category that is not
    private, else None."""
    return db.session.scalar(
        select(ReportPhoto).join(Report, ReportPhoto.report_id == Report.id)
        .join(Category, Report.category_id == Category.id)
        .where(ReportPhoto.id == photo_id, Report.photos_public,
               Report.hidden_from_board.is_(False), ~category_settings.report_is_private()))
