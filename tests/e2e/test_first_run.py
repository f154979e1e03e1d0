"""Done means (issue 16): an admin sets up a new community in Chromium, from an empty database
to printed posters with routing that suggests the right company — no demo data, no code.

first-run link → community and admin → a property company and a grid → places CSV with
partner_company and grid → the routing table shows the company → posters printed and decoded
→ a resident files a report by a printed code → the dispatcher is offered the compound's
partner company. With MASHANG_SCREENSHOTS set, each step is taken at 390×844, 360 px wide and
on a desktop (docs/screenshots/first-run-*.png)."""

import re
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import app_on_a_copy
from tests.e2e.conftest import DESKTOP, PHONE
from tests.qr_sheets.helpers import qr_texts_in_pdf
from webapp.extensions import db

NARROW = {"width": 360, "height": 740}
CSV = ("小区,楼栋,单元,帮建物业,网格\n"
       "滨河小区,1号楼,1单元,恒安物业,滨河第一网格\n"
       "滨河小区,1号楼,2单元,恒安物业,滨河第一网格\n"
       "滨河小区,2号楼,1单元,恒安物业,滨河第一网格\n"
       "柳巷小区,1号楼,1单元,万家物业,滨河第一网格\n")
WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def empty_server(migrated_db, tmp_path):
    """The app on a migrated database with nothing in it, served on loopback."""
    app = app_on_a_copy(migrated_db, tmp_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.app, server.url = app, f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = server.url
    yield server
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def shoot(page, folder, name):
    """The page at 390×844, then 360 px wide and on a desktop (whole pages); each must fit
    without sideways scrolling."""
    for label, size, whole in (("phone", PHONE, False), ("360", NARROW, True),
                               ("desktop", DESKTOP, True)):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        assert page.evaluate(WIDTH) <= size["width"], f"{name} scrolls sideways at {label}"
        if folder:
            page.screenshot(path=str(folder / f"first-run-{name}-{label}.png"), full_page=whole)
    page.set_viewport_size(PHONE)


def test_an_empty_database_to_a_routed_report(empty_server, browser, tmp_path, screenshot_dir):
    base, app = empty_server.url, empty_server.app
    with app.app_context():
        printed = app.test_cli_runner().invoke(args=["first-run"])
    assert printed.exit_code == 0, (printed.output, printed.exception)
    printed = printed.output
    link = re.search(r"http://\S+/first-run/\S+", printed).group(0)
    admin = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True,
                                is_mobile=True, has_touch=True)
    resident = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                                   has_touch=True)
    try:
        page = admin.new_page()
        # 1. The one-time link: the community, its office and the admin's own account.
        page.goto(link)
        page.get_by_label("社区名称").fill("滨河社区")
        page.get_by_label("简短代码").fill("binhe")
        page.get_by_label("社区居委会名称").fill("滨河社区居委会")
        page.get_by_label("服务热线").fill("0351-7654321")
        page.get_by_label("24小时热线").fill("0351-7654300")
        page.get_by_label("您的姓名").fill("李主任")
        page.get_by_label("用户名").fill("li")
        page.locator("#password").fill("binhe-admin-1")
        page.locator("#password_again").fill("binhe-admin-1")
        shoot(page, screenshot_dir, "1-link")
        page.get_by_role("button", name="创建社区").click()
        page.wait_for_url(re.compile(r"/admin/setup$"))
        assert "还有" in page.locator("main").inner_text()
        shoot(page, screenshot_dir, "2-checklist")

        # 2. A property company and a grid.
        page.goto(f"{base}/admin/organizations")
        add = page.locator("#add-organization")
        for kind, name, phone in (("property", "恒安物业", "13800138000"),
                                  ("grid", "滨河第一网格", "")):
            add.locator("select[name=kind]").select_option(kind)
            add.locator("input[name=name]").fill(name)
            add.locator("input[name=phone]").fill(phone)
            add.get_by_role("button", name="添加").click()
            page.locator(".flash-success", has_text=name).wait_for()
        shoot(page, screenshot_dir, "3-organisations")

        # 3. Places with their partner company and grid; 万家物业 is new and gets made.
        csv_file = tmp_path / "places.csv"
        csv_file.write_bytes(CSV.encode("gbk"))
        page.goto(f"{base}/admin/places")
        page.set_input_files("#import-file", str(csv_file))
        page.get_by_role("button", name="预览").click()
        page.get_by_text("可以导入").wait_for()
        assert "万家物业" in page.locator("main").inner_text()
        shoot(page, screenshot_dir, "4-import")
        page.get_by_role("button", name="导入", exact=True).click()
        page.get_by_role("link", name="滨河小区").wait_for()

        # 4. The routing table: 滨河小区 goes to 恒安物业.
        page.goto(f"{base}/admin/routing")
        row = page.locator("tr", has_text="滨河小区")
        assert row.locator("select[name^=partner] option:checked").inner_text() == "恒安物业"
        assert re.search(r"恒安物业\s*:\s*水电", row.locator(".effect").inner_text())
        shoot(page, screenshot_dir, "5-routing")

        # 5. Posters: every code decodes to a scan page.
        page.goto(f"{base}/staff/print")
        page.select_option("select[name=compound]", label="滨河小区")
        page.get_by_role("button", name="选择").click()
        page.get_by_role("button", name="下载 PDF").wait_for()
        shoot(page, screenshot_dir, "6-print")
        with page.expect_download() as download:
            page.get_by_role("button", name="下载 PDF").click()
        pdf = tmp_path / "posters.pdf"
        download.value.save_as(pdf)
        urls = sorted(qr_texts_in_pdf(pdf.read_bytes()))
        assert len(urls) == 5 and all(u.startswith(f"{base}/q/") for u in urls)

        # A dispatcher's account, made by the admin.
        page.goto(f"{base}/admin/users")
        new = page.locator("form[action=\"/admin/users\"]")
        new.locator("input[name=username]").fill("paidan")
        new.locator("input[name=display_name]").fill("王派单")
        new.locator("select[name=role]").select_option("dispatcher")
        new.locator("select[name=org]").select_option(label="滨河社区居委会")
        new.locator("input[name=password]").fill("paidan-pass-1")
        new.get_by_role("button", name="创建").click()
        page.locator(".flash-success").wait_for()
        page.goto(f"{base}/admin/setup")
        shoot(page, screenshot_dir, "7-checklist-later")

        # 6. A resident scans a printed code of 滨河小区 and reports a leak.
        scan = resident.new_page()
        door = next(u for u in urls if (scan.goto(u) and "1单元" in
                                         scan.locator("h1").inner_text()))
        assert "滨河小区" in scan.locator("h1").inner_text(), door
        scan.get_by_role("link", name=re.compile("报事")).click()
        scan.locator("label.category", has_text="水电").click()
        scan.get_by_label("遇到了什么问题").fill("一楼楼道的水管漏水了。")
        scan.get_by_role("button", name="提交").click()
        scan.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22,}$"))

        # 7. The dispatcher is offered the compound's partner company.
        page.locator("button", has_text="退出").first.click()
        page.goto(f"{base}/login")
        page.fill("#username", "paidan")
        page.fill("#password", "paidan-pass-1")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/staff/"))
        page.locator("a[href*='/staff/reports/']").first.click()
        page.wait_for_url(re.compile(r"/staff/reports/\d+$"))
        chosen = page.locator("select[name=org] option:checked").inner_text()
        assert chosen.startswith("恒安物业") and "推荐" in chosen
        shoot(page, screenshot_dir, "8-suggested")
    finally:
        admin.close()
        resident.close()
