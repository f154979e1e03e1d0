"""红黑榜: the score, its minimum sample and its shrinkage toward the community, on
constructed figures."""

import pytest

from webapp.domain.reports import ranking
from webapp.domain.reports.board import Figures


def figures(resolved, on_time, minutes=30.0, ratings=(), late_open=0, reopened=0):
    return Figures(received=resolved + late_open, resolved=resolved, on_time=on_time,
                   late_open=late_open, reopened=reopened, minutes=[minutes] * resolved,
                   ratings=list(ratings))


def community_of(groups):
    total = Figures()
    for g in groups.values():
        for name in ("received", "resolved", "on_time", "late_open", "reopened"):
            setattr(total, name, getattr(total, name) + getattr(g, name))
        total.minutes += g.minutes
        total.ratings += g.ratings
    return total


def test_one_perfect_report_does_not_top_the_red_list():
    groups = {
        "一单物业": figures(1, 1, minutes=5, ratings=[5]),
        "老实物业": figures(30, 27, minutes=90, ratings=[4] * 20),
        "拖拉物业": figures(20, 10, minutes=600, ratings=[2] * 10, reopened=4),
    }
    result = ranking.rank(groups, community_of(groups))
    assert [r.name for r in result.red] == ["老实物业"]
    assert [r.name for r in result.black] == ["拖拉物业"]
    assert [name for name, _ in result.too_few] == ["一单物业"]
    # Were it scored at all, the shrinkage would keep it below the steady one.
    community = community_of(groups)
    assert ranking.score(groups["一单物业"], community)[1] < \
        ranking.score(groups["老实物业"], community)[1]


def test_the_minimum_sample_counts_resolved_and_late_open():
    four = {"甲": figures(4, 4), "乙": figures(10, 8)}
    assert [n for n, _ in ranking.rank(four, community_of(four)).too_few] == ["甲"]
    five = {"甲": figures(4, 4, late_open=1), "乙": figures(10, 8)}
    assert {r.name for r in ranking.rank(five, community_of(five)).ranked} == {"甲", "乙"}
    assert ranking.MIN_SAMPLE == 5


def test_shrinkage_pulls_a_small_sample_toward_the_community():
    assert ranking.shrink(1.0, 5, 0.6, k=5) == pytest.approx(0.8)
    assert ranking.shrink(1.0, 95, 0.6, k=5) == pytest.approx(0.98)
    assert ranking.shrink(None, 0, 0.6) == 0.6  # nothing to go on: the average
    # Five perfect reports against forty at 95 %: the forty rank first.
    groups = {"五单全准": figures(5, 5), "四十单": figures(40, 38), "平平": figures(40, 20)}
    result = ranking.rank(groups, community_of(groups))
    assert [r.name for r in result.ranked] == ["四十单", "五单全准", "平平"]
    small = result.ranked[1].parts["on_time"]
    community_share = 63 / 85
    assert (small.raw, small.n) == (1.0, 5)
    assert small.shrunk == pytest.approx((5 * 1.0 + 5 * community_share) / 10)


def test_overdue_open_reports_count_against_the_holder():
    clean = figures(10, 10)
    holding = figures(10, 10, late_open=5)  # the same work, five more left overdue
    groups = {"按时": clean, "压单": holding}
    result = ranking.rank(groups, community_of(groups))
    assert [r.name for r in result.ranked] == ["按时", "压单"]
    assert result.ranked[1].parts["on_time"].raw == pytest.approx(10 / 15)
    assert result.ranked[1].sample == 15


def test_the_score_parts_and_red_and_black_never_overlap():
    groups = {name: figures(10, on_time) for name, on_time in
              zip("ABCDEFG", (10, 9, 8, 7, 6, 5, 4), strict=True)}
    result = ranking.rank(groups, community_of(groups))
    assert [r.name for r in result.red] == ["A", "B", "C"]
    assert [r.name for r in result.black] == ["G", "F", "E"]  # worst first
    three = {k: groups[k] for k in "ABC"}
    result = ranking.rank(three, community_of(three))
    assert ([r.name for r in result.red], [r.name for r in result.black]) == (["A", "B"], ["C"])
    best = ranking.rank(groups, community_of(groups)).ranked[0]
    assert set(best.parts) == set(ranking.WEIGHTS) and 0 < best.score <= 100
    assert sum(ranking.WEIGHTS.values()) == 100
