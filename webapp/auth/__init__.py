from flask import Blueprint

bp = Blueprint("auth", __name__)

from webapp.auth import first_run, views  # noqa: E402,F401
