from flask import Blueprint

bp = Blueprint("resident", __name__)

from webapp.resident import (  # noqa: E402,F401
    booking_views,
    consultation_views,
    following_views,
    views,
)
