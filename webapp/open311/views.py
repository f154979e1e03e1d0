"""Open311 GeoReport v2 endpoints under /open311/v2/, each as .json and .xml, and the page for
developers at /open311. Each view reads its call and hands it to catalogue.py, params.py or
requests.py; the rules they use are the domain's."""

from contextlib import nullcontext

from flask import current_app, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from webapp import ratelimits
from webapp.access import api_client, public
from webapp.caching import shared
from webapp.domain import unit_of_work
from webapp.domain.places import addresses
from webapp.domain.shared import photos
from webapp.errors import clean_session
from webapp.i18n import chosen_language
from webapp.models.text import TextTooLong
from webapp.open311 import bp, catalogue, params
from webapp.open311 import requests as service_requests
from webapp.open311.errors import Open311Error, errors
from webapp.open311.formats import body_of, render, respond
from webapp.open311.jurisdictions import (
    changeset,
    jurisdiction,
    jurisdictions,
    named_or_anywhere,
)

V2 = "/open311/v2"
SERVICES_CACHE_SIZE = 64
EXT = "<any(json, xml):ext>"
LOCALES = {"en": "en", "zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "zh_hans": "zh_CN"}


def api_locale() -> str:
    """?locale=en|zh, else the Accept-Language (or language cookie), else Chinese."""
    asked = (request.args.get("locale") or "").strip().lower()
    return LOCALES.get(asked) or chosen_language()


def in_api_locale():
    """The API's language for what is built inside: forced only when ?locale= asks for
    another than the request's own (forcing costs more than a whole small answer)."""
    locale = api_locale()
    return (nullcontext() if locale == chosen_language() else force_locale(locale)), locale


def answer(ext: str, root: str, build, status: int = 200):
    """Build the data in the API's language and render it; errors in the spec's shape."""
    context, locale = in_api_locale()
    with context:
        data = build(locale)
    response = render(ext, root, data, status)
    response.vary.add("Accept-Language")
    return response


def request_ext() -> str:
    return (request.view_args or {}).get("ext") or "xml"


@bp.before_request
def refuse_nul():
    """A NUL character is in no valid value, and PostgreSQL refuses it in a query."""
    # A NUL in the path is refused before this, for the whole app (webapp/security.py).
    values = [v for vs in request.args.listvalues() for v in vs]
    if request.method == "POST":
        values += [v for vs in request.form.listvalues() for v in vs]
    if any("\x00" in value for value in values):
        raise Open311Error(400, _("A parameter contains a NUL character."))


@bp.after_request
def readable_from_other_sites(response):
    """Reading is public and needs no credentials: browser apps of other sites may read it."""
    if request.method == "GET" and request.path.startswith(V2 + "/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(Open311Error)
@clean_session
def open311_error(error: Open311Error):
    return errors(request_ext(), error.status, error.errors)


@bp.errorhandler(TextTooLong)
@clean_session
def text_too_long(error: TextTooLong):
    return errors(request_ext(), 400, [(400, str(error))])


# Each code by name as well: the app's own handlers for these codes would otherwise answer
# first, with an HTML page.
@bp.errorhandler(400)
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(413)
@bp.errorhandler(429)
@bp.errorhandler(HTTPException)
@clean_session
def http_error(error: HTTPException):
    """Rate limit, size limit, bad form: the spec's error list, not an HTML page."""
    context, _locale = in_api_locale()
    with context:
        descriptions = {
            429: _("Too many requests with this api_key; wait a minute and try again."),
            413: _("The request is too large."),
            404: _("Not found."),
        }
        text = descriptions.get(error.code, error.description or error.name)
    response = errors(request_ext(), error.code or 400, [(error.code or 400, text)])
    if error.code == 429:
        response.headers["Retry-After"] = "60"
    return response


# --- for developers ------------------------------------------------------------------------

@bp.get("/open311")
@public
@shared
def index():
    example = jurisdictions()
    return render_template("open311/index.html", jurisdictions=example,
                           base=url_for("open311.index", _external=True).rstrip("/") + "/v2",
                           page_size=params.PAGE_SIZE, page_size_max=params.PAGE_SIZE_MAX,
                           limit=ratelimits.describe("OPEN311_POST"),
                           near=addresses.NEAR_METRES)


@bp.get(f"{V2}/")
@public
def root():
    return redirect(url_for("open311.index"))


# --- GeoReport v2 --------------------------------------------------------------------------

@bp.get(f"{V2}/discovery.{EXT}")
@public
@shared
def discovery(ext):
    def build(locale):
        places = jurisdictions()
        changed = changeset()
        page = url_for("open311.index", _external=True)
        hotlines = "; ".join(f"{p.name} {p.hotline}" for p in places if p.hotline)
        return {
            "changeset": changed.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "contact": _("Community office: %(hotlines)s. Documentation: %(page)s",
                         hotlines=hotlines or "—", page=page),
            "key_service": _("Posting needs an api_key: ask the community office, which "
                             "issues one per client application. See %(page)s", page=page),
            "endpoints": [{
                "specification": catalogue.SPECIFICATION,
                "url": url_for("open311.root", _external=True).rstrip("/"),
                "changeset": changed.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }],
        }
    return answer(ext, "discovery", build)


@bp.get(f"{V2}/services.{EXT}")
@public
@shared
def services(ext):
    """The same for every client of a community and language: rendered once per version of
    its rows (the rows are the cache key, so any change renders it afresh)."""
    place = jurisdiction(request.args.get("jurisdiction_id"), required=True)
    rows = catalogue.service_rows(place)
    context, locale = in_api_locale()
    cache = current_app.extensions.setdefault("open311_services", {})
    key = (place, rows, locale, ext)
    if key not in cache:
        with context:
            body = body_of(ext, "services", catalogue.service_list(place, locale, rows))
        if len(cache) >= SERVICES_CACHE_SIZE:
            cache.clear()
        cache[key] = body
    response = respond(ext, cache[key])
    response.vary.add("Accept-Language")
    return response


@bp.get(f"{V2}/services/<service_code>.{EXT}")
@public
@shared
def service_definition(service_code, ext):
    place = jurisdiction(request.args.get("jurisdiction_id"), required=False)
    service = catalogue.find_service(service_code, place)
    return answer(ext, "service_definition",
                  lambda locale: catalogue.service_definition(service, locale, place))


def media_url(photo_id: int) -> str:
    return url_for("open311.media", photo_id=photo_id, _external=True)


@bp.get(f"{V2}/requests.{EXT}")
@public
@shared
def requests(ext):
    args = request.args
    place = jurisdiction(args.get("jurisdiction_id"),
                         required=not args.get("service_request_id"))
    query = params.parse_query(args, place.timezone if place else
                               current_app.config["DEFAULT_TIMEZONE"])

    def build(locale):
        return service_requests.list_requests(place, query, locale, media_url)
    response = answer(ext, "service_requests", build)
    response.headers["X-Page"] = str(query.page)
    response.headers["X-Page-Size"] = str(query.page_size)
    return response


@bp.post(f"{V2}/requests.{EXT}")
@api_client
@ratelimits.open311_post
def create_request(ext):
    form = request.form
    key = service_requests.check_key(form.get("api_key") or request.args.get("api_key"))
    context, _locale = in_api_locale()
    with context, unit_of_work():
        filed = service_requests.file_request(form, key, photos.upload_folder_for_reports(
            current_app.config["UPLOAD_FOLDER"]), current_app.config["SECRET_KEY"])
    response = render(ext, "service_requests", [{
        "service_request_id": filed.service_request_id,
        "service_notice": filed.service_notice,
        "account_id": filed.account_id,
    }])
    # Not in the body (the spec returns a token only instead of an id); for clients that
    # look requests up through tokens/<token>.
    response.headers["X-Open311-Token"] = filed.token
    response.headers["Location"] = url_for("open311.request_by_id",
                                           service_request_id=filed.service_request_id,
                                           ext=ext, _external=True)
    return response


@bp.get(f"{V2}/requests/<service_request_id>.{EXT}")
@public
@shared
def request_by_id(service_request_id, ext):
    place = named_or_anywhere(request.args.get("jurisdiction_id"))

    def build(locale):
        found = service_requests.get_request(service_request_id, place, locale, media_url)
        if not found:
            raise Open311Error(404, _("service_request_id %(id)s was not found.",
                                      id=service_request_id[:40]))
        return found
    return answer(ext, "service_requests", build)


@bp.get(f"{V2}/tokens/<token>.{EXT}")
@public
def token(token, ext):
    place = named_or_anywhere(request.args.get("jurisdiction_id"))
    return answer(ext, "service_requests",
                  lambda locale: [service_requests.token_lookup(token, place)])


@bp.get(f"{V2}/media/<int:photo_id>.jpg")
@public
def media(photo_id):
    """A report photo that staff published; anything else is not found."""
    photo = service_requests.public_photo(photo_id)
    path = photos.photo_path(photos.upload_folder_for_reports(
        current_app.config["UPLOAD_FOLDER"]), photo.stored_name) if photo else None
    if path is None or not path.is_file():
        raise Open311Error(404, "media not found")
    response = send_file(path, mimetype="image/jpeg", max_age=300)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
