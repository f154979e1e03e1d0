"""The Open311 GeoReport v2 API (/open311/v2/…) and its page for developers (/open311)."""

from flask import Blueprint

from webapp.extensions import csrf

bp = Blueprint("open311", __name__)
# Other applications post here with an api_key, not from our forms: no CSRF token.
csrf.exempt(bp)

from webapp.open311 import views  # noqa: E402,F401
