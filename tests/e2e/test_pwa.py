"""The progressive web app in a real Chromium: the service worker, pages without a connection,
and the outbox that keeps a report written offline and sends it when the phone is back online."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.e2e.conftest import log_in
from webapp.domain.shared.tokens import digest
from webapp.extensions import db
from webapp.models import Report, ReportPhoto

SAVED = "已保存在本机，联网后会自动发送。"
DESCRIPTION = "地下车库入口的灯坏了，晚上一片漆黑。"


@pytest.fixture(scope="module")
def big_photo(tmp_path_factory):
    """A 3000 × 2000 JPEG, as a phone camera makes them (with some detail, so it is large)."""
    image = Image.effect_mandelbrot((3000, 2000), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB")
    path = tmp_path_factory.mktemp("photos") / "garage.jpg"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    path.write_bytes(out.getvalue())
    return path


def report_count(server) -> int:
    with server.app.app_context():
        return db.session.scalar(select(func.count(Report.id)))


def newest_report(server):
    with server.app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        photos = db.session.scalars(
            select(ReportPhoto).where(ReportPhoto.report_id == report.id)).all()
        return (report.tracking_token_hash, report.description,
                [(p.width, p.height) for p in photos])


def controlled(page) -> bool:
    return page.evaluate("() => navigator.serviceWorker.controller !== null")


def install_worker(page, server):
    """Open the scan page (the worker keeps it), wait for the worker, reload under it."""
    page.goto(server.scan_url)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert controlled(page)


def write_report_offline(page, photo):
    """On the report form, without a connection: fill it in and send it."""
    page.wait_for_load_state("networkidle")  # app.js has loaded the outbox
    page.context.set_offline(True)
    page.locator("label.category", has_text="电路").click()
    page.get_by_label("遇到了什么问题").fill(DESCRIPTION)
    page.locator("input[type=file][name=photos]").set_input_files(str(photo))
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交").click()
    notice = page.locator("#outbox-notice")
    notice.wait_for()
    assert SAVED in notice.inner_text()


def kept_photo_sizes(page):
    return page.evaluate("""async () => {
        const sizes = [];
        for (const record of await outbox.all()) {
            for (const photo of record.photos) {
                const bitmap = await createImageBitmap(photo.blob);
                sizes.push([bitmap.width, bitmap.height, photo.blob.type]);
            }
        }
        return sizes;
    }""")


def kept_pages(page) -> set[str]:
    """The pages the service worker keeps a copy of."""
    return set(page.evaluate("""async () => {
        const paths = [];
        for (const name of await caches.keys()) {
            if (!name.startsWith("mashang-pages-")) continue;
            for (const request of await (await caches.open(name)).keys()) {
                paths.push(new URL(request.url).pathname);
            }
        }
        return paths;
    }"""))


def assert_sent_once(server, before, link):
    assert report_count(server) == before + 1
    tracking_hash, description, photos = newest_report(server)
    assert description == DESCRIPTION
    assert len(photos) == 1 and max(photos[0]) <= 2048
    assert digest(link.get_attribute("href").removeprefix("/t/")) == tracking_hash


def test_worker_and_pages_without_a_connection(live_server, phone):
    page = phone
    install_worker(page, live_server)
    page.context.set_offline(True)

    page.goto(live_server.scan_url)  # seen before: its copy
    assert "微波宿舍" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("link", name=re.compile("报事")).is_visible()

    page.goto(live_server.url + "/board/")  # never opened: the offline page
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "请稍后再试" in page.content()
    assert page.locator(".problem-page h1").is_visible()
    # With its styles: they came from the worker's cache.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"

    page.goto(live_server.scan_url + "/report")  # a form: never kept
    assert page.locator("#report-form").count() == 0
    assert page.locator(".problem-page h1").is_visible()
    page.context.set_offline(False)


def test_a_report_written_offline_is_sent_when_back_online(live_server, phone, big_photo):
    page = phone
    install_worker(page, live_server)
    before = report_count(live_server)
    page.get_by_role("link", name=re.compile("报事")).click()
    page.wait_for_url(re.compile(r"/report$"))

    write_report_offline(page, big_photo)
    assert report_count(live_server) == before
    sizes = kept_photo_sizes(page)
    assert len(sizes) == 1 and max(sizes[0][:2]) == 2048 and sizes[0][2] == "image/jpeg"

    page.context.set_offline(False)
    link = page.locator("#outbox-notice a")
    link.wait_for()
    assert "报事已发送" in page.locator("#outbox-notice").inner_text()
    assert_sent_once(live_server, before, link)
    assert page.evaluate("() => outbox.all().then(records => records.length)") == 0

    link.click()  # the tracking page
    page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22,}$"))
    assert DESCRIPTION in page.content()
    page.reload()  # opened for real, not by htmx: still never kept
    page.context.set_offline(True)
    page.reload()
    assert DESCRIPTION not in page.content() and page.locator(".problem-page").is_visible()
    scan = live_server.scan_url.removeprefix(live_server.url)
    # the tracking page never; the report form of the kept scan page, without its token
    # (tests/e2e/test_offline_report_form.py)
    assert kept_pages(page) == {"/offline", scan, scan + "/report"}


def test_a_report_written_offline_is_sent_from_the_next_page(live_server, phone, big_photo):
    page = phone
    context = page.context
    install_worker(page, live_server)
    before = report_count(live_server)
    page.goto(live_server.scan_url + "/report")
    write_report_offline(page, big_photo)
    page.close()

    # Still offline, another tab opens the scan page (the worker's copy); nothing is sent yet.
    page = context.new_page()
    page.goto(live_server.scan_url)
    assert report_count(live_server) == before
    page.close()

    # Back online: the next page that loads sends it, and shows the tracking link.
    context.set_offline(False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    link = page.locator("#main .flash a[href^='/t/']")
    link.wait_for()
    assert "报事已发送" in page.locator("#main .flash").first.inner_text()
    assert_sent_once(live_server, before, link)


def test_a_report_the_server_refuses_comes_back_into_the_form(live_server, phone, big_photo):
    page = phone
    context = page.context
    before = report_count(live_server)
    page.goto(live_server.scan_url + "/report")
    page.wait_for_load_state("networkidle")
    context.set_offline(True)
    page.locator("label.category", has_text="电路").click()
    page.get_by_label("遇到了什么问题").fill(DESCRIPTION)
    page.locator("input[type=file][name=photos]").set_input_files(str(big_photo))
    page.get_by_label("联系电话").fill("12345")  # not a phone number: the server says no
    page.get_by_role("button", name="提交").click()
    page.locator("#outbox-notice").wait_for()
    page.close()

    context.set_offline(False)
    page = context.new_page()
    page.goto(live_server.scan_url + "/report")
    notice = page.locator("#outbox-notice.problem")
    notice.wait_for()
    assert "请检查后重新提交" in notice.inner_text()
    assert report_count(live_server) == before
    assert page.get_by_label("遇到了什么问题").input_value() == DESCRIPTION
    assert page.locator("label.category", has_text="电路").locator("input").is_checked()
    assert page.evaluate("document.querySelector('input[type=file]').files.length") == 1

    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22,}$"))
    assert report_count(live_server) == before + 1
    assert newest_report(live_server)[1:] == (DESCRIPTION, [(2048, 1365)])


def test_photos_are_made_smaller_before_an_online_upload(live_server, phone, big_photo):
    page = phone
    page.goto(live_server.scan_url + "/report")
    page.locator("label.category", has_text="电路").click()
    page.get_by_label("遇到了什么问题").fill(DESCRIPTION)
    page.locator("input[type=file][name=photos]").set_input_files(str(big_photo))
    with page.expect_request(lambda request: request.method == "POST") as upload:
        page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22,}$"))
    assert upload.value.sizes()["requestBodySize"] < big_photo.stat().st_size * 0.6
    assert newest_report(live_server)[2] == [(2048, 1365)]


def test_staff_get_an_add_to_home_screen_button(live_server, phone):
    page = phone
    log_in(page, live_server.url, "dispatcher")
    button = page.locator(".staffnav button.install")
    assert button.count() == 1 and button.is_hidden()
    page.evaluate("""() => {
        const offer = new Event("beforeinstallprompt", { cancelable: true });
        offer.prompt = () => { window.prompted = true; };
        dispatchEvent(offer);
    }""")
    assert button.is_visible() and button.inner_text() == "添加到主屏幕"
    button.click()
    assert page.evaluate("window.prompted") is True
    assert button.is_hidden()
