from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.admin import api_keys, logins, places, services, views  # noqa: E402,F401
