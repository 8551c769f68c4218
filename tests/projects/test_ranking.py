"""Ranking, property-based: it equals a brute-force weighted mean with the drop rule, and ties
follow the stated rule."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from qingxie.projects.ranking import CriterionSpec, rank

CRITERIA = [
    CriterionSpec(1, Decimal(40), Decimal(100), 0),
    CriterionSpec(2, Decimal(35), Decimal(50), 1),
    CriterionSpec(3, Decimal(25), Decimal(10), 2),
]
score = st.integers(min_value=0, max_value=10)
sheet = st.fixed_dictionaries(
    {
        1: score.map(lambda v: Decimal(v * 10)),
        2: score.map(lambda v: Decimal(v * 5)),
        3: score.map(Decimal),
    }
)
entries = st.dictionaries(
    st.integers(1, 40), st.lists(sheet, min_size=0, max_size=5), min_size=1, max_size=8
)


def brute(sheets, drop):
    out = {}
    for entry, own in sheets.items():
        if not own:
            continue
        totals = []
        for s in own:
            totals.append(
                Fraction(s[1]) / 100 * 40 + Fraction(s[2]) / 50 * 35 + Fraction(s[3]) / 10 * 25
            )
        totals.sort()
        if drop and len(totals) >= 3:
            totals = totals[1:-1]
        top = sum(Fraction(s[1]) / 100 for s in own) / len(own)
        out[entry] = (sum(totals) / len(totals), top)
    return out


@settings(max_examples=200, deadline=None)
@given(entries, st.booleans(), st.sampled_from(["top_criterion", "shared"]))
def test_ranking_equals_brute_force(sheets, drop, tie_rule):
    rows = rank(sorted(sheets), sheets, CRITERIA, drop_extremes=drop, tie_rule=tie_rule)
    expected = brute(sheets, drop)
    by_entry = {r.entry_id: r for r in rows}
    assert set(by_entry) == set(sheets)
    for entry, row in by_entry.items():
        if entry not in expected:
            assert row.score is None and row.rank is None
            continue
        assert row.score == expected[entry][0]

        def key(e):
            score, top = expected[e]
            return (score, top) if tie_rule == "top_criterion" else (score,)

        # Competition rank: one more than the entries strictly ahead under the stated rule.
        ahead = sum(1 for other in expected if key(other) > key(entry))
        assert row.rank == ahead + 1
    # Listed best first; the unscored last.
    ranks = [r.rank for r in rows if r.rank is not None]
    assert ranks == sorted(ranks)
    assert all(r.rank is None for r in rows[len(ranks) :])


def test_drop_highest_and_lowest_needs_three_sheets():
    low, mid, high = ({1: Decimal(v), 2: Decimal(0), 3: Decimal(0)} for v in (0, 50, 100))
    rows = rank(
        [1, 2],
        {1: [low, mid, high], 2: [low, high]},
        CRITERIA,
        drop_extremes=True,
        tie_rule="shared",
    )
    scores = {r.entry_id: r.score for r in rows}
    assert scores[1] == Fraction(20)  # only the middle sheet: 50/100 × 40
    assert scores[2] == Fraction(20)  # two sheets: nothing dropped, mean of 0 and 40
    assert [r.rank for r in rows] == [1, 1]


def test_tie_broken_by_the_highest_weighted_criterion():
    a = {1: Decimal(100), 2: Decimal(0), 3: Decimal(0)}  # 40 points, all from criterion 1
    b = {1: Decimal(0), 2: Decimal(50), 3: Decimal(2)}  # 35 + 5 = 40 points
    rows = rank([1, 2], {1: [b], 2: [a]}, CRITERIA, drop_extremes=False, tie_rule="top_criterion")
    assert [(r.entry_id, r.rank) for r in rows] == [(2, 1), (1, 2)]
    shared = rank([1, 2], {1: [b], 2: [a]}, CRITERIA, drop_extremes=False, tie_rule="shared")
    assert [r.rank for r in shared] == [1, 1]
