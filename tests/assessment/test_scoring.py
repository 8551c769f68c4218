"""Scoring rules, property-based: points follow the rule, a better figure never scores less,
and a county's total is the sum of its points."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from qingxie.assessment import scoring

values = st.decimals(min_value=-10, max_value=10_000, allow_nan=False, places=2)
weights = st.decimals(min_value=0, max_value=200, allow_nan=False, places=2)


@st.composite
def threshold_steps(draw):
    """Valid steps: thresholds distinct, percents non-decreasing with them."""
    ats = sorted(draw(st.sets(st.integers(0, 500), min_size=1, max_size=5)))
    percents = sorted(draw(st.lists(st.integers(0, 100), min_size=len(ats), max_size=len(ats))))
    return [[a, p] for a, p in zip(ats, percents, strict=True)]


@st.composite
def rules(draw):
    kind = draw(st.sampled_from(["thresholds", "linear", "pass"]))
    if kind == "thresholds":
        return kind, {"steps": draw(threshold_steps())}
    if kind == "linear":
        low = draw(st.integers(-50, 500))
        return kind, {"low": low, "high": low + draw(st.integers(1, 500))}
    return kind, {"min": draw(st.integers(0, 100))}


@given(rules(), weights, values)
def test_points_stay_between_zero_and_the_weight(rule, weight, value):
    kind, params = rule
    assert scoring.rule_problems(kind, params) == []
    points = scoring.points(kind, params, weight, value)
    assert Decimal(0) <= points <= weight


@given(rules(), weights, values, values)
def test_a_higher_figure_never_scores_lower(rule, weight, a, b):
    kind, params = rule
    low, high = sorted([a, b])
    assert scoring.points(kind, params, weight, low) <= scoring.points(kind, params, weight, high)


@given(threshold_steps(), weights, values)
def test_thresholds_give_the_highest_step_reached(steps, weight, value):
    reached = [p for at, p in steps if value >= at]
    expected = Decimal(max(reached)) / 100 if reached else Decimal(0)
    assert scoring.points("thresholds", {"steps": steps}, weight, value) == scoring.quantize(
        weight * expected
    )


@given(st.integers(-50, 500), st.integers(1, 500), weights, values)
def test_linear_is_a_straight_line_between_its_bounds(low, span, weight, value):
    high = low + span
    points = scoring.points("linear", {"low": low, "high": high}, weight, value)
    if value <= low:
        assert points == 0
    elif value >= high:
        assert points == scoring.quantize(weight)
    else:
        assert points == scoring.quantize(weight * (value - low) / span)


@given(weights)
def test_abc_states_score_100_66_33_percent(weight):
    got = [scoring.points("abc", {}, weight, grade=g) for g in "ABCD"]
    assert got == [
        scoring.quantize(weight),
        scoring.quantize(weight * Decimal("0.66")),
        scoring.quantize(weight * Decimal("0.33")),
        Decimal("0.00"),
    ]
    assert got == sorted(got, reverse=True)


@given(st.lists(st.integers(0, 100), min_size=2, max_size=4, unique=True), values)
def test_tier_is_the_best_cut_off_reached(cuts, total):
    cuts = sorted(cuts, reverse=True)
    assume(cuts[-1] == min(cuts))
    tiers = [[f"T{c}", c] for c in cuts]
    tier = scoring.tier_for(total, tiers)
    reached = [c for c in cuts if total >= c]
    assert tier == (f"T{max(reached)}" if reached else tiers[-1][0])


def test_decreasing_steps_and_bad_bounds_are_refused():
    assert scoring.rule_problems("thresholds", {"steps": [[1, 80], [5, 40]]}) == [
        "门槛越高，得分比例不能越低。"
    ]
    assert scoring.rule_problems("linear", {"low": 10, "high": 10}) == [
        "线性计分的上限须大于下限。"
    ]
    assert scoring.rule_problems("thresholds", {}) == ["分档计分至少需要一档（门槛值与得分比例）。"]
    assert scoring.rule_problems("abc", {"grades": {"A": 50, "B": 60}})
