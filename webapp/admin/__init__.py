from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.admin import (  # noqa: E402,F401
    api_keys,
    attendance,
    calendar,
    care_cards,
    category_catalog,
    deliveries,
    logins,
    organizations,
    places,
    points,
    routing,
    services,
    setup,
    shifts,
    views,
)
