import io
import itertools
import os
import re
import shutil
import struct
import threading
import zlib
from pathlib import Path

import pytest
from flask import current_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, func, make_url, select
from sqlalchemy.pool import NullPool

from tests.fakes.push_service import push_service  # noqa: F401 - a fixture for every test
from webapp import create_app
from webapp.domain import unit_of_work
from webapp.domain.shared.tokens import digest, tracking_token
from webapp.extensions import db
from webapp.models import QrCode
from webapp.seed.demo import DEMO_REPORTS, load_demo_data

# The fake outside services (tests/fakes/): each module offers the fixture of its name.
pytest_plugins = ["tests.fakes.wecom", "tests.fakes.dingtalk", "tests.fakes.aliyun_sms"]

# Set (e.g. by tools/throwaway_postgres.py) to run the whole suite on PostgreSQL.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# The secret of every app the tests make, the demo data's included: its private links are
# derived with it, so demo_tracking_token() must use the same one.
TEST_SECRET = "test-secret"


class MigratedDatabase:
    """A database built once by running the real migrations; every test works on a copy.
    SQLite copies the file; PostgreSQL clones a template database (CREATE DATABASE … TEMPLATE)."""

    def __init__(self, root_url: str | None, folder: Path):
        self.root_url, self.folder = root_url, folder
        self.copies: list[str] = []
        # Names never repeat, even when a module keeps its copy out of `copies` for longer.
        self._serial = itertools.count()
        self.has_demo_template = False
        if root_url:
            self.admin = create_engine(root_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            self.url = self._database_url("mashang_template")
            self._sql('DROP DATABASE IF EXISTS "mashang_template"')
            self._sql('CREATE DATABASE "mashang_template"')
        else:
            self.url = f"sqlite:///{folder / 'template.sqlite3'}"

    @property
    def is_postgres(self) -> bool:
        return self.root_url is not None

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)

    def _database_url(self, name: str) -> str:
        return make_url(self.root_url).set(database=name).render_as_string(hide_password=False)

    def copy(self, tmp_path: Path, with_demo: bool = False) -> str:
        template = "demo_template" if with_demo else "template"
        if with_demo and not self.has_demo_template:
            self._build_demo_template()
        if not self.is_postgres:
            path = tmp_path / "test.sqlite3"
            shutil.copy(self.folder / f"{template}.sqlite3", path)
            return f"sqlite:///{path}"
        name = f"mashang_test_{next(self._serial)}_{os.getpid()}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "mashang_{template}" STRATEGY FILE_COPY')
        self.copies.append(name)
        return self._database_url(name)

    def _build_demo_template(self) -> None:
        """The demo data, loaded once: most tests start from it."""
        if self.is_postgres:
            self._sql('CREATE DATABASE "mashang_demo_template" TEMPLATE "mashang_template"')
            url = self._database_url("mashang_demo_template")
        else:
            shutil.copy(self.folder / "template.sqlite3", self.folder / "demo_template.sqlite3")
            url = f"sqlite:///{self.folder / 'demo_template.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                          "SECRET_KEY": TEST_SECRET})
        with app.app_context():
            with unit_of_work():
                load_demo_data(app.config["SECRET_KEY"])
            db.session.remove()
            db.engine.dispose()
        self.has_demo_template = True

    def empty(self, tmp_path: Path) -> str:
        """A database with nothing in it, not even the migrations."""
        if not self.is_postgres:
            return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        name = f"mashang_empty_{next(self._serial)}_{os.getpid()}"
        self._sql(f'CREATE DATABASE "{name}"')
        self.copies.append(name)
        return self._database_url(name)

    def drop_copies(self) -> None:
        while self.copies:
            self._sql(f'DROP DATABASE IF EXISTS "{self.copies.pop()}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    database = MigratedDatabase(TEST_DATABASE_URL, tmp_path_factory.mktemp("template"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, "TESTING": True,
                      "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database


@pytest.fixture
def empty_database_url(migrated_db, tmp_path):
    return migrated_db.empty(tmp_path)


@pytest.fixture(autouse=True)
def _drop_database_copies(request):
    yield
    if "migrated_db" in request.fixturenames:
        request.getfixturevalue("migrated_db").drop_copies()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as under a real server: the test's own context
    (and its `g`, which Flask-WTF and Flask-Babel cache things on) is not shared."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def app_on_a_copy(migrated_db, tmp_path, with_demo=False, **config):
    """An app on its own copy of the migrated database (with the demo data loaded, if asked),
    with its own upload folder."""
    return create_app({
        "SQLALCHEMY_DATABASE_URI": migrated_db.copy(tmp_path, with_demo),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "VAPID_KEY_FILE": str(tmp_path / "vapid_private.pem"),
        "SECRET_KEY": TEST_SECRET,
        # Tests file many reports from one address; tests/web/test_rate_limits.py turns it on.
        "RATELIMIT_ENABLED": False,
        **config,
    })


@pytest.fixture
def app(request, migrated_db, tmp_path):
    """The app on an empty database, or on one with the demo data when the test (or one of
    its fixtures) asks for `demo`."""
    with_demo = "demo" in request.fixturenames
    app = app_on_a_copy(migrated_db, tmp_path, with_demo, TESTING=True)
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo(app):
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def entrance_code(demo):
    """An active entrance-level code of 微波宿舍 1号楼 2单元."""
    from sqlalchemy import select

    from webapp.models import Building, Compound, Entrance

    return db.session.scalars(
        select(QrCode).join(Entrance, QrCode.entrance_id == Entrance.id)
        .join(Building, Entrance.building_id == Building.id)
        .join(Compound, Building.compound_id == Compound.id)
        .where(Compound.name == "微波宿舍", Entrance.name == "2单元")
    ).one()


def at_the_same_moment(app, count, action, refusals=(), prepare=None):
    """Run `action(i)` in `count` threads, each with its own app context and so its own
    database connection, released together by a barrier, each in its own unit of work.
    Returns one outcome per thread: "ok", "refused" (one of `refusals` was raised) or the
    repr of any other error.
    With `prepare`, each thread first runs `prepare(i)` (e.g. loads the row it will change,
    so that all threads read the same version) and then calls `action(i, prepared)`."""
    barrier = threading.Barrier(count)
    outcomes = []

    def run(i):
        with app.app_context():
            try:
                prepared = prepare(i) if prepare is not None else None
                barrier.wait()
                with unit_of_work():
                    action(i) if prepare is None else action(i, prepared)
                outcomes.append("ok")
            except refusals:
                outcomes.append("refused")
            except Exception as error:  # a crash is a defect: the test shows it
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def count(model) -> int:
    """How many rows of `model` the database holds."""
    return db.session.scalar(select(func.count()).select_from(model))


def app_secret() -> str:
    """The running app's secret: domain functions that make private links take it as an
    argument, as the blueprints pass it."""
    return current_app.config["SECRET_KEY"]


def demo_tracking_token(report) -> str:
    """The private link token of a demo report: its submission key is in the demo data."""
    for *_place, key in DEMO_REPORTS:
        if digest(key) == report.submission_key_hash:
            return tracking_token(key, app_secret())
    raise LookupError(f"{report.number} is not a demo report")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or \
        re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden {name} in page"
    return match.group(1)


def jpeg_bytes(size=(640, 480), color=(200, 60, 40), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"        # Make
        tags[0x0110] = "SecretPhone 12"    # Model
        tags[0x0131] = "CameraApp 1.0"     # Software
        gps = {1: "N", 2: (39.0, 54.0, 20.0), 3: "E", 4: (116.0, 23.0, 30.0)}
        tags[0x8825] = gps                 # GPSInfo
        image.save(out, "JPEG", exif=tags)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_header_bomb(width=8000, height=8000) -> bytes:
    """A tiny, valid-looking PNG that claims width × height pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture
def users(demo):
    """The demo accounts by username."""
    from sqlalchemy import select

    from webapp.models import User

    return {u.username: u for u in db.session.scalars(select(User))}


def login(client, username, password="mashang-demo"):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = client.post("/login", data={"csrf_token": token.group(1) if token else "",
                                           "username": username, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client
