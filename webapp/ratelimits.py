"""The named rate limits, applied as decorators on the views they guard.

Each limit's value comes from config (RATELIMIT_SUBMIT …) so that a deployment can tune it;
views that share a limit share one bucket per client address.

Every limit here is a view's own: the limiter counts it inside the view's decorator. Its
hooks around every request (a check for app-wide limits, rate-limit headers, a cleanup) cost
a trivial route a quarter of its time for nothing, so init_app keeps them to the limited
views, unless a deployment configures app-wide limits (RATELIMIT_DEFAULT, _APPLICATION,
_META), which then apply to every request as Flask-Limiter documents."""

from flask import current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from limits import parse_many

from webapp.domain.people import api_clients
from webapp.extensions import limiter


def _from_config(name: str):
    return lambda: current_app.config[f"RATELIMIT_{name}"]


def _marked(limit):
    """The limiter's decorator, marking the view so that its request hooks run for it."""
    def decorate(view):
        limited = limit(view)
        limited.rate_limited = True
        return limited
    return decorate


# Filing a report or a booking: a real resident sends a handful a day.
submission = _marked(limiter.shared_limit(_from_config("SUBMIT"), scope="submit",
                                          methods=["POST"]))
# Opening a private tracking or booking link: guessing them must be slow.
link_lookup = _marked(limiter.shared_limit(_from_config("LOOKUP"), scope="lookup"))
# Changing something through a private link: cancel, rate, add information.
link_change = _marked(limiter.shared_limit(_from_config("CHANGE"), scope="change",
                                           methods=["POST"]))
login = _marked(limiter.shared_limit(_from_config("LOGIN"), scope="login", methods=["POST"]))


def _api_key_bucket() -> str:
    """One bucket per Open311 api_key (hashed: the key is a secret), else per address."""
    raw = request.form.get("api_key") or request.args.get("api_key")
    if raw:
        return api_clients.limit_bucket(raw)
    return "addr:" + get_remote_address()


# Open311 POST requests: a client application files as many as its key allows.
open311_post = _marked(limiter.limit(_from_config("OPEN311_POST"), key_func=_api_key_bucket,
                                    methods=["POST"], scope="open311-post"))


def describe(name: str) -> str:
    """A configured limit in the reader's language, e.g. "30 a minute; 1000 a day"."""
    per = {"second": (_("%(n)d a second"), _("%(n)d every %(m)d seconds")),
           "minute": (_("%(n)d a minute"), _("%(n)d every %(m)d minutes")),
           "hour": (_("%(n)d an hour"), _("%(n)d every %(m)d hours")),
           "day": (_("%(n)d a day"), _("%(n)d every %(m)d days")),
           "month": (_("%(n)d a month"), _("%(n)d every %(m)d months")),
           "year": (_("%(n)d a year"), _("%(n)d every %(m)d years"))}
    parts = []
    for item in parse_many(current_app.config[f"RATELIMIT_{name}"]):
        one, several = per[item.GRANULARITY.name]
        parts.append((one if item.multiples == 1 else several)
                     % {"n": item.amount, "m": item.multiples})
    return _("; ").join(parts)


def init_app(app) -> None:
    limiter.init_app(app)  # adds no hooks when RATELIMIT_ENABLED is off
    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits or limiter._meta_limits:
        return  # app-wide limits: the limiter checks every request
    before = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in before:
        before.remove(limiter._check_request_limit)

    def only_for_limited_views(hook):
        def gated(value):
            view = app.view_functions.get(request.endpoint or "")
            return hook(value) if getattr(view, "rate_limited", False) else value
        return gated

    for hooks in (app.after_request_funcs.get(None, []),
                  app.teardown_request_funcs.get(None, [])):
        for i, hook in enumerate(hooks):
            if getattr(hook, "__self__", None) is limiter or \
                    getattr(hook, "args", ())[:1] == (limiter,):
                hooks[i] = only_for_limited_views(hook)
