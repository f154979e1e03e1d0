"""Error pages in the visitor's language. An htmx request from a form gets the message put
into that form's problem slot (#<form id>-problem), so nothing typed is lost."""

import re

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.models.text import TextTooLong

FORM_ID = re.compile(r"^[a-z][a-z-]{0,40}$")


def problem_response(status: int, title: str, message: str):
    form_id = request.htmx.trigger if request.htmx else None
    if form_id and FORM_ID.match(form_id):
        body = render_template("partials/_form_problem.html", message=message)
        return body, status, {"HX-Retarget": f"#{form_id}-problem", "HX-Reswap": "innerHTML"}
    return render_template("errors/problem.html", title=title, message=message), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return problem_response(
            400,
            _("Please try again"),
            _("This form was open too long or came from another page. "
              "Please reload the page and send it again."),
        )

    @app.errorhandler(413)
    def too_large(error):
        return problem_response(
            413,
            _("Too much to send at once"),
            _("Everything together may be at most %(mb)d MB. "
              "Please go back and choose fewer or smaller photos, or shorten the text.",
              mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)),
        )

    @app.errorhandler(429)
    def too_many(error):
        response = problem_response(
            429,
            _("Too many requests"),
            _("You have sent this too often in a short time. Nothing was lost: please wait "
              "a minute and try again, or call the community office."),
        )
        return response

    @app.errorhandler(TextTooLong)
    def text_too_long(error):
        """A value longer than its column that no form or domain check caught first: the
        column refused it before the database could (see models/text.py)."""
        db.session.rollback()
        return problem_response(422, _("Please shorten the text"), str(error))

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/not_found.html", community=None), 404

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        return problem_response(error.code or 400, _("Something is not right"),
                                _("This request could not be handled (%(code)s).",
                                  code=error.code))

    @app.errorhandler(500)
    def server_error(error):
        return render_template(
            "errors/problem.html",
            title=_("Sorry, something went wrong"),
            message=_("Please try again in a moment, or call the community office."),
        ), 500
