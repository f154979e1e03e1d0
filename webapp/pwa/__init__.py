"""Progressive web app: manifest, service worker at the root, offline page, icons."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from webapp.pwa import push, views  # noqa: E402,F401
