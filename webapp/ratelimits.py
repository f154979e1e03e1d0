"""The named rate limits, applied as decorators on the views they guard.

Each limit's value comes from config (RATELIMIT_SUBMIT …) so that a deployment can tune it;
views that share a limit share one bucket per client address."""

from flask import current_app

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
