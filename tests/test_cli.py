import csv
import io

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Category, Community, Compound, QrCode, Report


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Community, Compound, Category, QrCode, Report))


def test_demo_data_loads_the_article_places_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    loaded = counts()
    names = set(db.session.scalars(select(Compound.name)))
    assert {"微波宿舍", "建材宿舍", "海关宿舍", "八九宿舍", "商行宿舍", "坞百宿舍",
            "东方花苑"} <= names
    assert db.session.scalar(select(func.count(Category.id))) == 10
    assert "/q/" in first.output

    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0
    assert counts() == loaded
    if_empty = runner.invoke(args=["demo-data", "--if-empty"])
    assert "not loaded" in if_empty.output
    assert counts() == loaded


def test_qr_list_prints_every_active_code_as_csv(app):
    app.config["BASE_URL"] = "https://mashang.example.org/"
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data"])
    revoked = db.session.scalars(select(QrCode)).first()
    from webapp.models.types import utcnow
    revoked.revoked_at = utcnow()
    db.session.commit()

    result = runner.invoke(args=["qr", "list"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    active = db.session.scalar(select(func.count(QrCode.id)).where(QrCode.revoked_at.is_(None)))
    assert len(rows) == active
    assert revoked.token not in result.output
    row = next(r for r in rows if r["compound"] == "东方花苑" and r["building"] == "10幢"
               and r["entrance"] == "2单元")
    assert row["url"] == f"https://mashang.example.org/q/{row['token']}"
    assert any(r["entrance"] == "" for r in rows)  # building-level codes too
