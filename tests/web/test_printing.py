"""Admin places pages, CSV import through the browser form, the print page and the CLI."""

import io
import re

import pytest
import zxingcpp
from sqlalchemy import select

from tests.conftest import login
from tests.qr_sheets.helpers import qr_texts_in_pdf
from webapp.domain.places import editing
from webapp.domain.places.printing import scan_url
from webapp.extensions import db
from webapp.models import Building, Compound, QrCode

EN = {"Accept-Language": "en"}


def token_of(client, url="/admin/places"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def test_csv_import_preview_then_confirm(client, demo):
    login(client, "admin")
    csv_bytes = "compound,building,entrance\n阳光小区,1号楼,1单元\n阳光小区,1号楼,2单元\n".encode(
        "gbk")
    preview = client.post("/admin/places/import", headers=EN, data={
        "csrf_token": token_of(client), "file": (io.BytesIO(csv_bytes), "places.csv")},
        content_type="multipart/form-data")
    assert preview.status_code == 200
    assert "Ready to import" in preview.text and "1 compounds, 1 buildings, 2 entrances" in \
        preview.text
    assert db.session.scalar(select(Compound.id).where(Compound.name == "阳光小区")) is None
    text = re.search(r'<textarea name="csv_text" hidden aria-hidden="true">(.*?)</textarea>',
                     preview.text, re.S).group(1)
    done = client.post("/admin/places/import", data={
        "csrf_token": token_of(client), "confirm": "1", "csv_text": text})
    assert done.status_code == 303
    compound = db.session.scalars(select(Compound).where(Compound.name == "阳光小区")).one()
    assert len(compound.buildings[0].entrances) == 2


def test_csv_import_lists_problems_by_line(client, demo):
    login(client, "admin")
    response = client.post("/admin/places/import", headers=EN, data={
        "csrf_token": token_of(client),
        "file": (io.BytesIO("阳光小区,1号楼\n只有小区\n".encode()), "bad.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Line 2" in response.text and "Nothing was imported" in response.text
    binary = client.post("/admin/places/import", headers=EN, data={
        "csrf_token": token_of(client), "file": (io.BytesIO(b"\xff\xfe\x00\x81\x82"), "x.csv")},
        content_type="multipart/form-data")
    assert binary.status_code == 422 and "neither UTF-8 nor GBK" in binary.text


def test_compound_page_add_rename_and_refused_remove(client, demo):
    login(client, "admin")
    compound = db.session.scalars(select(Compound).where(Compound.name == "微波宿舍")).one()
    page = client.get(f"/admin/places/{compound.id}", headers=EN)
    assert page.status_code == 200 and "1号楼" in page.text and "Replace code" in page.text
    token = token_of(client, f"/admin/places/{compound.id}")
    added = client.post(f"/admin/places/compound/{compound.id}/add",
                        data={"csrf_token": token, "name": "2号楼"})
    assert added.status_code == 303
    building = db.session.scalars(select(Building).where(Building.name == "2号楼",
                                                         Building.compound_id == compound.id)
                                  ).one()
    assert db.session.scalar(select(QrCode.id).where(QrCode.building_id == building.id))
    refused = client.post(f"/admin/places/compound/{compound.id}/remove", headers=EN,
                          data={"csrf_token": token})
    assert refused.status_code == 409 and "has reports" in refused.text
    empty = client.post(f"/admin/places/building/{building.id}/rename", headers=EN,
                        data={"csrf_token": token, "name": ""})
    assert empty.status_code == 422


def test_replacing_a_code_from_the_page(client, entrance_code):
    login(client, "admin")
    token = token_of(client)
    response = client.post(f"/admin/codes/{entrance_code.id}/replace",
                           data={"csrf_token": token, "confirmed": "1"})
    assert response.status_code == 303
    old = client.get(f"/q/{entrance_code.token}", headers=EN)
    assert old.status_code == 410 and "This code was replaced" in old.text
    new = db.session.scalars(select(QrCode).where(QrCode.replaces_id == entrance_code.id)).one()
    assert client.get(f"/q/{new.token}").status_code == 200


@pytest.mark.parametrize("kind", ["posters", "labels"])
def test_print_page_downloads_a_pdf_whose_codes_scan_to_the_entrances(client, app, demo, kind):
    app.config["BASE_URL"] = "https://mashang.example.org"
    login(client, "dispatcher")
    compound = db.session.scalars(select(Compound).where(Compound.name == "微波宿舍")).one()
    assert "Download PDF" in client.get(f"/staff/print?compound={compound.id}", headers=EN).text
    response = client.get(f"/staff/print?compound={compound.id}&download=1&kind={kind}"
                          "&paper=A5&preset=3x8&cut_guides=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    expected = {f"https://mashang.example.org/q/{c.token}" for c in db.session.scalars(
        select(QrCode).join(Building).where(Building.compound_id == compound.id,
                                            QrCode.revoked_at.is_(None)))}
    assert sorted(qr_texts_in_pdf(response.data)) == sorted(expected)


def test_print_only_the_replaced_codes(client, entrance_code):
    from webapp.domain import unit_of_work
    with unit_of_work():
        new = editing.replace_code(entrance_code)
    login(client, "admin")
    compound_id = entrance_code.building.compound_id
    response = client.get(f"/staff/print?compound={compound_id}&download=1&kind=posters"
                          "&replaced=1")
    assert response.status_code == 200
    assert [url.rsplit("/", 1)[1] for url in qr_texts_in_pdf(response.data)] == [new.token]


@pytest.mark.parametrize("query, message", [
    ("kind=labels&preset=nope", "Unknown label sheet"),
    ("kind=labels&preset=custom&columns=9&rows=20&label_width=70&label_height=37",
     "does not fit on A4"),
    ("kind=labels&preset=custom&columns=3", "fill in every size"),
    ("kind=labels&preset=3x8&skip=24", "skip at most 23"),
    ("kind=labels&preset=custom&columns=x&rows=2&label_width=1&label_height=1",
     "numbers in millimetres"),
    ("kind=posters&paper=Letter", "A4 or A5"),
    ("kind=nothing", "posters or labels"),
])
def test_print_form_refuses_bad_choices_with_a_message(client, demo, query, message):
    login(client, "admin")
    compound = db.session.scalars(select(Compound).where(Compound.name == "微波宿舍")).one()
    response = client.get(f"/staff/print?compound={compound.id}&download=1&{query}",
                          headers=EN)
    assert response.status_code == 422 and message in response.text


def test_building_choices_that_are_no_ids_are_ignored(client, demo):
    login(client, "admin")
    compound = db.session.scalars(select(Compound).where(Compound.name == "微波宿舍")).one()
    base = f"/staff/print?compound={compound.id}&download=1&kind=posters"
    everything = client.get(base)
    odd = client.get(base + "&buildings=%C2%B2&buildings=" + "9" * 30)
    assert everything.status_code == odd.status_code == 200
    assert odd.data == everything.data  # no building chosen: all of them


def test_single_code_as_svg_and_png(client, entrance_code):
    from PIL import Image
    login(client, "dispatcher")
    svg = client.get(f"/staff/codes/{entrance_code.token}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and "<path" in svg.text
    png = client.get(f"/staff/codes/{entrance_code.token}.png")
    assert png.mimetype == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert decoded[0].text.endswith(f"/q/{entrance_code.token}")
    assert client.get(f"/staff/codes/{entrance_code.token}.gif").status_code == 404


def test_cli_writes_a_sheet(app, demo, tmp_path):
    out = tmp_path / "labels.pdf"
    result = app.test_cli_runner().invoke(args=[
        "qr", "sheet", "--compound", "东方花苑", "--kind", "labels", "--preset", "4x10",
        "-o", str(out)])
    assert result.exit_code == 0, result.output
    compound = db.session.scalars(select(Compound).where(Compound.name == "东方花苑")).one()
    expected = [scan_url(app.config["BASE_URL"], c.token) for c in db.session.scalars(
        select(QrCode).join(Building).where(Building.compound_id == compound.id,
                                            QrCode.revoked_at.is_(None)))]
    assert len(expected) == 30  # 10 buildings, each with its own code and two entrances
    assert sorted(qr_texts_in_pdf(out.read_bytes())) == sorted(expected)
    missing = app.test_cli_runner().invoke(args=["qr", "sheet", "--compound", "无此小区",
                                                 "-o", str(out)])
    assert missing.exit_code != 0
