"""Likely duplicates: same building and category, open, recent, alike in their bigrams."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.reports.conftest import T0, category_coded
from webapp.domain import unit_of_work
from webapp.domain.reports import duplicates, intake
from webapp.domain.reports.duplicates import bigrams, likeness
from webapp.extensions import db
from webapp.models import Entrance, QrCode, ReportStatus


def test_bigrams_need_no_word_breaks_and_skip_punctuation():
    assert bigrams("楼道灯不亮") == {"楼道", "道灯", "灯不", "不亮"}
    assert bigrams("灯，不亮！") == bigrams("灯 不亮") == {"灯不", "不亮"}
    assert bigrams("LED Lamp") == bigrams("ledlamp")
    assert bigrams("灯") == {"灯"} and bigrams("") == set() and bigrams(None) == set()


@pytest.mark.parametrize("a, b, alike", [
    ("楼道灯不亮", "楼道灯不亮", 1.0),
    ("楼道灯不亮", "楼道的灯不亮了", 0.6),
    ("楼道灯不亮", "三楼楼道的灯坏了", 0.18),
    ("楼道灯不亮", "电梯异响，停在半层", 0.0),
    ("", "楼道灯不亮", 0.0),
])
def test_likeness_is_the_dice_coefficient_of_the_bigrams(a, b, alike):
    assert likeness(a, b) == pytest.approx(alike, abs=0.01)
    assert likeness(b, a) == likeness(a, b)


def file(code, key, description, category="electricity", now=T0):
    draft = intake.ReportDraft(submission_key=f"dupe-test-{key:010d}",
                               category_id=category_coded(category).id,
                               description=description)
    with unit_of_work():
        report, _ = intake.submit_report(code, draft, [], None, now=now, secret=app_secret())
    return report


def other_entrance(code):
    return db.session.scalars(select(QrCode).join(Entrance, QrCode.entrance_id == Entrance.id)
                              .where(Entrance.building_id == code.building_id,
                                     Entrance.id != code.entrance_id,
                                     QrCode.revoked_at.is_(None))).first()


def suggested(report):
    return [(s.report.id, s.percent) for s in duplicates.likely_duplicates(report)]


def test_the_same_problem_nearby_is_suggested_most_alike_first(entrance_code, users):
    report = file(entrance_code, 1, "楼道灯不亮")
    same = file(entrance_code, 2, "楼道灯不亮", now=T0 + timedelta(hours=1))
    near = file(other_entrance(entrance_code), 3, "三楼楼道的灯不亮了")
    assert suggested(report) == [(same.id, 100), (near.id, 50)]
    assert [s[0] for s in suggested(same)] == [report.id, near.id]


def test_what_is_not_a_likely_duplicate(entrance_code, users):
    report = file(entrance_code, 1, "楼道灯不亮")
    unlike = file(entrance_code, 2, "电表箱门坏了，关不上")
    other_kind = file(entrance_code, 3, "楼道灯不亮", category="water")
    long_ago = file(entrance_code, 4, "楼道灯不亮", now=T0 - duplicates.WINDOW - timedelta(1))
    done = file(entrance_code, 5, "楼道灯不亮")
    done.status = ReportStatus.CLOSED
    elsewhere = db.session.scalars(select(QrCode).where(
        QrCode.building_id != entrance_code.building_id, QrCode.revoked_at.is_(None))).first()
    far = file(elsewhere, 6, "楼道灯不亮")
    db.session.commit()
    found = {s[0] for s in suggested(report)}
    assert found.isdisjoint({unlike.id, other_kind.id, long_ago.id, done.id, far.id})
    # and a finished report suggests nothing: it cannot be merged
    assert suggested(done) == []


def test_at_most_a_few_are_suggested(entrance_code, users):
    report = file(entrance_code, 1, "楼道灯不亮")
    for n in range(2, 4 + duplicates.SHOWN):
        file(entrance_code, n, "楼道灯不亮")
    assert len(suggested(report)) == duplicates.SHOWN
