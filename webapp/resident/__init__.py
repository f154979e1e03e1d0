from flask import Blueprint

bp = Blueprint("resident", __name__)

from webapp.resident import booking_views, following_views, views  # noqa: E402,F401
