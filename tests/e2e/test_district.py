"""A district official on a phone and at a desk: the overview of a generated district, a
company's figures across its communities, and down to a community's public board."""

import importlib.util
from pathlib import Path

from tests.e2e.conftest import DESKTOP, PHONE, log_in
from webapp.extensions import db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "district.py"


def generated_district(app):
    """bench/district.py's own loader: streets, communities, companies, a year of reports."""
    spec = importlib.util.spec_from_file_location("bench_district", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    with app.app_context():
        bench.generate(communities=10, companies=6, reports=6000, seed=7)
        db.session.remove()


def test_the_district_official_reads_communities_and_companies(live_server, browser,
                                                               screenshot_dir):
    generated_district(live_server.app)
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        log_in(page, live_server.url, "district")
        assert page.locator("h1").inner_text() == "辖区总览"
        page.select_option("select[name=month]", index=1)  # last month, a whole one
        page.click("form.filters button")
        page.wait_for_url("**month=**")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        ranked = page.locator("table.stats").nth(1).locator("tbody tr")
        assert ranked.count() >= 1  # companies with at least MIN_SAMPLE resolved
        if screenshot_dir:
            page.screenshot(path=str(screenshot_dir / f"district-{name}.png"), full_page=True)
        overview = page.url
        ranked.first.locator("a").click()
        page.wait_for_url("**/district/companies/**")
        assert page.locator("h1").inner_text().startswith("太原市第")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if screenshot_dir and name == "phone":
            page.screenshot(path=str(screenshot_dir / "district-company-phone.png"),
                            full_page=True)
        page.locator("table.stats").first.locator("tbody a").first.click()
        page.wait_for_url("**/board/?community=gen*")
        assert page.locator("h1").count() == 1
        page.goto(overview)
        page.select_option("select[name=street]", label="营盘街道")
        page.click("form.filters button")
        page.wait_for_url("**street=gen-street-0**")
        assert "营盘街道" in page.locator("p.community").inner_text()
        assert page.locator("table.stats").first.locator("tbody tr").count() == 2
        context.close()
