from flask import Blueprint

bp = Blueprint("district", __name__)

from webapp.district import views  # noqa: E402,F401
