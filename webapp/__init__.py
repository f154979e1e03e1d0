"""Mashang 码上办: the application factory."""

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from webapp import config, liveness, read_only_commit
from webapp.extensions import babel, csrf, db, htmx, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.config.from_object(config.Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = config.database_url(app.instance_path)
    app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    app.config["VAPID_KEY_FILE"] = str(Path(app.instance_path) / "vapid_private.pem")
    app.config.from_prefixed_env("MASHANG")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)
    # A server connection can drop between requests; a SQLite file cannot (liveness.py).
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", liveness.engine_options(app.config))
    liveness.listen()

    from webapp import caching, i18n, inputs, ratelimits, security

    inputs.init_app(app)
    # Before csrf.init_app: its request check must run before CSRF protection reads the form.
    security.init_app(app)
    # Before access.init_app: its check then runs after Flask-Login's remember cookie is set.
    caching.init_app(app)

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    db.init_app(app)
    with app.app_context():
        read_only_commit.listen(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    ratelimits.init_app(app)

    from webapp import access, assets, errors, health
    from webapp.admin import bp as admin_bp
    from webapp.auth import bp as auth_bp
    from webapp.board import bp as board_bp
    from webapp.district import bp as district_bp
    from webapp.domain.notify import feed as notify_feed
    from webapp.models.text import column_max
    from webapp.notifications import bp as notifications_bp
    from webapp.open311 import bp as open311_bp
    from webapp.pwa import bp as pwa_bp
    from webapp.resident import bp as resident_bp
    from webapp.staff import bp as staff_bp
    from webapp.volunteer import bp as volunteer_bp

    access.init_app(app)
    assets.init_app(app)
    app.register_blueprint(resident_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(pwa_bp)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(board_bp, url_prefix="/board")
    app.register_blueprint(district_bp, url_prefix="/district")
    app.register_blueprint(volunteer_bp, url_prefix="/volunteer")
    app.register_blueprint(open311_bp)
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    errors.init_app(app)
    app.add_template_global(column_max)
    health.init_app(app)
    notify_feed.listen()
    from webapp.domain.district import rollup

    rollup.listen()

    from webapp import cli

    cli.init_app(app)
    from webapp.channels import sms

    sms.init_app(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
