"""Error pages in the visitor's language. An htmx request from a form gets the message put
into that form's problem slot (#<form id>-problem), so nothing typed is lost.

Every handler first rolls the database session back: the error may have left it half-way
through a failed transaction, and the page (its staff bar reads the signed-in user) must not
touch a session in that state, or the handler itself fails and the worker with it."""

import re
from functools import wraps

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.models.text import TextTooLong

FORM_ID = re.compile(r"^[a-z][a-z-]{0,40}$")


def clean_session(handler):
    """Roll back whatever the failed request left in the session before `handler` runs."""
    @wraps(handler)
    def run(*args, **kwargs):
        try:
            db.session.rollback()
        except Exception:  # the connection itself is gone: let the pool drop it
            current_app.logger.exception("Rollback before an error page failed")
            db.session.remove()
        return handler(*args, **kwargs)
    return run


def problem_response(status: int, title: str, message: str):
    form_id = request.htmx.trigger if request.htmx else None
    if form_id and FORM_ID.match(form_id):
        body = render_template("partials/_form_problem.html", message=message)
        return body, status, {"HX-Retarget": f"#{form_id}-problem", "HX-Reswap": "innerHTML"}
    return render_template("errors/problem.html", title=title, message=message), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    @clean_session
    def csrf_failed(error):
        return problem_response(
            400,
            _("Please try again"),
            _("This form was open too long or came from another page. "
              "Please reload the page and send it again."),
        )

    @app.errorhandler(413)
    @clean_session
    def too_large(error):
        return problem_response(
            413,
            _("Too much to send at once"),
            _("Everything together may be at most %(mb)d MB. "
              "Please go back and choose fewer or smaller photos, or shorten the text.",
              mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)),
        )

    @app.errorhandler(429)
    @clean_session
    def too_many(error):
        response = problem_response(
            429,
            _("Too many requests"),
            _("You have sent this too often in a short time. Nothing was lost: please wait "
              "a minute and try again, or call the community office."),
        )
        return response

    @app.errorhandler(TextTooLong)
    @clean_session
    def text_too_long(error):
        """A value longer than its column that no form or domain check caught first: the
        column refused it before the database could (see models/text.py)."""
        return problem_response(422, _("Please shorten the text"), str(error))

    @app.errorhandler(404)
    @clean_session
    def not_found(error):
        return render_template("errors/not_found.html", community=None), 404

    @app.errorhandler(HTTPException)
    @clean_session
    def other_http_error(error):
        return problem_response(error.code or 400, _("Something is not right"),
                                _("This request could not be handled (%(code)s).",
                                  code=error.code))

    # Unexpected exceptions reach this one too (Flask wraps them in InternalServerError,
    # after logging them).
    @app.errorhandler(500)
    @clean_session
    def server_error(error):
        page = dict(title=_("Sorry, something went wrong"),
                    message=_("Please try again in a moment, or call the community office."))
        try:
            return render_template("errors/problem.html", **page), 500
        except Exception:  # the database is unreachable: a page without the staff bar
            app.logger.exception("The error page failed; answering without the staff bar")
            db.session.remove()
            return render_template("errors/server_error_bare.html", **page), 500
