"""红黑榜: organisations and compounds ranked by a score residents can check.

The score, out of 100, is a weighted sum of four parts, each between 0 and 1:

  40 × on time    share on time of the reports resolved in the month and of those still open
                  and already late (an open overdue report counts against whoever holds it)
  20 × speed      1 / (1 + median days to resolve): 1 when fixed at once, ½ at one day
  25 × rating     the average rating on 1–5 mapped to 0–1
  15 × no reopen  1 − the share of the month's resolved reports that had been reopened

Each part is shrunk toward the community's own value of that part (the board's whole):
  part = (n·x + k·m) / (n + k)
with x the group's value, n the reports it stands on (ratings for the rating; resolved for
speed and reopens; resolved and late open for on time), m the community's value and k =
PRIOR_WEIGHT. A group with few reports lands near the average, whatever they were, so one
perfect report cannot top the list (FixMyStreet's known failure). A group is ranked only
with at least MIN_SAMPLE reports (resolved, or open and late) in the month; the others are
listed apart as "too few reports to rank".

The 红榜 is the best TOP of the ranked, the 黑榜 the worst TOP, worst first; with fewer than
2 × TOP ranked they share them out, best half red, so nobody is on both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

MIN_SAMPLE = 5
PRIOR_WEIGHT = 5
TOP = 3
WEIGHTS = {"on_time": 40, "speed": 20, "rating": 25, "no_reopen": 15}
NEUTRAL = 0.5  # a part's average when the community itself has nothing to go on


class Counted(Protocol):
    """What the ranking reads of a group's month (board.Figures has it)."""

    received: int
    resolved: int
    late_open: int
    on_time: int
    reopened: int
    ratings: list[int]

    @property
    def median_minutes(self) -> float | None: ...


@dataclass(frozen=True)
class Part:
    raw: float | None  # the group's own value; None when it has nothing to measure
    n: int             # the reports it stands on
    shrunk: float      # after shrinking toward the community's value


@dataclass(frozen=True)
class Ranked:
    name: str
    figures: Counted
    parts: dict[str, Part]
    score: float

    @property
    def sample(self) -> int:
        return sample(self.figures)


@dataclass(frozen=True)
class Ranking:
    red: list[Ranked]       # best first
    black: list[Ranked]     # worst first
    ranked: list[Ranked]    # everyone ranked, best first
    too_few: list[tuple[str, Counted]]  # fewer than MIN_SAMPLE reports: not ranked


def sample(figures: Counted) -> int:
    return figures.resolved + figures.late_open


def speed(median_minutes: float | None) -> float | None:
    return None if median_minutes is None else 1 / (1 + median_minutes / 1440)


def raw_parts(figures: Counted) -> dict[str, tuple[float | None, int]]:
    """Each part's own value and the number of reports it stands on."""
    counted = sample(figures)
    ratings = figures.ratings
    return {
        "on_time": (figures.on_time / counted if counted else None, counted),
        "speed": (speed(figures.median_minutes), figures.resolved),
        "rating": ((sum(ratings) / len(ratings) - 1) / 4 if ratings else None, len(ratings)),
        "no_reopen": (1 - figures.reopened / figures.resolved if figures.resolved else None,
                      figures.resolved),
    }


def shrink(value: float | None, n: int, average: float, k: int = PRIOR_WEIGHT) -> float:
    """(n·x + k·m) / (n + k): the group's value pulled toward the average, less the more
    reports it stands on."""
    if value is None or n <= 0:
        return average
    return (n * value + k * average) / (n + k)


def score(figures: Counted, community: Counted) -> tuple[dict[str, Part], float]:
    averages = {name: NEUTRAL if value is None else value
                for name, (value, _) in raw_parts(community).items()}
    parts = {name: Part(value, n, shrink(value, n, averages[name]))
             for name, (value, n) in raw_parts(figures).items()}
    return parts, sum(WEIGHTS[name] * part.shrunk for name, part in parts.items())


def rank(groups: dict[str, Counted], community: Counted, top: int = TOP) -> Ranking:
    """Rank the groups (organisations or compounds) of a month against their community."""
    ranked, too_few = [], []
    for name, figures in groups.items():
        if sample(figures) >= MIN_SAMPLE:
            parts, total = score(figures, community)
            ranked.append(Ranked(name, figures, parts, total))
        elif sample(figures) or figures.received:
            too_few.append((name, figures))
    ranked.sort(key=lambda r: (-r.score, -r.sample, r.name))
    red = ranked[:min(top, (len(ranked) + 1) // 2)]
    black = ranked[len(red):][::-1][:top]
    return Ranking(red, black, ranked, sorted(too_few, key=lambda item: item[0]))
