"""The web app manifest, the service worker (served from the root so that its scope is the
whole site), the page it shows when there is no connection, and /favicon.ico."""

import hashlib
import json
from pathlib import Path

from flask import current_app, jsonify, render_template, request, send_from_directory
from flask_babel import gettext as _

from webapp.access import public
from webapp.assets import asset_url
from webapp.i18n import html_lang
from webapp.pwa import bp

THEME_COLOR = "#b3261e"
BACKGROUND_COLOR = "#faf8f5"
DAY = 24 * 3600


def icon(filename: str, size: int, purpose: str = "any") -> dict:
    return {"src": asset_url(f"icons/{filename}"), "sizes": f"{size}x{size}",
            "type": "image/png", "purpose": purpose}


@bp.get("/manifest.webmanifest")
@public
def manifest():
    response = jsonify({
        "id": "/",
        "name": "码上办 Mashang",
        "short_name": "码上办",
        "description": _("Mashang · scan the code, report it, get it handled"),
        "lang": html_lang(),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            icon("icon-192.png", 192),
            icon("icon-512.png", 512),
            icon("maskable-192.png", 192, "maskable"),
            icon("maskable-512.png", 512, "maskable"),
        ],
    })
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = f"public, max-age={DAY}"
    response.vary.update(("Accept-Language", "Cookie"))  # the description's language
    return response


OUTBOX_SCRIPT = '"/static/js/outbox.js"'


def worker_script() -> tuple[str, str]:
    """static/js/sw.js, importing the same fingerprinted outbox.js as the pages (so it may come
    from the browser's cache, and a new outbox.js makes a new service worker). Read once per
    process, as asset_url reads each file once."""
    cached = current_app.extensions.get("pwa_worker_script")
    if cached is None:
        script = (Path(current_app.static_folder) / "js" / "sw.js").read_text(encoding="utf-8")
        script = script.replace(OUTBOX_SCRIPT, json.dumps(asset_url("js/outbox.js")), 1)
        cached = (script, hashlib.blake2b(script.encode(), digest_size=12).hexdigest())
        current_app.extensions["pwa_worker_script"] = cached
    return cached


@bp.get("/sw.js")
@public
def service_worker():
    script, etag = worker_script()
    response = current_app.response_class(script, mimetype="text/javascript")
    response.set_etag(etag)
    # The browser checks for a new worker on every visit; it must never use a stale copy.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response.make_conditional(request)


@bp.get("/offline")
@public
def offline():
    # No CSRF token (no form on it) and no personal data: the service worker keeps a copy.
    response = current_app.make_response(render_template("pwa/offline.html"))
    response.headers["Cache-Control"] = "no-cache"
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/favicon.ico")
@public
def favicon():
    return send_from_directory(current_app.static_folder, "icons/favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * DAY)
