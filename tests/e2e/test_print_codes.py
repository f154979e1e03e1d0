"""An admin imports a compound from CSV and prints its posters and labels; every printed
code, decoded, opens the right entrance page on a phone."""


from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.qr_sheets.helpers import qr_texts_in_pdf

CSV = ("compound,building,entrance\n滨河小区,1号楼,1单元\n滨河小区,1号楼,2单元\n"
       "滨河小区,2号楼,1单元\n")


def test_import_print_and_scan(live_server, browser, tmp_path, screenshot_dir):
    live_server.app.config["BASE_URL"] = live_server.url
    csv_file = tmp_path / "binhe.csv"
    csv_file.write_bytes(CSV.encode("gbk"))
    admin = browser.new_context(viewport=DESKTOP, locale="en-US", accept_downloads=True)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        page = admin.new_page()
        log_in(page, live_server.url, "admin")
        page.goto(f"{live_server.url}/admin/places")
        page.set_input_files("#import-file", str(csv_file))
        page.get_by_role("button", name="Preview").click()
        page.get_by_text("Ready to import").wait_for()
        page.get_by_role("button", name="Import").click()
        page.get_by_role("link", name="滨河小区").wait_for()

        page.goto(f"{live_server.url}/staff/print")
        page.select_option("select[name=compound]", label="滨河小区")
        page.get_by_role("button", name="Choose").click()
        page.get_by_role("button", name="Download PDF").wait_for()
        if screenshot_dir:
            page.screenshot(path=str(screenshot_dir / "print-desktop.png"), full_page=True)
        urls = {}
        for kind in ("posters", "labels"):
            page.check(f"input[name=kind][value={kind}]")
            with page.expect_download() as download:
                page.get_by_role("button", name="Download PDF").click()
            target = tmp_path / f"{kind}.pdf"
            download.value.save_as(target)
            urls[kind] = sorted(qr_texts_in_pdf(target.read_bytes()))
        assert len(urls["posters"]) == 5  # 2 buildings + 3 entrances
        assert urls["posters"] == urls["labels"]

        scan = phone.new_page()
        seen = set()
        for url in urls["posters"]:
            assert url.startswith(f"{live_server.url}/q/")
            scan.goto(url)
            seen.add(scan.locator("h1").inner_text())
        assert "滨河小区 · 1号楼 · 2单元" in seen and "滨河小区 · 2号楼" in seen
    finally:
        admin.close()
        phone.close()
