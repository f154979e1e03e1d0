"""/healthz for the reverse proxy and the process supervisor: is the database reachable?"""

from flask import jsonify
from sqlalchemy import text

from webapp.access import public
from webapp.extensions import db


@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means: take this host out
        db.session.rollback()
        response = jsonify(status="unavailable", database="unreachable")
        response.status_code = 503
    else:
        response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)
