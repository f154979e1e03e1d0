from flask import Blueprint

bp = Blueprint("resident", __name__)

from webapp.resident import views  # noqa: E402,F401
