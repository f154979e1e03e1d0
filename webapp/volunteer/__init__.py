from flask import Blueprint

bp = Blueprint("volunteer", __name__)

from webapp.volunteer import door, views  # noqa: E402,F401
