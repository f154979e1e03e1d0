"""Who may keep a copy of an answer.

Public pages that are the same for every visitor of their URL and language (the scan page, the
board, Open311 reads) are marked `@shared`. A shared cache (nginx's micro-cache, a CDN) may keep
their answers SHARED_CACHE_SECONDS (`s-maxage`) and a browser asks again each time
(`max-age=0`), cheaply with the ETag (304), but only answers to a request that carried nothing
of anyone: no session or remember cookie (so no login, no waiting message, no form's token) and
no api_key, and that set no cookie. A request with a session still gets the public page, which
no shared cache may keep (`no-cache`); one that showed a message or named a key gets its own
(`private`).

Whatever a logged-in user is shown is theirs: `private, no-store`, unless the view lets their
own browser keep it a while (`private, max-age=…`, e.g. a report's photo)."""

import hashlib
from functools import wraps
from typing import NamedTuple

from flask import current_app, g, make_response, request, session

PRIVATE = "private, no-store"
OWN = "private, no-cache"  # this visitor's browser may keep it, and asks again each time
# What a page of the same URL may differ by: the language (cookie, else Accept-Language);
# Flask-Compress adds Accept-Encoding.
VARY = ("Accept-Language", "Cookie")
# A request that may be answered 304 Not Modified carries one of these.
CONDITIONAL = frozenset(("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"))


def personal_cookies() -> tuple[str, str]:
    """The cookies that make a request someone's: the session (login, flash messages, a form's
    CSRF token) and Flask-Login's remember cookie. nginx's config names the same two."""
    config = current_app.config
    return config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", "remember_token")


class Rendered(NamedTuple):
    """A page as sent: its encoded body and its ETag."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, html: str) -> "Rendered":
        body = html.encode()
        return cls(body, hashlib.blake2b(body, digest_size=12).hexdigest())

    def response(self):
        response = current_app.response_class(self.body, mimetype="text/html")
        response.set_etag(self.etag)
        return response


def kept(kind: str, key, render, size: int) -> Rendered:
    """A public page kept rendered in this worker: rendered once per `key` (all that the
    page shows depends on), with at most `size` kept of this `kind` (all dropped when full)."""
    pages = current_app.extensions.setdefault(kind, {})
    page = pages.get(key)
    if page is None:
        if len(pages) >= size:
            pages.clear()
        page = pages[key] = Rendered.of(render())
    return page


def message_waiting() -> bool:
    """A flashed message waits in this visitor's session: the next page shows it, so that page
    is theirs and may not be kept or reused for anyone else."""
    return "_flashes" in session


def public_page_control() -> str:
    if session.modified or "api_key" in request.args:  # a message shown; a client's own key
        return OWN
    if any(name in request.cookies for name in personal_cookies()):
        # The public page (logged-in users are answered PRIVATE below), but what answers a
        # request with a session is no shared cache's to keep.
        return "no-cache"
    return f"public, max-age=0, s-maxage={current_app.config['SHARED_CACHE_SECONDS']}"


def shared(view):
    """A public page whose 200 answers a shared cache may keep (see the module's note)."""
    @wraps(view)
    def answer(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200 or request.method not in ("GET", "HEAD"):
            return response
        response.vary.update(VARY)
        if not response.get_etag()[0]:
            response.add_etag()
        response.headers["Cache-Control"] = public_page_control()
        if CONDITIONAL.isdisjoint(request.environ):  # nothing to compare: werkzeug's look costs
            return response                           # a tenth of a kept page
        return response.make_conditional(request)
    return answer


def keep_personal_private(response):
    """After every view: a logged-in user's page is never stored, and nothing that carries or
    sets a cookie is left marked for a shared cache."""
    user = g.get("_login_user")  # set only if something asked who is logged in
    if user is not None and user.is_authenticated:
        control = response.cache_control
        if not (control.private and control.max_age):
            response.headers["Cache-Control"] = PRIVATE
    elif "s-maxage" in response.headers.get("Cache-Control", "") and \
            (session.modified or "Set-Cookie" in response.headers):
        response.headers["Cache-Control"] = OWN
    return response


def init_app(app) -> None:
    app.after_request(keep_personal_private)
