"""Every kind of notification words itself in both languages from its facts."""

from webapp.domain.notify.messages import TEXTS, Notice, render


def test_every_kind_renders_in_chinese_and_english(app):
    facts = {"number": "20261120-0007", "category": {"zh": "水电", "en": "Water"},
             "place": "微波宿舍 1号楼", "note": "漏水", "service": {"zh": "理发", "en": "Haircut"},
             "when": "11-20 10:00", "milestone": "接单", "status": "已派单",
             "reward": {"zh": "洗衣液", "en": "Soap"}, "decision": "✓", "volunteer": "小王"}
    for kind in TEXTS:
        notice = Notice(key="k", kind=kind, community_id=None, staff_path="/", facts=facts)
        zh_title, zh_body = render(notice, "zh")
        en_title, en_body = render(notice, "en")
        assert zh_title and en_title and "{" not in zh_title + zh_body + en_title + en_body


def test_the_recipients_language_and_a_long_title_cut_to_the_bell(app):
    notice = Notice(key="k", kind="new_report", community_id=None, staff_path="/",
                    facts={"number": "N" * 200, "category": {"zh": "水电", "en": "Water"}})
    title, _ = render(notice, "en")
    assert title.startswith("New report N") and len(title) == 120 and title.endswith("…")
    assert render(notice, "zh")[1].startswith("水电")
    assert render(notice, "en")[1].startswith("Water")
