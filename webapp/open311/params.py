"""Reading the parameters of a call: the form of a POST request (where, answers to the
service's questions as attribute[code] or attribute[code][], the resident's contact) and the
query of GET requests (ids, dates, status, pages). The rules they feed are the domain's;
what is read here is the spec's parameter names, and every refusal is a 400 that names them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from webapp.domain.places import addresses
from webapp.domain.reports import questions
from webapp.domain.shared.phones import InvalidPhone, normalise_phone
from webapp.inputs import LARGEST_ID, whole_number
from webapp.models import Category, Open311Request, Report
from webapp.models.text import max_length, plain
from webapp.models.types import utcnow
from webapp.open311.errors import Open311Error, bad, descriptions
from webapp.open311.jurisdictions import Jurisdiction

DESCRIPTION_MAX = 4000  # the spec's limit
MAX_SPAN = timedelta(days=90)
PAGE_SIZE, PAGE_SIZE_MAX = 100, 1000
PAGE_MAX = 999_999


def whole(value: str, *, smallest: int = 0, largest: int = LARGEST_ID) -> int | None:
    """A whole number as sent: the app's one parser (webapp.inputs), except that a value with
    spaces around it is not taken (a parameter is read as sent, never trimmed to fit)."""
    if value != value.strip():
        return None
    return whole_number(value, smallest=smallest, largest=largest)


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
            raise bad(_("address_id %(id)s is a code that was replaced; use the new code "
                        "on the door.", id=address_id[:40])) from None
        if found is None:
            raise bad(_("address_id %(id)s was not found in this jurisdiction.",
                        id=address_id[:40]))
        return found
    if address:
        found = addresses.match_address(address, community_id)
        if found is not None:
            return found
        if not (lat or lng):
            raise bad(_("address_string “%(address)s” does not name a building of this "
                        "community: give compound, building and, if you like, entrance, "
                        "as on the code at the door (e.g. 微波宿舍 1号楼 2单元).",
                        address=address[:80]))
    if lat or lng:
        return _by_coordinates(lat, lng, community_id)
    raise bad(_("A location is required: address_id, address_string or lat and long."))


def _by_coordinates(lat_text: str, lng_text: str, community_id: int) -> addresses.Location:
    try:
        lat, lng = float(lat_text), float(lng_text)
    except ValueError as error:
        raise bad(_("lat and long must both be given, as decimal degrees.")) from error
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat + lng):
        raise bad(_("lat and long are out of range."))
    found = addresses.near(lat, lng, community_id)
    if found is None:
        raise bad(_("No building of this community within %(m)d m of lat/long; give "
                    "address_id or address_string instead.", m=addresses.NEAR_METRES))
    return found


# --- POST requests ----------------------------------------------------------------------

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")
URL = re.compile(r"^https?://[^\s<>\"]{3,2000}$", re.IGNORECASE)


def attribute_values(form: MultiDict, code: str) -> list[str]:
    """attribute[code]=v, or attribute[code][]=v1&attribute[code][]=v2 for a multi-value list."""
    return form.getlist(f"attribute[{code}]") + form.getlist(f"attribute[{code}][]")


def _longer_than(name: str, limit: int) -> Open311Error:
    return bad(_("%(field)s is longer than %(max)d characters.", field=name, max=limit))


def _optional(form: MultiDict, name: str) -> str | None:
    """A parameter kept as sent, in the Open311Request column of its name."""
    value = plain(form.get(name) or "").strip()
    limit = max_length(getattr(Open311Request, name))
    if len(value) > limit:
        raise _longer_than(name, limit)
    return value or None


@dataclass(frozen=True)
class Posted:
    """A POST request's parameters, checked: where, the answers, and what the client sent
    about the resident and itself."""
    location: addresses.Location
    answers: tuple
    description: str
    name: str | None
    phone: str | None
    email: str | None
    media_url: str | None
    account_id: str | None
    device_id: str | None
    address_string: str | None


def read_post(form: MultiDict, category: Category, community: Jurisdiction) -> Posted:
    """Every parameter of a POST request checked, every problem listed in one answer."""
    problems: list[str] = []
    location = None
    try:
        location = locate(form, community.id)
    except Open311Error as error:
        problems += descriptions(error)
    asked = questions.questions_of(category.id, community.id)
    answers, wrong = questions.check_answers(
        asked, lambda q: attribute_values(form, q.code), community.timezone)
    by_id = {q.id: q for q in asked}
    problems += [f"attribute[{by_id[qid].code}]: {text}" for qid, text in wrong.items()]

    contact = {}
    for check in (_description, _name, _phone, _email, _media):
        try:
            contact.update(check(form))
        except Open311Error as error:
            problems += descriptions(error)
    try:
        extra = {name: _optional(form, name) for name in ("account_id", "device_id")}
        address_string = _optional(form, "address_string")
    except Open311Error as error:
        problems += descriptions(error)
    if problems:
        raise Open311Error(400, *problems)
    return Posted(location, tuple(answers), address_string=address_string, **contact, **extra)


def _description(form):
    text = plain(form.get("description") or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise bad(_("description is longer than %(max)d characters.",
                    max=DESCRIPTION_MAX))
    return {"description": text}


def _name(form):
    name = " ".join(p for p in (plain(form.get("first_name") or "").strip(),
                                plain(form.get("last_name") or "").strip()) if p)
    limit = max_length(Report.contact_name)
    if len(name) > limit:
        raise bad(_("first_name and last_name together are longer than %(max)d "
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
        raise bad(_("phone: %(problem)s", problem=str(invalid))) from None


def _email(form):
    email = plain(form.get("email") or "").strip()
    if len(email) > max_length(Open311Request.email):
        raise _longer_than("email", max_length(Open311Request.email))
    if email and not EMAIL.match(email):
        raise bad(_("email is not an e-mail address."))
    return {"email": email or None}


def _media(form):
    url = plain(form.get("media_url") or "").strip()
    if url and not URL.match(url):
        raise bad(_("media_url must be an http or https URL."))
    return {"media_url": url or None}


# --- GET requests -----------------------------------------------------------------------

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
        raise bad(_("%(name)s must be a W3C date and time such as "
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
        problems += descriptions(error)
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
    page = whole(args.get("page", "1"), smallest=1, largest=PAGE_MAX)
    page_size = whole(args.get("page_size", str(PAGE_SIZE)), smallest=1,
                      largest=PAGE_SIZE_MAX)
    if page is None:
        problems.append(_("page is a whole number from 1."))
    if page_size is None:
        problems.append(_("page_size is a whole number from 1 to %(max)d.", max=PAGE_SIZE_MAX))
    if problems:
        raise Open311Error(400, *problems)
    return RequestQuery(ids, _listed(args, "service_code"), start, end, statuses,
                        page, page_size)
