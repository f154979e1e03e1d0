import math

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from webapp import ratelimits
from webapp.access import public
from webapp.auth import bp
from webapp.auth.forms import LoginForm
from webapp.domain import unit_of_work
from webapp.domain.people import accounts, login_throttle
from webapp.i18n import safe_next


@bp.route("/login", methods=["GET", "POST"])
@public
@ratelimits.login
def login():
    form = LoginForm()
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate():
        return render_template("auth/login.html", form=form), 422
    with unit_of_work():  # a failed or refused try is recorded, whatever the answer
        try:
            user = accounts.authenticate(form.username.data, form.password.data,
                                         request.remote_addr)
        except login_throttle.TooManyAttempts as brake:
            return throttled(form, brake)
    if user is None:
        return render_template("auth/login.html", form=form,
                               problem=_("Wrong username or password.")), 422
    login_user(user)
    return redirect(safe_next(request.args.get("next")) if request.args.get("next")
                    else url_for("staff.home"), code=303)


def throttled(form, brake):
    seconds = math.ceil(brake.wait.total_seconds())
    problem = _("Too many failed attempts from here. Please wait %(n)d seconds and try "
                "again.", n=seconds) if seconds < 120 else \
        _("Too many failed attempts from here. Please wait %(n)d minutes and try again.",
          n=math.ceil(seconds / 60))
    return render_template("auth/login.html", form=form, problem=problem), 429, \
        {"Retry-After": str(seconds)}


@bp.post("/logout")
@public
def logout():
    logout_user()
    return redirect(url_for("auth.login"), code=303)
