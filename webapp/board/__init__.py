from flask import Blueprint

bp = Blueprint("board", __name__)

from webapp.board import views  # noqa: E402,F401
