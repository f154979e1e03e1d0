"""The rule that decides a consultation, the count it decides on, and each household's share of
the cost. Pure: numbers in, numbers out.

A rule says which share of *all* the households having a say (not of those who voted) must
agree: counted by households, by floor area, or both (the Civil Code's way for major
repairs), "at least" the share or "more than" it. Not voting counts as not agreeing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from webapp.domain import DomainRefused

HOUSEHOLDS, AREA, BOTH = "households", "area", "both"
BASES = (HOUSEHOLDS, AREA, BOTH)
EQUAL = "equal"  # shares: the same for every household, or in proportion to its area
YES_NO, PLANS = "yes_no", "plans"
AGREE, DISAGREE, ABSTAIN, PLAN = "agree", "disagree", "abstain", "plan"


@dataclass(frozen=True)
class Rule:
    basis: str
    num: int
    den: int
    strict: bool = False  # "more than" rather than "at least"

    def check(self) -> None:
        if self.basis not in BASES:
            raise DomainRefused(_l("Choose how the decision is counted."), field="rule")
        if not (1 <= self.num <= self.den <= 100):
            raise DomainRefused(_l("The share needed must be a fraction from 1/100 to 1/1, "
                                   "e.g. 2/3."), field="rule")
        if self.strict and self.num == self.den:
            raise DomainRefused(_l("More than all households cannot be reached: choose “at "
                                   "least” for everyone."), field="rule")

    @property
    def needs_area(self) -> bool:
        return self.basis in (AREA, BOTH)

    def reached(self, part: int, whole: int) -> bool:
        if whole <= 0:
            return False
        share, needed = Fraction(part, whole), Fraction(self.num, self.den)
        return share > needed if self.strict else share >= needed


# The rules offered by name on the form (a custom fraction is offered too).
PRESETS = {
    "two_thirds_households": Rule(HOUSEHOLDS, 2, 3),
    "half_households": Rule(HOUSEHOLDS, 1, 2, strict=True),
    "half_area": Rule(AREA, 1, 2, strict=True),
    "two_thirds_both": Rule(BOTH, 2, 3),
}
PRESET_LABELS = {
    "two_thirds_households": _l("At least two thirds of the households agree"),
    "half_households": _l("More than half of the households agree"),
    "half_area": _l("Households with more than half of the floor area agree"),
    "two_thirds_both": _l("At least two thirds of the households, with at least two thirds "
                          "of the area, agree"),
}


@dataclass(frozen=True)
class Voter:
    """One household with a say: its area (hundredths of m², None if unknown) and the option
    it chose (its position), or None if it has not voted."""

    area_x100: int | None
    choice: int | None


@dataclass(frozen=True)
class Result:
    approved: bool
    winner: int | None  # the position of the option that carried it
    voted: int
    households: int


def support(rule: Rule, voters: Sequence[Voter], position: int) -> bool:
    """Do the households that chose `position` satisfy the rule?"""
    backers = [v for v in voters if v.choice == position]
    by_count = rule.reached(len(backers), len(voters))
    by_area = rule.reached(sum(v.area_x100 or 0 for v in backers),
                           sum(v.area_x100 or 0 for v in voters))
    return {HOUSEHOLDS: by_count, AREA: by_area, BOTH: by_count and by_area}[rule.basis]


def decide(rule: Rule, kinds: Sequence[str], voters: Sequence[Voter]) -> Result:
    """What the rule makes of the votes. `kinds` are the options' kinds by position: the
    "agree" option must carry it; between plans, the one most households chose must, alone
    (a tie carries nothing)."""
    voted = sum(v.choice is not None for v in voters)
    if AGREE in kinds:
        candidates = [kinds.index(AGREE)]
    else:
        counts = {p: sum(v.choice == p for v in voters) for p, k in enumerate(kinds) if k == PLAN}
        top = max(counts.values(), default=0)
        leaders = [p for p, n in counts.items() if n == top]
        candidates = leaders if top > 0 and len(leaders) == 1 else []
    winner = next((p for p in candidates if support(rule, voters, p)), None)
    return Result(winner is not None, winner, voted, len(voters))


def shares(cost_cents: int, areas: Sequence[int | None], basis: str) -> list[int]:
    """Each household's share of the cost in cents, summing to the cost exactly: equal, or in
    proportion to its area; the cents left by rounding down go to the largest remainders
    (the first households on a tie)."""
    if not areas:
        return []
    weights = [1] * len(areas) if basis == EQUAL else [a or 0 for a in areas]
    total = sum(weights)
    if total <= 0:
        raise DomainRefused(_l("Sharing by area needs the floor area of every household."),
                            field="share_basis")
    exact = [Fraction(cost_cents * w, total) for w in weights]
    floors = [int(x) for x in exact]
    left = cost_cents - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors
