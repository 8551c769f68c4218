"""Ranking of a competition stage: pure functions, no database, so the rule is tested alone.

A judge's sheet total is Σ score/max × weight (out of 100, weights adding up to 100). An
entry's score is the mean of its submitted sheets' totals; when the stage drops the extremes
and at least three sheets count, the single highest and lowest totals are left out first.
Entries are ordered by score, highest first. The tie rule is stated per edition:
`top_criterion` compares the mean (over every submitted sheet) of the highest-weighted
criterion as a share of its maximum, higher first, and entries still equal share a rank;
`shared` lets every equal score share a rank. Ranks are competition ranks (1, 1, 3).
Arithmetic is exact (fractions); the score shown is rounded to two decimals half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as ranking needs it."""

    id: int
    weight: Decimal
    max_score: Decimal
    position: int = 0


@dataclass
class RankRow:
    """One entry's place: its exact score (None without submitted sheets), rank and the
    number of sheets that counted."""

    entry_id: int
    score: Fraction | None
    tiebreak: Fraction | None
    rank: int | None
    sheets: int
    counted: int

    @property
    def score_display(self) -> Decimal | None:
        if self.score is None:
            return None
        value = Decimal(self.score.numerator) / Decimal(self.score.denominator)
        return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def sheet_total(values: dict[int, Decimal], criteria: list[CriterionSpec]) -> Fraction:
    """A sheet's weighted total out of 100."""
    total = Fraction(0)
    for c in criteria:
        total += Fraction(values[c.id]) / Fraction(c.max_score) * Fraction(c.weight)
    return total


def aggregate(totals: list[Fraction], drop_extremes: bool) -> tuple[Fraction, int]:
    """The mean of the totals (the extremes dropped when asked and n ≥ 3), and how many counted."""
    kept = sorted(totals)
    if drop_extremes and len(kept) >= 3:
        kept = kept[1:-1]
    return sum(kept, Fraction(0)) / len(kept), len(kept)


def top_criterion(criteria: list[CriterionSpec]) -> CriterionSpec | None:
    """The highest-weighted criterion (the first by position among equals)."""
    if not criteria:
        return None
    return sorted(criteria, key=lambda c: (-c.weight, c.position, c.id))[0]


def rank(
    entry_ids: list[int],
    sheets: dict[int, list[dict[int, Decimal]]],
    criteria: list[CriterionSpec],
    *,
    drop_extremes: bool,
    tie_rule: str,
) -> list[RankRow]:
    """Rank the entries from their submitted sheets (entry id → list of criterion → score)."""
    top = top_criterion(criteria)
    rows = []
    for entry_id in entry_ids:
        own = sheets.get(entry_id, [])
        if not own:
            rows.append(RankRow(entry_id, None, None, None, 0, 0))
            continue
        score, counted = aggregate([sheet_total(s, criteria) for s in own], drop_extremes)
        tiebreak = None
        if tie_rule == "top_criterion" and top is not None:
            tiebreak = sum(
                (Fraction(s[top.id]) / Fraction(top.max_score) for s in own), Fraction(0)
            )
            tiebreak /= len(own)
        rows.append(RankRow(entry_id, score, tiebreak, None, len(own), counted))

    def key(row: RankRow):
        return (row.score, row.tiebreak if row.tiebreak is not None else Fraction(0))

    scored = sorted(
        (r for r in rows if r.score is not None), key=lambda r: (-key(r)[0], -key(r)[1], r.entry_id)
    )
    for i, row in enumerate(scored):
        if i and key(scored[i - 1]) == key(row):
            row.rank = scored[i - 1].rank
        else:
            row.rank = i + 1
    unscored = sorted((r for r in rows if r.score is None), key=lambda r: r.entry_id)
    return scored + unscored
