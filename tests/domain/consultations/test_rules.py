"""The deciding rule and the cost shares, on constructed numbers."""

import pytest

from webapp.domain import DomainRefused
from webapp.domain.consultations.rules import (
    ABSTAIN,
    AGREE,
    DISAGREE,
    PLAN,
    PRESETS,
    Rule,
    Voter,
    decide,
    shares,
)

YES_NO = [AGREE, DISAGREE, ABSTAIN]


def voters(*choices, areas=None):
    areas = areas or [100] * len(choices)
    return [Voter(a, c) for a, c in zip(areas, choices, strict=True)]


def test_two_thirds_of_all_households_not_of_those_who_voted():
    rule = PRESETS["two_thirds_households"]
    # 4 of 6 agree: exactly two thirds, "at least" reaches it.
    assert decide(rule, YES_NO, voters(0, 0, 0, 0, 1, None)).approved
    # 4 of 7 agree, the rest silent: not reached, though everyone who voted agreed.
    result = decide(rule, YES_NO, voters(0, 0, 0, 0, None, None, None))
    assert not result.approved and result.voted == 4 and result.households == 7


def test_more_than_half_is_strict_and_abstaining_is_not_agreeing():
    rule = PRESETS["half_households"]
    assert not decide(rule, YES_NO, voters(0, 0, 2, 2)).approved  # half is not more
    assert decide(rule, YES_NO, voters(0, 0, 0, 2)).approved


def test_more_than_half_of_the_area():
    rule = PRESETS["half_area"]
    # two small flats agree, one big one disagrees: most households, not most area
    assert not decide(rule, YES_NO, voters(0, 0, 1, areas=[50, 50, 150])).approved
    assert decide(rule, YES_NO, voters(1, 1, 0, areas=[50, 50, 150])).approved


def test_both_counts_need_both():
    rule = PRESETS["two_thirds_both"]
    assert not decide(rule, YES_NO, voters(0, 0, 1, areas=[10, 10, 200])).approved
    assert decide(rule, YES_NO, voters(0, 0, 1, areas=[100, 100, 20])).approved


def test_between_plans_the_most_chosen_must_reach_the_rule_alone():
    rule = PRESETS["half_households"]
    kinds = [PLAN, PLAN, PLAN]
    result = decide(rule, kinds, voters(1, 1, 1, 0, 2))
    assert result.approved and result.winner == 1
    assert not decide(rule, kinds, voters(1, 1, 0, 0, 2)).approved  # a tie carries nothing
    assert not decide(rule, kinds, voters(1, 1, 0, 2, None)).approved  # 2 of 5: too few


def test_nobody_voting_declines():
    assert not decide(PRESETS["half_area"], YES_NO, voters(None, None)).approved


def test_a_rule_that_cannot_be_met_or_read_is_refused():
    for rule in (Rule("households", 3, 2), Rule("households", 0, 3), Rule("rooms", 1, 2),
                 Rule("households", 1, 1, strict=True)):
        with pytest.raises(DomainRefused):
            rule.check()
    Rule("area", 3, 4).check()


def test_shares_sum_to_the_cost_to_the_cent():
    assert shares(10_000, [None, None, None], "equal") == [3334, 3333, 3333]
    by_area = shares(100_000, [8000, 10000, 12000], "area")
    assert sum(by_area) == 100_000 and by_area == [26667, 33333, 40000]
    assert shares(0, [1, 2], "area") == [0, 0]


def test_shares_by_area_need_areas():
    with pytest.raises(DomainRefused):
        shares(100, [None, None], "area")
