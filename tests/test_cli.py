import csv
import io
import os
import time

from sqlalchemy import func, select

from tests.conftest import jpeg_bytes
from tests.web.helpers import submit_report
from webapp.domain.shared import photos
from webapp.extensions import db
from webapp.models import (
    Category,
    Community,
    Compound,
    Household,
    QrCode,
    Report,
    ReportPhoto,
)


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Community, Compound, Category, QrCode, Report, Household))


def test_demo_data_loads_the_article_places_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    loaded = counts()
    names = set(db.session.scalars(select(Compound.name)))
    assert {"微波宿舍", "建材宿舍", "海关宿舍", "八九宿舍", "商行宿舍", "坞百宿舍",
            "东方花苑"} <= names
    assert db.session.scalar(select(func.count(Category.id))) == 10
    assert loaded[-1] == 36  # 八九宿舍 1号楼's rooms, for 一事一议
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


def test_users_create_and_sla_sweep(app):
    from datetime import timedelta

    from webapp.models import ReportMilestone, User
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data"])
    made = runner.invoke(args=["users", "create", "--username", "Wang", "--name", "王师傅",
                               "--role", "handler", "--org", "山西锦地物业",
                               "--password", "a-long-password"])
    assert made.exit_code == 0, made.output
    user = db.session.scalars(select(User).where(User.username == "wang")).one()
    assert user.organization.name == "山西锦地物业"
    refused = runner.invoke(args=["users", "create", "--username", "x", "--name", "x",
                                  "--role", "handler", "--org", "no such org",
                                  "--password", "a-long-password"])
    assert refused.exit_code != 0 and "No organisation" in refused.output

    open_clock = db.session.scalars(select(ReportMilestone).where(
        ReportMilestone.met_at.is_(None), ReportMilestone.cancelled_at.is_(None))).first()
    open_clock.due_at = open_clock.due_at - timedelta(days=1)
    db.session.commit()
    first = runner.invoke(args=["sla", "sweep"])
    assert first.exit_code == 0 and first.output.startswith("1 milestones marked breached")
    again = runner.invoke(args=["sla", "sweep"])
    assert again.output.startswith("0 milestones marked breached")
    db.session.refresh(open_clock)
    assert open_clock.breached_at == open_clock.due_at


def test_a_new_installation_starts_with_a_community_its_office_and_an_admin(app):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["community", "create", "--code", "xq", "--name", "新桥社区",
                                  "--office", "新桥社区办公室", "--hotline", "0513-1234567"])
    assert created.exit_code == 0, created.output
    assert db.session.scalar(select(func.count(Category.id))) == 10
    admin = runner.invoke(args=["users", "create", "--username", "boss", "--name", "主任",
                                "--role", "admin", "--org", "新桥社区办公室"],
                          input="long-enough-password\nlong-enough-password\n")
    assert admin.exit_code == 0, admin.output
    again = runner.invoke(args=["community", "create", "--code", "xq", "--name", "别的",
                                "--office", "别的办公室"])
    assert again.exit_code != 0 and "exists already" in again.output
    assert db.session.scalar(select(func.count(Community.id))) == 1


def test_photos_sweep_deletes_only_old_files_no_report_names(app, client, entrance_code):
    """A worker killed between writing a photo and committing its report leaves the file."""
    response = submit_report(client, entrance_code.token,
                             files=[(io.BytesIO(jpeg_bytes()), "leak.jpg")])
    assert response.status_code == 303
    folder = photos.upload_folder_for_reports(app.config["UPLOAD_FOLDER"])
    kept = folder / db.session.scalars(select(ReportPhoto.stored_name)).one()
    stray, half_written, young = (folder / "stray.jpg", folder / "x.jpg.part",
                                  folder / "young.jpg")
    for path in (stray, half_written, young):
        path.write_bytes(jpeg_bytes())
    two_hours_ago = time.time() - 7200
    for path in (kept, stray, half_written):
        os.utime(path, (two_hours_ago, two_hours_ago))

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["photos", "sweep", "--dry-run"])
    assert listed.exit_code == 0 and "2 stray photo files would be deleted" in listed.output
    assert "stray.jpg" in listed.output and "x.jpg.part" in listed.output
    assert all(path.exists() for path in (kept, stray, half_written, young))
    swept = runner.invoke(args=["photos", "sweep"])
    assert swept.exit_code == 0 and "stray.jpg" in swept.output
    assert (kept.exists(), stray.exists(), half_written.exists(), young.exists()) == \
        (True, False, False, True)


def test_numbers_too_large_are_usage_errors_not_crashes(app):
    runner = app.test_cli_runner()
    for args in (["open311", "key", "revoke", "99999999999999999999"],
                 ["sla", "sweep", "--auto-close-days", "99999999999"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 2 and "Invalid value" in result.output, result.output
