"""Security headers on every response, cookie flags, and the reverse-proxy setting.

The pages carry no inline script or style, so the policy can be 'self' only. Photos chosen
for a report are previewed from blob: URLs made in the page itself."""

from flask import abort, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"


# The headers every response carries unless its view set its own. Added in one pass over
# the response's header names: five Headers.setdefault calls cost more than a small view.
SECURITY_HEADERS = tuple((name.lower(), name, value) for name, value in (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # Tracking and booking links are private: never send them to another site.
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "geolocation=(), microphone=(), payment=()"),
))


def add_security_headers(response):
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for low, name, value in SECURITY_HEADERS
                    if low not in present])
    if request.is_secure and "strict-transport-security" not in present:
        headers["Strict-Transport-Security"] = HSTS
    return response


def refuse_malformed_requests():
    """Before anything reads the request (CSRF protection included):
    - a NUL in the path names nothing here, and PostgreSQL refuses it in a query, so it is
      a 404 rather than a 500;
    - a multipart part without a usable name is no form field any browser sends."""
    if "\x00" in request.path:
        abort(404)
    if request.mimetype == "multipart/form-data" and (None in request.form or
                                                       None in request.files):
        abort(400)


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per set of keys: Flask
    builds it afresh for every request, cookie or not, which costs a trivial route a tenth
    of its time. Rotating SECRET_KEY (or its fallbacks) builds a new one."""

    def __init__(self):
        self._signer = (None, None)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._signer[0] != keys:
            self._signer = (keys, super().get_signing_serializer(app))
        return self._signer[1]


def init_app(app) -> None:
    app.session_interface = SignedCookieSessions()
    config = app.config
    # Cookies are Secure when the site is served over TLS (its BASE_URL says https).
    served_over_tls = config["BASE_URL"].startswith("https://")
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(name) is None:
            config[name] = served_over_tls
    config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")

    hops = {key: int(config[f"PROXY_FIX_{key.upper()}"]) for key in ("x_for", "x_proto", "x_host")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)

    app.before_request(refuse_malformed_requests)
    app.after_request(add_security_headers)
