import io
import re
import shutil
import struct
import zlib

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from PIL import Image

from webapp import create_app
from webapp.domain.demo import load_demo_data
from webapp.extensions import db
from webapp.models import QrCode


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """One SQLite file built by running the real migrations; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as under a real server: the test's own context
    (and its `g`, which Flask-WTF and Flask-Babel cache things on) is not shared."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def app_on_a_copy(migrated_db, tmp_path, **config):
    """An app on its own copy of the migrated database, with its own upload folder."""
    path = tmp_path / "test.sqlite3"
    shutil.copy(migrated_db, path)
    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SECRET_KEY": "test-secret",
        # Tests file many reports from one address; tests/web/test_rate_limits.py turns it on.
        "RATELIMIT_ENABLED": False,
        **config,
    })


@pytest.fixture
def app(migrated_db, tmp_path):
    app = app_on_a_copy(migrated_db, tmp_path, TESTING=True)
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo(app):
    load_demo_data()
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
