"""The staff's CSV export: one row per report with how it came in, who has it and every
milestone time, in the community's time zone and the reader's language."""

from flask_babel import force_locale

from tests.domain.reports.conftest import file_for, minutes, resolve_in_ten_minutes
from webapp.domain import unit_of_work
from webapp.domain.reports import export, queue
from webapp.models import Milestone


def rows_in(locale, users, now):
    with force_locale(locale):
        return list(export.export_rows(queue.QueueFilter(tab="all"), users["dispatcher"], now,
                                       locale))


def test_every_row_has_the_headers_columns_and_a_report_its_milestone_times(report, users):
    with unit_of_work():
        resolve_in_ten_minutes(report, users)
    rows = rows_in("en", users, minutes(20))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Report number", "Status", "Channel", "Reported at"]
    for name in ("Accepting", "Arriving on site", "Resolving", "The plan"):
        assert {f"{name}: due", f"{name}: done", f"{name}: overdue since"} <= set(header)
    assert len(header) == 18 + 3 * len(Milestone) and len(set(header)) == len(header)
    assert body and all(len(row) == len(header) for row in body)

    (mine,) = [dict(zip(header, row, strict=True)) for row in body if row[0] == report.number]
    assert (mine["Status"], mine["Channel"], mine["Compound"], mine["Entrance"],
            mine["Category"], mine["Description"]) == (
        "Resolved — please confirm", "Door code", "微波宿舍", "2单元", "Water and drains",
        "楼道灯不亮")
    assert (mine["Organisation"], mine["Assignee"], mine["Priority"], mine["Care card"]) == (
        report.compound.partner_org.name, "马腾飞", "Normal", "")  # accepted by him
    # 01:00 UTC is 09:00 in Shanghai; minutes, no seconds or microseconds
    assert mine["Reported at"] == "2026-11-02 09:00"
    assert (mine["Accepted at"], mine["Arrived at"], mine["Resolved at"]) == (
        "2026-11-02 09:02", "2026-11-02 09:03", "2026-11-02 09:10")
    assert (mine["Accepting: done"], mine["Resolving: done"]) == (
        "2026-11-02 09:02", "2026-11-02 09:10")
    assert mine["Resolving: due"] == "2026-11-02 09:23"  # 20 minutes after arriving
    assert mine["The plan: due"] == mine["Closed at"] == mine["Rating"] == ""


def test_a_filed_report_in_chinese_with_its_channel_assignee_and_care_card(users, tmp_path):
    with unit_of_work():
        report, _ = file_for(users["dispatcher"], "export-filed-0000001", folder=tmp_path)
        report.assigned_org, report.assigned_user = users["grid"].organization, users["grid"]
    rows = rows_in("zh_CN", users, minutes(0))
    header = rows[0]
    assert header[:4] == ["报事编号", "状态", "渠道", "报事时间"]
    (mine,) = [dict(zip(header, row, strict=True)) for row in rows[1:]
               if row[0] == report.number]
    assert (mine["渠道"], mine["状态"], mine["类别"], mine["爱心联系卡"], mine["优先级"]) == (
        "电话", "已受理", "水电 · 上下水", "是", "优先")
    assert (mine["单位"], mine["处理人"]) == ("八一社区第一网格", "网格员 张敏")
    assert "13800000000" not in str(rows) and "王阿姨" not in str(rows)  # no resident


def test_the_export_follows_the_queue_filter(report, users):
    with force_locale("en"):
        rows = list(export.export_rows(queue.QueueFilter(tab="closed"), users["dispatcher"],
                                       minutes(0)))
    assert report.number not in [row[0] for row in rows[1:]]
