"""Browser tests: the app served on loopback, driven by Debian's Chromium via Playwright."""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import app_on_a_copy
from webapp.extensions import db
from webapp.models import Building, Compound, Entrance, QrCode

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail("Browser tests need Debian's Chromium: `make test` installs it, or "
                    "apt-get install -y chromium (or set CHROMIUM_PATH)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(migrated_db, tmp_path):
    """A real HTTP server in a thread, on its own copy of the migrated database."""
    app = app_on_a_copy(migrated_db, tmp_path, with_demo=True)
    with app.app_context():
        token = db.session.scalars(
            select(QrCode.token).join(Entrance, QrCode.entrance_id == Entrance.id)
            .join(Building, Entrance.building_id == Building.id)
            .join(Compound, Building.compound_id == Compound.id)
            .where(Compound.name == "微波宿舍", Entrance.name == "2单元")).one()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.scan_url = f"{server.url}/q/{token}"
    yield server
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1,
                                  is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot_dir():
    """Set MASHANG_SCREENSHOTS=docs/screenshots to refresh the README's pictures."""
    target = os.environ.get("MASHANG_SCREENSHOTS")
    return Path(target) if target else None


def log_in(page, base: str, username: str, password: str = "mashang-demo") -> None:
    """Log in through the real form; staff and volunteers land under /staff/ or /volunteer/,
    street and district officials under /district/."""
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/(staff|volunteer|district)/"))



@pytest.fixture(autouse=True)
def no_content_security_policy_violations(request):
    """Every browser test also checks that nothing on its pages was refused by the CSP:
    Chromium reports each refusal on the console."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    refused, original = [], browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        context.on("console", lambda message: refused.append(message.text)
                   if "Content Security Policy" in message.text else None)
        return context

    browser.new_context = new_context
    try:
        yield
    finally:
        browser.new_context = original
    assert refused == []
