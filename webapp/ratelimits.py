"""The named rate limits, applied as decorators on the views they guard.

Each limit's value comes from config (RATELIMIT_SUBMIT …) so that a deployment can tune it;
views that share a limit share one bucket per client address."""

from flask import current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from limits import parse_many

from webapp.domain.people import api_clients
from webapp.extensions import limiter


def _from_config(name: str):
    return lambda: current_app.config[f"RATELIMIT_{name}"]


# Filing a report or a booking: a real resident sends a handful a day.
submission = limiter.shared_limit(_from_config("SUBMIT"), scope="submit", methods=["POST"])
# Opening a private tracking or booking link: guessing them must be slow.
link_lookup = limiter.shared_limit(_from_config("LOOKUP"), scope="lookup")
# Changing something through a private link: cancel, rate, add information.
link_change = limiter.shared_limit(_from_config("CHANGE"), scope="change", methods=["POST"])
login = limiter.shared_limit(_from_config("LOGIN"), scope="login", methods=["POST"])


def _api_key_bucket() -> str:
    """One bucket per Open311 api_key (hashed: the key is a secret), else per address."""
    raw = request.form.get("api_key") or request.args.get("api_key")
    if raw:
        return api_clients.limit_bucket(raw)
    return "addr:" + get_remote_address()


# Open311 POST requests: a client application files as many as its key allows.
open311_post = limiter.limit(_from_config("OPEN311_POST"), key_func=_api_key_bucket,
                             methods=["POST"], scope="open311-post")


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
