"""The bell of staff users and volunteers (their notifications, live on every staff page) and
their notification settings."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from webapp.notifications import views  # noqa: E402,F401
