"""The first-run page: an empty installation's one-time link (printed by `make run`) opens a
form for the community, its office and the first admin's account; sent, it logs the admin in
and leads to the setup checklist."""

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_user

from webapp import ratelimits, refusals
from webapp.access import public
from webapp.auth import bp
from webapp.auth.forms import FirstRunForm
from webapp.domain import DomainRefused
from webapp.domain.people import first_run
from webapp.models.types import utcnow
from webapp.seed.community import set_up


def render_first_run(problem=None, status=200, field=None):
    return render_template("auth/first_run.html", form=FirstRunForm(), problem=problem,
                           field=field), status


@bp.get("/first-run/<token>")
@public
@ratelimits.link_lookup
def first_run_page(token):
    if first_run.valid(token, utcnow()) is None:
        return render_template("auth/first_run_gone.html", problem=first_run.GONE), 404
    return render_first_run()


def refused(problem, status):
    if status == 404:
        return render_template("auth/first_run_gone.html", problem=problem), 404
    return render_first_run(problem, status)


@bp.post("/first-run/<token>")
@public
@ratelimits.link_lookup
@refusals.answered_by(refused)
def first_run_done(token):
    form = FirstRunForm()
    if (form.password.data or "") != (form.password_again.data or ""):
        raise DomainRefused(_("The two passwords differ: please type the same one twice."),
                            "password")
    first_run.use(token, utcnow())
    _community, admin = set_up(form.code.data, form.name.data, form.office.data,
                               form.hotline.data, form.hotline_24h.data, form.username.data,
                               form.display_name.data, form.password.data or "")
    login_user(admin)
    return redirect(url_for("admin.setup"), code=303)

