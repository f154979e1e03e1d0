"""The first visit to a scan page stays light: ≤ 30 KB compressed in all, counted from what
Chromium received, and nothing from any other origin."""

from tests.e2e.conftest import PHONE

BUDGET = 30 * 1024


def first_visit(browser, url):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    try:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        return [(r.url, r.request.sizes()["responseBodySize"], r.headers.get("content-encoding"))
                for r in responses]
    finally:
        context.close()


def test_first_scan_page_visit_fits_the_budget(live_server, browser):
    received = first_visit(browser, live_server.scan_url)
    total = sum(size for _url, size, _enc in received)
    assert all(url.startswith(live_server.url) for url, _size, _enc in received), received
    assert total <= BUDGET, received
    textual = [(url, enc) for url, size, enc in received if size > 1024]
    assert all(enc in ("br", "gzip", "zstd") for _url, enc in textual), textual
