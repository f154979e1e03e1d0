from flask import Blueprint

bp = Blueprint("volunteer", __name__)

from webapp.volunteer import views  # noqa: E402,F401
